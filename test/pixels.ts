import { encodeNumbers } from '../shared/dicom/encode.js';
import { encapsulatedFrames, encapsulatedPixelData, readFrame } from '../shared/dicom/frames.js';
import type { ParsedDicom } from '../shared/dicom/model.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { MemorySource } from '../shared/dicom/source.js';
import { PIXEL_DATA } from '../shared/dicom/tag.js';
import { EXPLICIT_LE } from '../shared/dicom/transfer-syntax.js';
import { readNumbers, readText } from '../shared/dicom/values.js';
import { concatChunks } from '../shared/dicom/write.js';
import type { FrameLayout } from '../shared/pixels/codec.js';
import type { Rect } from '../shared/pixels/regions.js';
import { part10, SECONDARY_CAPTURE, str } from './part10.js';

/** Pixel test files: synthetic native images, their frames, and the samples an independent decoder gives. */

const us = (tag: number, value: number) => ({
  tag,
  vr: 'US',
  value: encodeNumbers('US', [value], EXPLICIT_LE),
});

/** An 8-bit MONOCHROME2 frame layout, 72 × 56, with the given changes. */
export const frameLayout = (over: Partial<FrameLayout> = {}): FrameLayout => ({
  rows: 56,
  columns: 72,
  samplesPerPixel: 1,
  bitsAllocated: 8,
  bitsStored: 8,
  highBit: 7,
  pixelRepresentation: 0,
  planarConfiguration: 0,
  photometricInterpretation: 'MONOCHROME2',
  numberOfFrames: 1,
  ...over,
});

/** Rectangles grown by dx, dy on each side (shrunk when negative). */
export const grow = (rects: readonly Rect[], dx: number, dy: number): Rect[] =>
  rects.map((r) => ({ x: r.x - dx, y: r.y - dy, width: r.width + 2 * dx, height: r.height + 2 * dy }));

/** Deterministic textured samples (gradients, edges and noise) so every codec has real work to do. */
export function syntheticFrame(layout: FrameLayout, frame: number): Uint8Array {
  const bytes = layout.bitsAllocated / 8;
  const pixels = layout.rows * layout.columns;
  const out = new Uint8Array(pixels * layout.samplesPerPixel * bytes);
  const max = 2 ** layout.bitsStored - 1;
  let seed = 12345 + frame * 777;
  for (let y = 0; y < layout.rows; y++) {
    for (let x = 0; x < layout.columns; x++) {
      for (let s = 0; s < layout.samplesPerPixel; s++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const base = ((x * (3 + s) + y * 2 + frame * 40) / (layout.columns + layout.rows)) * max * 0.8;
        const edge = ((x >> 4) + (y >> 4)) % 2 ? max * 0.1 : 0;
        const value = Math.min(max, Math.round(base + edge + (seed % 9)));
        const i =
          layout.planarConfiguration === 1
            ? s * pixels + y * layout.columns + x
            : (y * layout.columns + x) * layout.samplesPerPixel + s;
        if (bytes === 1) out[i] = value;
        else {
          out[i * 2] = value & 0xff;
          out[i * 2 + 1] = value >> 8;
        }
      }
    }
  }
  return out;
}

/** A Part 10 secondary capture in Explicit VR Little Endian holding these native frames. */
export function nativeDicom(layout: FrameLayout, frames: readonly Uint8Array[]): Uint8Array {
  const pixels = concatChunks(frames);
  return part10(
    [
      str(0x00080016, 'UI', SECONDARY_CAPTURE),
      str(0x00080018, 'UI', '2.25.987654321'),
      str(0x00080060, 'CS', 'OT'),
      us(0x00280002, layout.samplesPerPixel),
      str(0x00280004, 'CS', layout.photometricInterpretation),
      ...(layout.samplesPerPixel > 1 ? [us(0x00280006, layout.planarConfiguration)] : []),
      str(0x00280008, 'IS', String(frames.length)),
      us(0x00280010, layout.rows),
      us(0x00280011, layout.columns),
      us(0x00280100, layout.bitsAllocated),
      us(0x00280101, layout.bitsStored),
      us(0x00280102, layout.highBit),
      us(0x00280103, layout.pixelRepresentation),
      { tag: PIXEL_DATA, vr: layout.bitsAllocated > 8 ? 'OW' : 'OB', value: pixels },
    ],
    SECONDARY_CAPTURE,
  );
}

