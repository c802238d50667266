import type { FrameLayout } from '../../shared/pixels/codec.js';
import type { Rect } from '../../shared/pixels/regions.js';
import type { GrayImage } from './text-reader.js';

/**
 * One decoded frame as the text reader needs it: 8-bit grey with the full range used (16-bit frames are
 * contrast-stretched between their own darkest and brightest samples), MONOCHROME1 turned so that high is
 * bright, colour reduced to its brightness. Returns undefined for layouts it cannot read.
 */
export function toGray(samples: Uint8Array, layout: FrameLayout): GrayImage | undefined {
  const { rows, columns, samplesPerPixel, bitsAllocated } = layout;
  const pixels = rows * columns;
  const out = new Uint8Array(pixels);
  const pi = layout.photometricInterpretation.trim().toUpperCase();
  if (samplesPerPixel === 1 && (bitsAllocated === 8 || bitsAllocated === 16)) {
    if (samples.length < pixels * (bitsAllocated / 8)) return undefined;
    const values = bitsAllocated === 8 ? samples : storedValues16(samples, pixels, layout);
    stretch(values, out);
    if (pi === 'MONOCHROME1') for (let i = 0; i < pixels; i++) out[i] = 255 - out[i]!;
    return { width: columns, height: rows, data: out };
  }
  if (samplesPerPixel === 3 && bitsAllocated === 8) {
    if (pi === 'YBR_FULL_422') {
      // Stored as Y Y Cb Cr for every two pixels: the two Y values are the brightness.
      if (samples.length < pixels * 2) return undefined;
      for (let i = 0; i < pixels; i++) out[i] = samples[(i >> 1) * 4 + (i & 1)]!;
      return { width: columns, height: rows, data: out };
    }
    if (samples.length < pixels * 3) return undefined;
    const planar = layout.planarConfiguration === 1;
    const at = (i: number, c: number) => samples[planar ? c * pixels + i : i * 3 + c]!;
    if (pi.startsWith('YBR')) {
      for (let i = 0; i < pixels; i++) out[i] = at(i, 0);
      return { width: columns, height: rows, data: out };
    }
    // Not the luma: on a dark screen the brightest channel gives blue or red text its full contrast, on a
    // light one the darkest channel does the same for navy or maroon text.
    let sum = 0;
    for (let i = 0; i < pixels; i++) sum += out[i] = Math.max(at(i, 0), at(i, 1), at(i, 2));
    if (sum / pixels >= 128) for (let i = 0; i < pixels; i++) out[i] = Math.min(at(i, 0), at(i, 1), at(i, 2));
    return { width: columns, height: rows, data: out };
  }
  return undefined;
}

function storedValues16(samples: Uint8Array, pixels: number, layout: FrameLayout): Int32Array {
  const view = new DataView(samples.buffer, samples.byteOffset, pixels * 2);
  const values = new Int32Array(pixels);
  const bits = Math.min(16, Math.max(1, layout.bitsStored));
  const mask = (1 << bits) - 1;
  const signBit = 1 << (bits - 1);
  for (let i = 0; i < pixels; i++) {
    const raw = view.getUint16(i * 2, true) & mask;
    values[i] = layout.pixelRepresentation === 1 && raw & signBit ? raw - (1 << bits) : raw;
  }
  return values;
}

function stretch(values: ArrayLike<number>, out: Uint8Array) {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < out.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < out.length; i++) out[i] = Math.round((values[i]! - lo) * scale);
}

/**
 * The image as the reader takes it: the part `rect` of the frame, turned dark-on-light when the background is
 * dark (Tesseract reads dark text best), and upscaled when the frame is small (text 10 px high is read far
 * more reliably at twice the size).
 */
export function forReading(gray: GrayImage, rect: Rect, scale: number): GrayImage {
  const width = rect.width * scale;
  const height = rect.height * scale;
  const data = new Uint8Array(width * height);
  let sum = 0;
  for (let y = 0; y < rect.height; y++) {
    const row = (rect.y + y) * gray.width + rect.x;
    for (let x = 0; x < rect.width; x++) sum += gray.data[row + x]!;
  }
  const invert = sum / (rect.width * rect.height) < 128;
  for (let y = 0; y < height; y++) {
    const row = (rect.y + Math.floor(y / scale)) * gray.width + rect.x;
    for (let x = 0; x < width; x++) {
      const v = gray.data[row + Math.floor(x / scale)]!;
      data[y * width + x] = invert ? 255 - v : v;
    }
  }
  return { width, height, data };
}
