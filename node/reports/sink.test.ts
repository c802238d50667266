import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canMountTmpfs, withTmpfs } from '../../test/mount.js';
import { FileSink } from './sink.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Lines of about 200 bytes, numbered: a line written twice, cut short or run into another shows.
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `line ${from + i} ${'x'.repeat(190)}\n`);

describe('FileSink', () => {
  it('continues a file opened to append, after what it held', () => {
    const path = join(dir, 'append.log');
    writeFileSync(path, 'header\n');
    const sink = new FileSink(openSync(path, 'a'));
    const text = lines(0, 500);
    for (const line of text) sink.write(line);
    sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`header\n${text.join('')}`);
  });

  it.skipIf(!canMountTmpfs)(
    'a flush the full disk cuts short leaves the file as its last whole flush left it, and its text is written, once, when there is room',
    async () => {
      await withTmpfs('size=256k', (mount) => {
        for (const flags of ['w', 'a'] as const) {
          const path = join(mount, `log-${flags}`);
          const sink = new FileSink(openSync(path, flags));
          const first = lines(0, 10).join('');
          sink.write(first);
          sink.flush();
          // Room for about a third of what the next flush (at 64 KB) writes.
          const filler = join(mount, 'filler');
          writeFileSync(filler, Buffer.alloc(256 * 1024 - first.length - 24 * 1024));
          const given: string[] = [];
          let thrown: NodeJS.ErrnoException | undefined;
          for (const line of lines(10, 400)) {
            given.push(line);
            try {
              sink.write(line);
            } catch (e) {
              thrown = e as NodeJS.ErrnoException;
              break;
            }
          }
          expect(thrown?.code).toBe('ENOSPC');
          expect(given.join('').length).toBeGreaterThan(64 * 1024);
          expect(readFileSync(path, 'utf8')).toBe(first);
          rmSync(filler);
          sink.close();
          expect(readFileSync(path, 'utf8')).toBe(first + given.join(''));
          rmSync(path);
        }
      });
    },
  );
});
