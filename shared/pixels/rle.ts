import { ReportableError } from '../errors.js';
import type { FrameLayout, LosslessFrameCodec } from './codec.js';
import { MAX_FRAME_SAMPLES } from './coding-parameters.js';

/**
 * RLE Lossless (PS3.5 Annex G): one PackBits segment per byte of each sample, most significant byte first,
 * behind a 64-byte header of segment offsets. Pure, so it needs no WebAssembly.
 */

const HEADER = 64;
const MAX_SEGMENTS = 15;

function geometry(layout: FrameLayout) {
  const bytesPerSample = layout.bitsAllocated / 8;
  const segments = layout.samplesPerPixel * bytesPerSample;
  if (layout.rows * layout.columns * layout.samplesPerPixel > MAX_FRAME_SAMPLES) {
    throw new ReportableError(`a ${layout.columns} × ${layout.rows} frame is too large to clean here`);
  }
  if (!Number.isInteger(bytesPerSample) || segments > MAX_SEGMENTS) {
    throw new ReportableError(
      `RLE cannot hold ${layout.samplesPerPixel} samples of ${layout.bitsAllocated} bits`,
    );
  }
  return { bytesPerSample, segments, pixels: layout.rows * layout.columns };
}

/**
 * Where segment `s`'s bytes go in a little-endian frame: the first index and the step between pixels, for the
 * planar configuration the dataset declares.
 */
function placement(layout: FrameLayout, s: number, bytesPerSample: number, pixels: number) {
  const sample = Math.floor(s / bytesPerSample);
  const byte = bytesPerSample - 1 - (s % bytesPerSample);
  const planar = layout.planarConfiguration === 1 || layout.samplesPerPixel === 1;
  return planar
    ? { first: sample * pixels * bytesPerSample + byte, step: bytesPerSample }
    : { first: sample * bytesPerSample + byte, step: layout.samplesPerPixel * bytesPerSample };
}

/** The stored samples of one RLE frame, little-endian, interleaved or by plane as the layout declares. */
export function decodeRle(compressed: Uint8Array, layout: FrameLayout): Uint8Array {
  const { bytesPerSample, segments, pixels } = geometry(layout);
  if (compressed.length < HEADER) throw new ReportableError('the RLE frame is shorter than its header');
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  if (view.getUint32(0, true) !== segments) {
    throw new ReportableError('the RLE data has an unexpected number of segments');
  }
  const out = new Uint8Array(pixels * segments);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : compressed.length;
    if (start < HEADER || end > compressed.length || end < start) {
      throw new ReportableError('the RLE header points outside the frame');
    }
    const { first, step } = placement(layout, s, bytesPerSample, pixels);
    let at = first;
    let left = pixels;
    for (let i = start; i < end && left > 0; ) {
      const n = (compressed[i++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && i < end && left > 0; k++, left--, at += step) out[at] = compressed[i++]!;
      } else if (n !== -128) {
        const value = compressed[i++]!;
        for (let k = 0; k <= -n && left > 0; k++, left--, at += step) out[at] = value;
      }
    }
    // Zeros for what a short segment lacks would be written back as if they were the image.
    if (left > 0) throw new ReportableError('an RLE segment holds fewer samples than the frame');
  }
  return out;
}

/** PackBits (PS3.5 G.3.1) of `bytes[from, to)` into `out` at `o`; returns where it ended. */
function packRow(bytes: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  let i = from;
  while (i < to) {
    let run = 1;
    while (i + run < to && run < 128 && bytes[i + run] === bytes[i]) run++;
    if (run >= 2) {
      out[o++] = 257 - run;
      out[o++] = bytes[i]!;
      i += run;
      continue;
    }
    // A literal stretch ends where a run of at least two begins.
    let literal = 1;
    while (i + literal < to && literal < 128 && bytes[i + literal] !== bytes[i + literal - 1]) literal++;
    if (i + literal < to && literal < 128 && literal > 1) literal--;
    out[o++] = literal - 1;
    out.set(bytes.subarray(i, i + literal), o);
    o += literal;
    i += literal;
  }
  return o;
}

/**
 * One segment: the bytes at `first`, `first + step`, … packed row by row, since PS3.5 G.3.1 has each row
 * encoded separately, and padded with zero to even length.
 */
function segment(samples: Uint8Array, first: number, step: number, layout: FrameLayout): Uint8Array {
  const count = layout.rows * layout.columns;
  const bytes = new Uint8Array(count);
  for (let k = 0, at = first; k < count; k++, at += step) bytes[k] = samples[at]!;
  // At worst every byte costs two (a one-byte literal, or a run of two beside one): a bound, not a guess.
  const out = new Uint8Array(2 * count + 1);
  let o = 0;
  for (let row = 0; row < count; row += layout.columns) o = packRow(bytes, row, row + layout.columns, out, o);
  if (o % 2) out[o++] = 0;
  return out.subarray(0, o);
}

/** One RLE frame from stored samples laid out as `decodeRle` returns them. */
export function encodeRle(samples: Uint8Array, layout: FrameLayout): Uint8Array {
  const { bytesPerSample, segments, pixels } = geometry(layout);
  if (samples.length < pixels * segments)
    throw new ReportableError('the frame is shorter than its layout says');
  const packed = Array.from({ length: segments }, (_, s) => {
    const { first, step } = placement(layout, s, bytesPerSample, pixels);
    return segment(samples, first, step, layout);
  });
  const out = new Uint8Array(HEADER + packed.reduce((n, p) => n + p.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, segments, true);
  let offset = HEADER;
  packed.forEach((p, s) => {
    view.setUint32(4 + s * 4, offset, true);
    out.set(p, offset);
    offset += p.length;
  });
  return out;
}

export const rleCodec: LosslessFrameCodec = { kind: 'lossless', decode: decodeRle, encode: encodeRle };
