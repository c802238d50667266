import type { ParsedDicom } from '../dicom/model.js';
import { readNumbers } from '../dicom/values.js';
import type { FrameLayout } from './codec.js';
import type { Rect } from './regions.js';

const RED_DESCRIPTOR = 0x00281101;
const RED_DATA = 0x00281201;
const GREEN_DATA = 0x00281202;
const BLUE_DATA = 0x00281203;

/** One stored value per sample: what a cleaned pixel holds. */
export type FillValue = readonly number[];

/**
 * Black on screen for the photometric interpretation: MONOCHROME2 its lowest value, MONOCHROME1 its highest,
 * RGB zero, YBR zero luma with neutral chroma, PALETTE COLOR the index whose colour is darkest. A Pixel
 * Padding Value wins for grey images: it is what viewers already show as background.
 */
export function darkestFill(layout: FrameLayout, parsed: ParsedDicom, paddingValue?: number): FillValue {
  const signed = layout.pixelRepresentation === 1;
  const bits = layout.bitsStored;
  const mid = 1 << (bits - 1);
  switch (layout.photometricInterpretation) {
    case 'MONOCHROME1':
      return [paddingValue ?? (signed ? mid - 1 : 2 ** bits - 1)];
    case 'MONOCHROME2':
      return [paddingValue ?? (signed ? -mid : 0)];
    case 'PALETTE COLOR':
      return [paddingValue ?? darkestPaletteIndex(parsed)];
    case 'RGB':
      return [0, 0, 0];
    default:
      return [0, mid, mid];
  }
}

/** A rule's own fill value: every sample of RGB, the luma of YBR (chroma neutral), the value of the rest. */
export function ruleFill(layout: FrameLayout, value: number): FillValue {
  if (layout.samplesPerPixel === 1) return [value];
  if (layout.photometricInterpretation === 'RGB') return [value, value, value];
  const mid = 1 << (layout.bitsStored - 1);
  return [value, mid, mid];
}

function darkestPaletteIndex(parsed: ParsedDicom): number {
  const find = (tag: number) => parsed.dataset.elements.find((e) => e.tag === tag);
  const descriptor = find(RED_DESCRIPTOR);
  const syntax = parsed.dataset.syntax;
  const [count = 0, firstMapped = 0] = descriptor
    ? readNumbers(parsed.source, descriptor, 'US', syntax, 3)
    : [];
  const entries = count === 0 ? 65536 : count;
  const words = (tag: number) => {
    const el = find(tag);
    return el && el.length >= entries * 2 ? readNumbers(parsed.source, el, 'OW', syntax, entries) : undefined;
  };
  const [red, green, blue] = [words(RED_DATA), words(GREEN_DATA), words(BLUE_DATA)];
  // Without the tables (segmented palettes) the first mapped index is as good as any: uniform still hides text.
  if (!red || !green || !blue) return firstMapped;
  let best = 0;
  let bestLuma = Number.POSITIVE_INFINITY;
  for (let i = 0; i < entries; i++) {
    const luma = 0.299 * red[i]! + 0.587 * green[i]! + 0.114 * blue[i]!;
    if (luma < bestLuma) {
      bestLuma = luma;
      best = i;
    }
  }
  return firstMapped + best;
}

/** The rectangle inside the image, or undefined when nothing of it is. */
export function clipRect(rect: Rect, layout: FrameLayout): Rect | undefined {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(layout.columns, rect.x + rect.width);
  const y1 = Math.min(layout.rows, rect.y + rect.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}

/**
 * Writes the fill into every pixel of the (clipped) rectangles of one native frame, in place, and nothing
 * else: every other byte of the frame is left as it was. YBR_FULL_422 shares chroma between two pixels, so
 * chroma changes only where both pixels of a pair are inside a rectangle.
 */
export function fillRects(
  frame: Uint8Array,
  layout: FrameLayout,
  rects: readonly Rect[],
  fill: FillValue,
  littleEndian: boolean,
): void {
  const bytes = layout.bitsAllocated / 8;
  const shift = layout.highBit + 1 - layout.bitsStored;
  const stored = fill.map((v) => (v << shift) & (bytes === 1 ? 0xff : 0xffff));
  const put =
    bytes === 1
      ? (target: Uint8Array, sample: number, at: number) => {
          target[at] = stored[sample]!;
        }
      : (target: Uint8Array, sample: number, at: number) => {
          const v = stored[sample]!;
          target[at + (littleEndian ? 0 : 1)] = v & 0xff;
          target[at + (littleEndian ? 1 : 0)] = v >>> 8;
        };
  const { rows, columns, samplesPerPixel } = layout;
  const patterns = new Map<string, Uint8Array>();
  /** `width` pixels of the given samples, interleaved, in the frame's byte order. */
  const rowPattern = (samples: readonly number[], width: number): Uint8Array => {
    const key = `${samples.join(',')}:${width}`;
    let pattern = patterns.get(key);
    if (!pattern) {
      pattern = new Uint8Array(width * samples.length * bytes);
      for (let i = 0; i < width * samples.length; i++) put(pattern, samples[i % samples.length]!, i * bytes);
      patterns.set(key, pattern);
    }
    return pattern;
  };
  for (const r of rects) {
    const rect = clipRect(r, layout);
    if (!rect) continue;
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      if (layout.photometricInterpretation === 'YBR_FULL_422') {
        for (let x = rect.x; x < rect.x + rect.width; x++) {
          const pair = (y * columns + (x & ~1)) * 2 * bytes;
          put(frame, 0, pair + (x & 1) * bytes);
          const partner = x ^ 1;
          if (partner >= rect.x && partner < rect.x + rect.width) {
            put(frame, 1, pair + 2 * bytes);
            put(frame, 2, pair + 3 * bytes);
          }
        }
        continue;
      }
      // One row of the rectangle is the same bytes every time: written once, then copied row by row.
      if (layout.planarConfiguration === 1) {
        for (let s = 0; s < samplesPerPixel; s++) {
          const at = (s * rows * columns + y * columns + rect.x) * bytes;
          frame.set(rowPattern([s], rect.width), at);
        }
      } else {
        frame.set(
          rowPattern(
            fill.map((_, s) => s),
            rect.width,
          ),
          (y * columns + rect.x) * samplesPerPixel * bytes,
        );
      }
    }
  }
}
