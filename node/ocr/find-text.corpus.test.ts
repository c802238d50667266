import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileIdentifiers, type Identifier } from '../../shared/anonymize/identifiers.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import type { PixelCodecs } from '../../shared/pixels/codec.js';
import { frameLayoutOf, isLayoutProblem } from '../../shared/pixels/layout.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { IdentityNeedles } from '../../shared/pixels/text-identity.js';
import { loadPixelCodecs } from '../codecs/pixel-codecs.js';
import { type FileText, findTextInFile, textVerdict } from './file-text.js';
import { forReading, toGray } from './prepare.js';
import { TesseractReader } from './tesseract-reader.js';

/**
 * The public files with identity burned into their pixels: the detector must find it, and once its regions
 * are filled, Debian's own `tesseract` (an independent reader) must find none of the file's identifiers.
 */
const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
const SAMPLES = join(import.meta.dirname, '../../assets/samples/patient-001/us/series-01');
const BURNED_IN = [
  ['presidio CT scout', join(CORPUS, 'microsoft+presidio/integration/resources/dir1/dir2/2_ORIGINAL.dcm')],
  ['sample ultrasound 1', join(SAMPLES, '0001.dcm')],
  ['sample ultrasound 2', join(SAMPLES, '0002.dcm')],
] as const;
// A fused PET/CT in colour with no text on it: nothing to clean, nothing to hold.
const NO_TEXT = join(CORPUS, 'microsoft+presidio/test_data/RGB_ORIGINAL.dcm');

function open(file: string) {
  const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(file))));
  const checked = frameLayoutOf(parsed);
  if (!checked || isLayoutProblem(checked)) throw new Error('no readable frame layout');
  return { parsed, checked, identifiers: fileIdentifiers(parsed) };
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

  let codecs: PixelCodecs;
  beforeAll(async () => {
    codecs = await loadPixelCodecs();
  });

  const found = (text: FileText | undefined) => {
    if (!text || 'unreadable' in text) throw new Error('frames not read');
    return text.found;
  };

  it.each(BURNED_IN)(
    '%s: identity found, none legible to tesseract once its regions are filled',
    async (_, file) => {
      const { parsed, checked, identifiers } = open(file);
      const text = found(
        await findTextInFile(parsed, reader, { identifiers: new IdentityNeedles(identifiers), codecs }),
      );
      const frame = parsed.source.read(checked.pixelData.valueStart, checked.frameBytes);
      const gray = toGray(frame, checked.layout)!;
      const before = legible(tesseractCli(dir, gray), identifiers);
      fill(gray, text.regions.get(0) ?? []);
      const after = legible(tesseractCli(dir, gray), identifiers);
      // Kinds, classes and reasons only: the text read is the sample patient's.
      const reasons = [...text.texts.values()].flat().map((t) => `${t.cls}/${t.reason}`);
      console.log(
        `${_}: [${reasons}]; identifier kinds legible to tesseract before [${before}] after [${after}]`,
      );
      expect(text.counts.identity).toBeGreaterThan(0);
      expect(after).toEqual([]);
      // The batch cleans these regions; text it could not read beside a label holds the file as well.
      const verdict = textVerdict({ found: text });
      expect(verdict.regions).toBe(text.regions);
      expect('hold' in verdict).toBe(text.counts.undecided > 0);
      // The ultrasounds' ID line, unreadable in their blocky font, follows an ID label: cleaned, not held.
      expect(text.counts.undecided).toBe(0);
    },
  );

  it.each([
    ['RLE', ['dcmcrle']],
    ['JPEG-LS lossless', ['dcmcjpls']],
    ['JPEG lossless SV1', ['dcmcjpeg', '+e1']],
  ])('the sample ultrasound compressed by dcmtk (%s) reads as the native one', async (_, [tool, ...args]) => {
    const native = open(join(SAMPLES, '0001.dcm'));
    const compressed = join(dir, 'compressed.dcm');
    execFileSync(tool!, [...args, join(SAMPLES, '0001.dcm'), compressed]);
    const other = open(compressed);
    expect(other.parsed.transferSyntax.encapsulated).toBe(true);
    const needles = new IdentityNeedles(native.identifiers);
    const a = found(await findTextInFile(native.parsed, reader, { identifiers: needles, codecs }));
    const b = found(await findTextInFile(other.parsed, reader, { identifiers: needles, codecs }));
    expect(b.regions).toEqual(a.regions);
    expect(b.counts).toEqual(a.counts);
  });

  it('JPEG baseline frames are decoded for reading: the banner identity is found as in the native file', async () => {
    const lossy = join(dir, 'baseline.dcm');
    execFileSync('dcmcjpeg', ['+eb', join(SAMPLES, '0001.dcm'), lossy]);
    const { parsed, identifiers } = open(lossy);
    // YBR_FULL_422 (dcmtk's default): decoded to three samples a pixel, not packed as in native data.
    expect(parsed.transferSyntax.encapsulated).toBe(true);
    const needles = new IdentityNeedles(identifiers);
    const native = found(
      await findTextInFile(open(join(SAMPLES, '0001.dcm')).parsed, reader, { identifiers: needles, codecs }),
    );
    const text = found(await findTextInFile(parsed, reader, { identifiers: needles, codecs }));
    expect(text.unreadableFrames).toBe(0);
    expect(text.counts.identity).toBe(native.counts.identity);
  });

  it('a colour PET/CT without text: nothing found to clean or hold', async () => {
    const { parsed, identifiers } = open(NO_TEXT);
    const text = found(
      await findTextInFile(parsed, reader, { identifiers: new IdentityNeedles(identifiers), codecs }),
    );
    expect(text.counts).toMatchObject({ identity: 0, undecided: 0 });
    expect(text.regions.size).toBe(0);
    expect(textVerdict({ found: text })).toEqual({ regions: text.regions });
  });
});
