import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileLines, lineText } from './file-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function linesOf(bytes: Buffer) {
  const path = join(dir, 'f');
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  try {
    return [...fileLines(fd)];
  } finally {
    closeSync(fd);
  }
}

describe('fileLines', () => {
  it('gives every line with its place in bytes, across megabyte reads and characters split by them', () => {
    // Lines of two- to four-byte characters, about 3 MB: reads end inside lines and inside characters.
    const texts = Array.from({ length: 40_000 }, (_, i) => `${i}:${'é山😀'.repeat(i % 23)}`);
    const bytes = Buffer.from(`${texts.join('\n')}\n`);
    const lines = linesOf(bytes);
    expect(lines.map((l) => l.text)).toEqual(texts);
    for (const l of lines) {
      expect(bytes.toString('utf8', l.start, l.start + l.bytes)).toBe(`${l.text}\n`);
      expect(l.complete).toBe(true);
    }
  });

  it('gives a last line without its newline as incomplete, and an empty file no line', () => {
    expect(linesOf(Buffer.from('a\nbc'))).toEqual([
      { text: 'a', start: 0, bytes: 2, complete: true },
      { text: 'bc', start: 2, bytes: 2, complete: false },
    ]);
    expect(linesOf(Buffer.alloc(0))).toEqual([]);
  });

  it('gives a line longer than 16 MB by its place, its text read by lineText, and goes on at the next', () => {
    const long = 'é'.repeat(9 * 1024 * 1024);
    const longBytes = Buffer.byteLength(long);
    for (const [ending, complete] of [
      ['\nafter\nlast', true],
      ['', false],
    ] as const) {
      const bytes = Buffer.from(`first\n${long}${ending}`);
      const path = join(dir, 'long');
      writeFileSync(path, bytes);
      const fd = openSync(path, 'r');
      try {
        const lines = [...fileLines(fd)];
        expect(lines.map((l) => l.text)).toEqual(
          complete ? ['first', undefined, 'after', 'last'] : ['first', undefined],
        );
        expect(lines[1]).toMatchObject({ start: 6, bytes: longBytes + (complete ? 1 : 0), complete });
        expect(lineText(fd, lines[1]!)).toBe(long);
        if (complete) {
          expect(lines[2]!.start).toBe(6 + longBytes + 1);
          expect(bytes.toString('utf8', lines[3]!.start)).toBe('last');
        }
      } finally {
        closeSync(fd);
      }
    }
  });
});
