import { describe, expect, it } from 'vitest';
import { part10, str } from '../../test/part10.js';
import { DicomError } from './errors.js';
import { encapsulatedFrames, encapsulatedPixelData, readFrame } from './frames.js';
import { parseDicom } from './parse.js';
import { MemorySource } from './source.js';
import { concatChunks } from './write.js';

// Frames found by each route: Extended Offset Table, Basic Offset Table, one fragment per frame, codestream
// starts, JPEG end-of-image markers. Real files from dcmtk (fragmented, with and without an offset table)
// are split in the codec tests and the preview's corpus test.

const jpeg = (n: number, length: number) =>
  Uint8Array.from({ length }, (_, i) =>
    i === 0
      ? 0xff
      : i === 1
        ? 0xd8
        : i === 2
          ? 0xff
          : i >= length - 2
            ? [0xff, 0xd9][i - length + 2]!
            : (n * 31 + i) & 0x7f,
  );

const item = (value: Uint8Array) => {
  const header = new Uint8Array([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
  new DataView(header.buffer).setUint32(4, value.length, true);
  return concatChunks([header, value]);
};
const PIXEL_HEADER = new Uint8Array([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
const DELIMITER = new Uint8Array([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);

function file(frames: number, pixelData: readonly Uint8Array[], extra: Parameters<typeof part10>[0] = []) {
  const head = part10([str(0x00280008, 'IS', String(frames)), ...extra]);
  return parseDicom(new MemorySource(concatChunks([head, ...pixelData])));
}

const frames = [jpeg(0, 40), jpeg(1, 51), jpeg(2, 30)];
const split = (parsed: ReturnType<typeof file>, n: number) =>
  encapsulatedFrames(parsed, n).map((f) => Array.from(readFrame(parsed, f)));
const expected = frames.map((f) => Array.from(f.length % 2 ? concatChunks([f, new Uint8Array(1)]) : f));

describe('encapsulated frames', () => {
  it('by the Basic Offset Table encapsulatedPixelData writes', () => {
    expect(split(file(3, encapsulatedPixelData(frames)), 3)).toEqual(expected);
  });

  it.each(['basic', 'extended'])(
    'by the %s offset table, frames over two fragments that no marker tells apart',
    (kind) => {
      const data = [0, 1, 2].map((n) =>
        Uint8Array.from({ length: 30 + n * 4 }, (_, i) => (n * 7 + i) & 0x3f),
      );
      const halves = data.flatMap((f) => [f.subarray(0, 12), f.subarray(12)]);
      const starts: number[] = [];
      let at = 0;
      halves.forEach((p, i) => {
        if (i % 2 === 0) starts.push(at);
        at += 8 + p.length;
      });
      const basic = new Uint8Array(12);
      const extended = new Uint8Array(24);
      starts.forEach((o, i) => {
        new DataView(basic.buffer).setUint32(i * 4, o, true);
        new DataView(extended.buffer).setBigUint64(i * 8, BigInt(o), true);
      });
      const parsed =
        kind === 'basic'
          ? file(3, [PIXEL_HEADER, item(basic), ...halves.map(item), DELIMITER])
          : file(
              3,
              [PIXEL_HEADER, item(new Uint8Array(0)), ...halves.map(item), DELIMITER],
              [{ tag: 0x7fe00001, vr: 'OV', value: extended }],
            );
      expect(split(parsed, 3)).toEqual(data.map((f) => Array.from(f)));
    },
  );

  it('by where JPEG images end, with no table and frames over several fragments', () => {
    const pieces = frames.flatMap((f) => [f.subarray(0, 10), f.subarray(10, 20), f.subarray(20)]);
    const parsed = file(3, [PIXEL_HEADER, item(new Uint8Array(0)), ...pieces.map(item), DELIMITER]);
    expect(split(parsed, 3)).toEqual(frames.map((f) => Array.from(f)));
  });

  it('one fragment per frame, and a single frame over all fragments', () => {
    const one = file(3, [PIXEL_HEADER, item(new Uint8Array(0)), ...frames.map(item), DELIMITER]);
    expect(split(one, 3)).toEqual(frames.map((f) => Array.from(f)));
    const single = file(1, [PIXEL_HEADER, item(new Uint8Array(0)), ...frames.map(item), DELIMITER]);
    expect(split(single, 1)).toEqual([frames.flatMap((f) => Array.from(f))]);
  });

  it('says plainly when frames cannot be told apart', () => {
    const parsed = file(2, [
      PIXEL_HEADER,
      item(new Uint8Array(0)),
      ...frames.map((f) => item(f.subarray(3, 20))),
      DELIMITER,
    ]);
    expect(() => encapsulatedFrames(parsed, 2)).toThrow(DicomError);
    expect(() => encapsulatedFrames(parsed, 2)).toThrow(/3 fragments for 2 frames/);
  });
});