export const parse = (bytes: Uint8Array): ParsedDicom => parseDicom(new MemorySource(bytes));

function us1(parsed: ParsedDicom, tag: number): number | undefined {
  const el = parsed.dataset.elements.find((e) => e.tag === tag);
  return el ? readNumbers(parsed.source, el, 'US', parsed.dataset.syntax, 1)[0] : undefined;
}

/** The image pixel module of a parsed file. */
export function layoutOf(parsed: ParsedDicom): FrameLayout {
  const el = (tag: number) => parsed.dataset.elements.find((e) => e.tag === tag);
  const text = (tag: number) => (el(tag) ? readText(parsed.source, el(tag)!, 'CS', undefined).trim() : '');
  return {
    rows: us1(parsed, 0x00280010)!,
    columns: us1(parsed, 0x00280011)!,
    samplesPerPixel: us1(parsed, 0x00280002) ?? 1,
    bitsAllocated: us1(parsed, 0x00280100)!,
    bitsStored: us1(parsed, 0x00280101)!,
    highBit: us1(parsed, 0x00280102)!,
    pixelRepresentation: us1(parsed, 0x00280103) ?? 0,
    planarConfiguration: us1(parsed, 0x00280006) ?? 0,
    photometricInterpretation: text(0x00280004) || 'MONOCHROME2',
    numberOfFrames: Number.parseInt(text(0x00280008) || '1', 10),
  };
}

/** The compressed frames of an encapsulated file. */
export function compressedFrames(parsed: ParsedDicom): Uint8Array[] {
  return encapsulatedFrames(parsed, layoutOf(parsed).numberOfFrames).map(
    (f) => new Uint8Array(readFrame(parsed, f)),
  );
}

/** The same file with its Pixel Data replaced by these frames, one fragment each, with a Basic Offset Table. */
export function withFrames(bytes: Uint8Array, frames: readonly Uint8Array[]): Uint8Array {
  const pixels = parse(bytes).dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  return concatChunks([
    bytes.subarray(0, pixels.start),
    ...encapsulatedPixelData(frames),
    bytes.subarray(pixels.end),
  ]);
}

/** A native file's frames of samples, and its layout. */
export function nativeFrames(bytes: Uint8Array): { layout: FrameLayout; frames: Uint8Array[] } {
  const parsed = parse(bytes);
  const layout = layoutOf(parsed);
  const pixels = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  const size = layout.rows * layout.columns * layout.samplesPerPixel * (layout.bitsAllocated / 8);
  const frames = Array.from(
    { length: layout.numberOfFrames },
    (_, i) => new Uint8Array(parsed.source.read(pixels.valueStart + i * size, size)),
  );
  return { layout, frames };
}

const inside = (rects: readonly Rect[], x: number, y: number) =>
  rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);

/** Each sample of a native frame, by pixel, as a number (little-endian, unsigned). */
export function sampleAt(layout: FrameLayout, frame: Uint8Array, x: number, y: number, s: number): number {
  const pixels = layout.rows * layout.columns;
  const p = y * layout.columns + x;
  const i = layout.planarConfiguration === 1 ? s * pixels + p : p * layout.samplesPerPixel + s;
  return layout.bitsAllocated > 8 ? frame[i * 2]! | (frame[i * 2 + 1]! << 8) : frame[i]!;
}

