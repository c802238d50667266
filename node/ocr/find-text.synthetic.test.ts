import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, shared with the command line.
import { makeOcrSet } from '../../scripts/ocr-set.mjs';
import {
  type Identifier,
  type IdentifierKind,
  identifierStrings,
} from '../../shared/anonymize/identifiers.js';
import type { FrameLayout } from '../../shared/pixels/codec.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { IdentityNeedles } from '../../shared/pixels/text-identity.js';
import { findBurnedInText } from './find-text.js';
import { TesseractReader } from './tesseract-reader.js';

/**
 * The synthetic burned-in text set (scripts/ocr-set.mjs), generated afresh and read through the whole
 * detector: region-level recall of identity text, technical text kept, controls untouched.
 * OCR_SET_COUNT / OCR_SET_SEED run a larger or another set (`npm run test:ocr`).
 */
interface KeyItem {
  text: string;
  cls: 'identity' | 'technical';
  box: Rect;
  frames: number[] | null;
}
interface KeyImage {
  id: string;
  modality: string;
  kind: 'gray8' | 'rgb8' | 'gray16';
  width: number;
  height: number;
  frames: string[];
  control: boolean;
  items: KeyItem[];
  identifiers: { kind: IdentifierKind; value: string }[];
}

const COUNT = Number(process.env.OCR_SET_COUNT ?? 14);
const SEED = Number(process.env.OCR_SET_SEED ?? 7);

/** Samples of one PNM frame as the set's kind stores them: 8-bit grey, 8-bit RGB, or 12 bits in 16. */
function frameSamples(file: string, kind: KeyImage['kind']): Uint8Array {
  const bytes = readFileSync(file);
  // Binary PNM: magic, width, height, maxval, one whitespace byte, then the samples.
  let at = 0;
  for (let fields = 0; fields < 4; fields++) {
    while (/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    while (!/\s/.test(String.fromCharCode(bytes[at]!))) at++;
  }
  const pixels = bytes.subarray(at + 1);
  if (kind !== 'gray16') return pixels;
  const out = new Uint8Array(pixels.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pixels.length; i++) view.setUint16(i * 2, pixels[i]! * 15 + 50, true);
  return out;
}

function layoutOf(image: KeyImage): FrameLayout {
  const rgb = image.kind === 'rgb8';
  const wide = image.kind === 'gray16';
  return {
    rows: image.height,
    columns: image.width,
    samplesPerPixel: rgb ? 3 : 1,
    bitsAllocated: wide ? 16 : 8,
    bitsStored: wide ? 12 : 8,
    highBit: wide ? 11 : 7,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    photometricInterpretation: rgb ? 'RGB' : 'MONOCHROME2',
    numberOfFrames: image.frames.length,
  };
}

/** Share of `box` covered by the union of `rects`. */
function coverage(box: Rect, rects: readonly Rect[]): number {
  let covered = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      if (rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)) covered++;
    }
  }
  return covered / (box.width * box.height);
}

const intersection = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

describe('burned-in text detector on the synthetic set', () => {
  let dir: string;
  let images: KeyImage[];
  const reader = new TesseractReader({ workers: 2 });
  const tally = {
    identityFound: 0,
    identityMissed: 0,
    technicalKept: 0,
    technicalRedacted: 0,
    regions: 0,
    regionsOnIdentity: 0,
    controlRegions: 0,
    cinePixels: 0,
    cinePixelsRead: 0,
    frames: 0,
    ms: 0,
  };
  const missed: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ocr-set-'));
    images = makeOcrSet(dir, COUNT, SEED);
    for (const image of images) {
      const identifiers: Identifier[] = image.identifiers.flatMap(({ kind, value }) =>
        identifierStrings(kind, value).map((text) => ({ kind, text })),
      );
      const started = performance.now();
      const found = await findBurnedInText(
        reader,
        image.frames.length,
        (f) => frameSamples(join(dir, image.frames[f]!), image.kind),
        layoutOf(image),
        { identifiers: new IdentityNeedles(identifiers), modality: image.modality },
      );
      tally.ms += performance.now() - started;
      tally.frames += image.frames.length;
      if (image.frames.length > 1) {
        tally.cinePixels += image.width * image.height * image.frames.length;
        tally.cinePixelsRead += found.pixelsRead;
      }
      for (let f = 0; f < image.frames.length; f++) {
        const regions = found.regions.get(f) ?? [];
        const items = image.items.filter((it) => it.frames === null || it.frames.includes(f));
        tally.regions += regions.length;
        tally.regionsOnIdentity += regions.filter((r) =>
          items.some((it) => it.cls === 'identity' && intersection(r, it.box) > 0),
        ).length;
        if (image.control) tally.controlRegions += regions.length;
        const read = (box: Rect) =>
          (found.texts.get(f) ?? [])
            .filter((t) => intersection(t.box, box) > 0)
            .map((t) => `${t.cls}/${t.reason} "${t.text}"`)
            .join(', ');
        for (const it of items) {
          const c = coverage(it.box, regions);
          if (it.cls === 'identity') {
            if (c >= 0.9) tally.identityFound++;
            else {
              tally.identityMissed++;
              // The set is synthetic: its made-up texts may be printed to tune the detector.
              missed.push(
                `${image.id}/${f} ${image.kind} ${it.box.height}px "${it.text}" covered ${c.toFixed(2)}: ${read(it.box)}`,
              );
            }
          } else if (c <= 0.1) tally.technicalKept++;
          else {
            tally.technicalRedacted++;
            missed.push(`${image.id}/${f} technical redacted "${it.text}": ${read(it.box)}`);
          }
        }
      }
    }
  }, 600_000);

  afterAll(async () => {
    await reader.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds identity text, keeps technical text, leaves controls alone (prints the confusion table)', () => {
    const identity = tally.identityFound + tally.identityMissed;
    const technical = tally.technicalKept + tally.technicalRedacted;
    const recall = tally.identityFound / identity;
    const kept = tally.technicalKept / technical;
    const precision = tally.regionsOnIdentity / Math.max(1, tally.regions);
    console.log(
      [
        `synthetic set: ${images.length} images, ${tally.frames} frames, seed ${SEED}`,
        '                 redacted   kept',
        `  identity text  ${String(tally.identityFound).padStart(8)} ${String(tally.identityMissed).padStart(6)}`,
        `  technical text ${String(tally.technicalRedacted).padStart(8)} ${String(tally.technicalKept).padStart(6)}`,
        `recall ${(recall * 100).toFixed(1)}%  technical kept ${(kept * 100).toFixed(1)}%  region precision ${(precision * 100).toFixed(1)}%`,
        `${(tally.ms / tally.frames).toFixed(0)} ms/frame (a pool of 2, one file at a time); control regions ${tally.controlRegions}`,
        `cines: ${((100 * tally.cinePixelsRead) / Math.max(1, tally.cinePixels)).toFixed(0)}% of their pixels read (the first frame whole, then what changed)`,
        ...missed,
      ].join('\n'),
    );
    expect(identity).toBeGreaterThan(50);
    expect(recall).toBeGreaterThanOrEqual(0.99);
    expect(kept).toBeGreaterThanOrEqual(0.9);
    expect(tally.controlRegions).toBe(0);
  });
});
