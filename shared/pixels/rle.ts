import { ReportableError } from '../errors.js';
import type { FrameLayout, LosslessFrameCodec } from './codec.js';

/**
 * RLE Lossless (PS3.5 Annex G): one PackBits segment per byte of each sample, most significant byte first,
 * behind a 64-byte header of segment offsets. Pure, so it needs no WebAssembly.
 */

const HEADER = 64;
const MAX_SEGMENTS = 15;

function geometry(layout: FrameLayout) {
  const bytesPerSample = layout.bitsAllocated / 8;
  const segments = layout.samplesPerPixel * bytesPerSample;
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
  }
  return out;
}

/** PackBits (PS3.5 G.3.1) of `count` bytes read from `bytes` at `first`, `first + step`, … */
function packBits(bytes: Uint8Array, first: number, step: number, count: number): Uint8Array {
  const out = new Uint8Array(count + Math.ceil(count / 128) + 1);
  let o = 0;
  let i = 0;
  const at = (k: number) => bytes[first + k * step]!;
  while (i < count) {
    let run = 1;
    while (i + run < count && run < 128 && at(i + run) === at(i)) run++;
    if (run >= 2) {
      out[o++] = 257 - run;
      out[o++] = at(i);
      i += run;
      continue;
    }
    // A literal stretch ends where a run of at least two begins.
    let literal = 1;
    while (i + literal < count && literal < 128 && at(i + literal) !== at(i + literal - 1)) literal++;
    if (i + literal < count && literal < 128 && literal > 1) literal--;
    out[o++] = literal - 1;
    for (let k = 0; k < literal; k++) out[o++] = at(i + k);
    i += literal;
  }
  // PS3.5 G.3.1: a segment is padded with zero to even length.
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
    return packBits(samples, first, step, pixels);
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
