import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Identifier,
  identifierKindOf,
  identifierStrings,
} from '../../../shared/anonymize/identifiers.js';
import { topLevelText } from '../../../shared/dicom/header.js';
import type { Dataset } from '../../../shared/dicom/model.js';
import { parseDicom } from '../../../shared/dicom/parse.js';
import { MemorySource } from '../../../shared/dicom/source.js';
import { groupOf, isPrivateGroup } from '../../../shared/dicom/tag.js';
import { readNumbers, readText } from '../../../shared/dicom/values.js';
import { datasetCharset, effectiveVR } from '../../../shared/dicom/walk.js';
import type { FrameLayout } from '../../../shared/pixels/codec.js';
import type { Rect } from '../../../shared/pixels/regions.js';
import { IdentityNeedles } from '../../../shared/pixels/text-identity.js';
import { findBurnedInText } from './find-text.js';
import { forReading, toGray } from './prepare.js';
import { TesseractReader } from './tesseract-reader.js';

/**
 * The public files with identity burned into their pixels: the detector must find it, and once its regions
 * are filled, Debian's own `tesseract` (an independent reader) must find none of the file's identifiers.
 */
const CORPUS = join(import.meta.dirname, '../../../../shared/corpus');
const SAMPLES = join(import.meta.dirname, '../../../assets/samples/patient-001/us/series-01');
const BURNED_IN = [
  ['presidio CT scout', join(CORPUS, 'microsoft+presidio/integration/resources/dir1/dir2/2_ORIGINAL.dcm')],
  ['sample ultrasound 1', join(SAMPLES, '0001.dcm')],
  ['sample ultrasound 2', join(SAMPLES, '0002.dcm')],
] as const;
// A fused PET/CT in colour with no text on it: nothing to clean, nothing to hold.
const NO_TEXT = join(CORPUS, 'microsoft+presidio/test_data/RGB_ORIGINAL.dcm');

const us = (parsed: ReturnType<typeof parseDicom>, source: MemorySource, tag: number) => {
  const el = parsed.dataset.elements.find((e) => e.tag === tag);
  return el ? (readNumbers(source, el, 'US', parsed.dataset.syntax)[0] ?? 0) : 0;
};

function open(file: string) {
  const source = new MemorySource(new Uint8Array(readFileSync(file)));
  const parsed = parseDicom(source);
  const n = (tag: number) => us(parsed, source, tag);
  const layout: FrameLayout = {
    rows: n(0x00280010),
    columns: n(0x00280011),
    samplesPerPixel: n(0x00280002),
    bitsAllocated: n(0x00280100),
    bitsStored: n(0x00280101),
    highBit: n(0x00280102),
    pixelRepresentation: n(0x00280103),
    planarConfiguration: n(0x00280006),
    photometricInterpretation: topLevelText(parsed, 0x00280004),
    numberOfFrames: Number(topLevelText(parsed, 0x00280008) || 1),
  };
  const pixels = parsed.dataset.elements.find((e) => e.tag === 0x7fe00010)!;
  const frameBytes = (layout.rows * layout.columns * layout.samplesPerPixel * layout.bitsAllocated) / 8;
  const frame = (f: number) => source.read(pixels.valueStart + f * frameBytes, frameBytes);
  // The same identifiers the engine collects for Clean and the residual check.
  const identifiers: Identifier[] = [];
  const visit = (ds: Dataset, inherited: string | undefined) => {
    const charset = datasetCharset(source, ds, inherited);
    for (const el of ds.elements) {
      if (el.items) for (const item of el.items) visit(item, charset);
      else if (!isPrivateGroup(groupOf(el.tag))) {
        const vr = effectiveVR(el);
        const kind = identifierKindOf(el.tag, vr);
        if (kind)
          for (const text of identifierStrings(kind, readText(source, el, vr, charset)))
            identifiers.push({ kind, text });
      }
    }
  };
  visit(parsed.dataset, undefined);
  return { layout, frame, identifiers, modality: topLevelText(parsed, 0x00080060) };
}

/** What Debian's tesseract reads in a grey image (twice its size, dark text on light). */
function tesseractCli(dir: string, gray: { width: number; height: number; data: Uint8Array }): string {
  const image = forReading(gray, { x: 0, y: 0, width: gray.width, height: gray.height }, 2);
  const file = join(dir, 'frame.pgm');
  writeFileSync(file, Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`), image.data]));
  return execFileSync('tesseract', [file, 'stdout', '--psm', '11'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** Identifiers (names, IDs, birth dates; three characters or more) found in text, ignoring case and spacing. */
function legible(text: string, identifiers: readonly Identifier[]): string[] {
  const squash = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const read = squash(text);
  return identifiers
    .filter((i) => i.kind !== 'uid' && squash(i.text).length >= 3 && read.includes(squash(i.text)))
    .map((i) => i.kind);
}

function fill(gray: { width: number; data: Uint8Array }, rects: readonly Rect[]) {
  for (const r of rects)
    for (let y = r.y; y < r.y + r.height; y++)
      gray.data.fill(0, y * gray.width + r.x, y * gray.width + r.x + r.width);
}

describe.skipIf(!existsSync(CORPUS))('burned-in identity in the public corpus', () => {
  const reader = new TesseractReader({ workers: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'ocr-corpus-'));
  afterAll(async () => {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(BURNED_IN)(
    '%s: identity found, none legible to tesseract once its regions are filled',
    async (_, file) => {
      const { layout, frame, identifiers, modality } = open(file);
      const found = await findBurnedInText(reader, layout.numberOfFrames, frame, layout, {
        identifiers: new IdentityNeedles(identifiers),
        modality,
      });
      const gray = toGray(frame(0), layout)!;
      const before = legible(tesseractCli(dir, gray), identifiers);
      fill(gray, found.regions.get(0) ?? []);
      const after = legible(tesseractCli(dir, gray), identifiers);
      // Kinds, classes and reasons only: the text read is the sample patient's.
      const reasons = [...found.texts.values()].flat().map((t) => `${t.cls}/${t.reason}`);
      console.log(
        `${_}: [${reasons}]; identifier kinds legible to tesseract before [${before}] after [${after}]`,
      );
      expect(found.counts.identity).toBeGreaterThan(0);
      expect(after).toEqual([]);
    },
  );

  it('a colour PET/CT without text: nothing found to clean or hold', async () => {
    const { layout, frame, identifiers, modality } = open(NO_TEXT);
    const found = await findBurnedInText(reader, layout.numberOfFrames, frame, layout, {
      identifiers: new IdentityNeedles(identifiers),
      modality,
    });
    expect(found.counts).toMatchObject({ identity: 0, undecided: 0 });
    expect(found.regions.size).toBe(0);
  });
});