/** Sets every sample of the rectangles to `value`, in place. */
export function fill(layout: FrameLayout, frame: Uint8Array, rects: readonly Rect[], value: number): void {
  const pixels = layout.rows * layout.columns;
  for (const r of rects) {
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) {
        for (let s = 0; s < layout.samplesPerPixel; s++) {
          const p = y * layout.columns + x;
          const i = layout.planarConfiguration === 1 ? s * pixels + p : p * layout.samplesPerPixel + s;
          if (layout.bitsAllocated > 8) {
            frame[i * 2] = value & 0xff;
            frame[i * 2 + 1] = value >> 8;
          } else frame[i] = value;
        }
      }
    }
  }
}

export interface Difference {
  /** Samples outside `keepOut` that differ (count) and the largest difference. */
  readonly outsideDiffering: number;
  readonly outsideMax: number;
  /** Samples inside `region` that are not `fill`, and the largest difference from it. */
  readonly insideNotFill: number;
  readonly insideMax: number;
}

/**
 * Compares two decoded images of the same layout: outside the `keepOut` rectangles every sample should be
 * equal; inside `region` every sample should be `fill` (undefined: not checked).
 */
export function compare(
  layout: FrameLayout,
  before: readonly Uint8Array[],
  after: readonly Uint8Array[],
  keepOut: readonly Rect[],
  region: readonly Rect[],
  fillValue: ((s: number) => number) | undefined,
): Difference {
  let outsideDiffering = 0;
  let outsideMax = 0;
  let insideNotFill = 0;
  let insideMax = 0;
  for (let f = 0; f < before.length; f++) {
    for (let y = 0; y < layout.rows; y++) {
      for (let x = 0; x < layout.columns; x++) {
        for (let s = 0; s < layout.samplesPerPixel; s++) {
          const b = sampleAt(layout, before[f]!, x, y, s);
          const a = sampleAt(layout, after[f]!, x, y, s);
          if (!inside(keepOut, x, y) && a !== b) {
            outsideDiffering++;
            outsideMax = Math.max(outsideMax, Math.abs(a - b));
          }
          if (fillValue && inside(region, x, y) && a !== fillValue(s)) {
            insideNotFill++;
            insideMax = Math.max(insideMax, Math.abs(a - fillValue(s)));
          }
        }
      }
    }
  }
  return { outsideDiffering, outsideMax, insideNotFill, insideMax };
}

/** A frame of interleaved samples as a binary PGM (one sample) or PPM (three): big-endian when 16-bit. */
export function pnm(layout: FrameLayout, frame: Uint8Array): Uint8Array {
  const magic = layout.samplesPerPixel === 3 ? 'P6' : 'P5';
  const header = new TextEncoder().encode(
    `${magic}\n${layout.columns} ${layout.rows}\n${2 ** layout.bitsStored - 1}\n`,
  );
  return concatChunks([header, swapped(layout, frame)]);
}

/** The samples of a binary PGM or PPM, little-endian. */
export function fromPnm(layout: FrameLayout, file: Uint8Array): Uint8Array {
  let at = 0;
  for (let lines = 0; lines < 3; at++) if (file[at] === 0x0a) lines++;
  return swapped(layout, file.subarray(at));
}

function swapped(layout: FrameLayout, samples: Uint8Array): Uint8Array {
  if (layout.bitsAllocated === 8) return samples;
  const out = new Uint8Array(samples.length);
  for (let i = 0; i + 1 < samples.length; i += 2) {
    out[i] = samples[i + 1]!;
    out[i + 1] = samples[i]!;
  }
  return out;
}

/**
 * Damaged copies of a frame, reproducibly: cut in half, cut to its first bytes, and `copies` copies with
 * `flips` bytes after `from` overwritten.
 */
export function damaged(frame: Uint8Array, copies: number, flips: number, from: number): Uint8Array[] {
  let seed = 99;
  return [
    frame.subarray(0, frame.length >> 1),
    frame.subarray(0, Math.min(10, from)),
    Uint8Array.of(1, 2, 3, 4),
    ...Array.from({ length: copies }, () => {
      const copy = new Uint8Array(frame);
      for (let k = 0; k < flips; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        copy[from + (seed % (copy.length - from))] = seed & 0xff;
      }
      return copy;
    }),
  ];
}
