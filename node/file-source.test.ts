import { execFileSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader } from '../shared/dicom/encode.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { PIXEL_DATA } from '../shared/dicom/tag.js';
import { EXPLICIT_LE } from '../shared/dicom/transfer-syntax.js';
import { concatChunks, encodeNewDataset } from '../shared/dicom/write.js';
import { part10, str } from '../test/part10.js';
import { FIRST_WINDOW, FileSource, InputError, openInput } from './file-source.js';

const root = mkdtempSync(join(tmpdir(), 'deid-file-source-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MB = 1024 * 1024;
const PIXEL_BYTES = 1_200_000_000;

/**
 * A 1.2 GB multi-frame file that costs no disk: a real header, a Pixel Data header declaring 1.2 GB, the
 * file extended over the hole with ftruncate, and a private element after the pixels.
 */
function sparseFile(): string {
  const path = join(root, 'huge.dcm');
  const head = concatChunks([
    part10([
      str(0x00100010, 'PN', 'HUGE^PATIENT'),
      str(0x00280008, 'IS', '1000'),
      { tag: 0x00280010, vr: 'US', value: Uint8Array.of(0, 4) },
    ]),
    encodeHeader(PIXEL_DATA, 'OW', PIXEL_BYTES, EXPLICIT_LE),
  ]);
  const tail = encodeNewDataset(
    [str(0x7fe10010, 'LO', 'ACME 1.0'), str(0x7fe11001, 'LO', 'after the pixels')],
    EXPLICIT_LE,
  );
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  ftruncateSync(fd, head.length + PIXEL_BYTES);
  writeSync(fd, tail, 0, tail.length, head.length + PIXEL_BYTES);
  closeSync(fd);
  return path;
}

describe('FileSource', () => {
  const huge = sparseFile();

  it('parses the header of a 1.2 GB file reading a few kilobytes, not the file', () => {
    const input = openInput(huge);
    try {
      const parsed = parseDicom(input.source, { stopAtPixelData: true });
      expect(input.source.size).toBeGreaterThan(PIXEL_BYTES);
      expect(parsed.dataset.elements.at(-1)?.tag).toBe(PIXEL_DATA);
      expect(parsed.dataset.elements.at(-1)?.length).toBe(PIXEL_BYTES);
      expect(input.source.bytesRead).toBeLessThan(8 * MB);
    } finally {
      input.close();
    }
  });

  it('reaches elements after the pixel data by skipping it, still reading under 8 MB', () => {
    const input = openInput(huge);
    try {
      const parsed = parseDicom(input.source);
      expect(parsed.dataset.elements.map((e) => e.tag)).toContain(0x7fe11001);
      expect(input.source.bytesRead).toBeLessThan(8 * MB);
    } finally {
      input.close();
    }
  });

  it('returns exactly the bytes asked for, wherever the window is', () => {
    const bytes = new Uint8Array(3 * MB + 12345).map((_, i) => (i * 7919) % 251);
    const path = join(root, 'pattern.bin');
    writeFileSync(path, bytes);
    const input = openInput(path);
    // Buffer.compare: vitest's deep equality walks megabytes element by element.
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
    try {
      fc.assert(
        fc.property(fc.nat(bytes.length + 10), fc.nat(2 * MB), fc.boolean(), (offset, length, useWindow) => {
          const end = Math.min(bytes.length, offset + length);
          if (useWindow) {
            const w = input.source.window(offset, length);
            const got = w.bytes.subarray(offset - w.base, Math.max(offset, end) - w.base);
            return w.base <= offset && same(got, bytes.subarray(offset, Math.max(offset, end)));
          }
          return same(input.source.read(offset, length), bytes.subarray(offset, Math.max(offset, end)));
        }),
        { numRuns: 300 },
      );
    } finally {
      input.close();
    }
  });

  it('fills a lent first window, file after file, and reads the rest into fresh arrays', () => {
    const lent = new Uint8Array(FIRST_WINDOW);
    const bytes = new Uint8Array(FIRST_WINDOW * 3).map((_, i) => (i * 31) % 253);
    const [a, b] = ['a.bin', 'b.bin'].map((name, k) => {
      const path = join(root, name);
      writeFileSync(
        path,
        bytes.map((v) => v ^ k),
      );
      return path;
    });
    const first = openInput(a!, lent);
    const head = first.source.read(0, 100);
    expect(head.buffer).toBe(lent.buffer);
    expect(Buffer.compare(head, bytes.subarray(0, 100))).toBe(0);
    // Past the lent window: a new array, and the lent one still holds the first read.
    const later = first.source.read(2 * FIRST_WINDOW, 100);
    expect(later.buffer).not.toBe(lent.buffer);
    expect(Buffer.compare(later, bytes.subarray(2 * FIRST_WINDOW, 2 * FIRST_WINDOW + 100))).toBe(0);
    expect(Buffer.compare(lent.subarray(0, 100), bytes.subarray(0, 100))).toBe(0);
    first.close();
    // The next file's first read lands in the same array.
    const second = openInput(b!, lent);
    expect(Array.from(second.source.read(0, 3))).toEqual(Array.from(bytes.subarray(0, 3), (v) => v ^ 1));
    expect(lent[0]).toBe(bytes[0]! ^ 1);
    // Reading on past it: a fresh array.
    expect(second.source.read(10, FIRST_WINDOW + 10).buffer).not.toBe(lent.buffer);
    second.close();
  });

  it('reports a file that shrinks under it as truncated, naming only offsets', () => {
    const path = join(root, 'shrinks.bin');
    writeFileSync(path, new Uint8Array(200_000));
    const source = new FileSource(openSync(path, 'r'), 400_000);
    try {
      expect(() => source.read(300_000, 10)).toThrow(/^the file ended at byte \d+ while being read/);
    } finally {
      source.close();
    }
  });
});

describe('openInput', () => {
  const inputError = (path: string) => {
    try {
      openInput(path).close();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).code;
    }
    return 'opened';
  };

  it('refuses folders, special files and missing paths with a typed error', () => {
    mkdirSync(join(root, 'folder.dcm'));
    expect(inputError(join(root, 'folder.dcm'))).toBe('directory');
    expect(inputError(join(root, 'missing.dcm'))).toBe('not-found');
    expect(inputError('/dev/null')).toBe('not-regular');
    execFileSync('mkfifo', [join(root, 'pipe.dcm')]);
    // Opening a pipe must not wait for a writer.
    expect(inputError(join(root, 'pipe.dcm'))).toBe('not-regular');
  });

  it('puts no path in its messages (callers add the path where it may go)', () => {
    expect(() => openInput(join(root, 'SECRET-NAME', 'x.dcm'))).toThrow(/^no such file$/);
  });
});
