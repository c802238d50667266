import { describe, expect, it } from 'vitest';
import { frameLayout, syntheticFrame } from '../../test/pixels.js';
import { decodeRle, encodeRle } from './rle.js';

// Round trips and the stream's shape; tests/decoding by dcmtk's dcmdrle are in
// node/codecs/pixel-codecs.test.ts.

/** The byte counts each PackBits operation of a segment produces, in order. */
function operations(segment: Uint8Array): number[] {
  const counts: number[] = [];
  for (let i = 0; i < segment.length; ) {
    const n = (segment[i++]! << 24) >> 24;
    if (n >= 0) {
      counts.push(n + 1);
      i += n + 1;
    } else if (n !== -128) {
      counts.push(1 - n);
      i++;
    }
  }
  return counts;
}

describe('RLE Lossless', () => {
  it.each([
    frameLayout({ columns: 200, rows: 9 }),
    frameLayout({ bitsAllocated: 16, bitsStored: 12, highBit: 11 }),
    frameLayout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }),
    frameLayout({ samplesPerPixel: 3, photometricInterpretation: 'RGB', planarConfiguration: 1 }),
  ])(
    'round-trips $columns × $rows, $samplesPerPixel × $bitsAllocated bits, planar $planarConfiguration',
    (l) => {
      const samples = syntheticFrame(l, 0);
      expect(Buffer.from(decodeRle(encodeRle(samples, l), l))).toEqual(Buffer.from(samples));
    },
  );

  it('never lets a run or a literal cross a row (PS3.5 G.3.1), and pads segments to even length', () => {
    const l = frameLayout({ columns: 131, rows: 5 });
    for (const samples of [new Uint8Array(131 * 5).fill(7), syntheticFrame(l, 1)]) {
      const frame = encodeRle(samples, l);
      const start = new DataView(frame.buffer, frame.byteOffset).getUint32(4, true);
      const segment = frame.subarray(start);
      expect(segment.length % 2).toBe(0);
      let produced = 0;
      // The padding byte, if any, comes after the last row.
      for (const n of operations(segment)) {
        if (produced === 131 * 5) break;
        expect(Math.floor(produced / 131)).toBe(Math.floor((produced + n - 1) / 131));
        produced += n;
      }
      expect(produced).toBe(131 * 5);
    }
  });

  it('holds its worst case: single bytes between runs of two', () => {
    const l = frameLayout({ columns: 90, rows: 4 });
    const samples = Uint8Array.from({ length: 360 }, (_, i) => Math.floor(i / 3) * 2 + (i % 3 === 0 ? 0 : 1));
    expect(Buffer.from(decodeRle(encodeRle(samples, l), l))).toEqual(Buffer.from(samples));
  });

  it('refuses a frame whose segments hold fewer samples than the layout', () => {
    const l = frameLayout();
    const frame = encodeRle(syntheticFrame(l, 0), l);
    expect(() => decodeRle(frame, { ...l, rows: l.rows + 1 })).toThrow(/fewer samples/);
  });
});
