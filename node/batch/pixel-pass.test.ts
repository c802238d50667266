import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { getPreset } from '../../shared/profile/presets.js';
import type { Profile } from '../../shared/profile/profile.js';
import { ToolRunner } from '../../test/pixel-tools.js';
import { hasTool } from '../../test/tools.js';
import { TesseractReader } from '../ocr/tesseract-reader.js';
import type { TextReader } from '../ocr/text-reader.js';
import { FrameSpillFile } from './frame-spill.js';
import { anonymizeWithPixels, PixelTools } from './pixel-pass.js';
import { type FileOutcome, processFile, type WorkerConfig } from './process-file.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'assets', 'samples');
const CT = join(SAMPLES, 'patient-001', 'ct', 'series-01', '0001.dcm');
const US = join(SAMPLES, 'patient-001', 'us', 'series-01', '0001.dcm');
const PIXEL_DATA = 0x7fe00010;
const CT_COLUMNS = 64;
const US_COLUMNS = 256;
const dir = mkdtempSync(join(tmpdir(), 'deid-pixel-pass-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = new ToolRunner();

/** A reader that must never be made: the file needs no text reading. */
const noReader = (): TextReader => {
  throw new Error('a text reader was made for a file that needs none');
};
/** A reader that finds no text anywhere (the region rule alone decides what is cleaned). */
const blankReader = (): TextReader => ({ read: async () => [], close: async () => {} });

let serial = 0;
function config(region?: Rect, modality = 'CT'): WorkerConfig {
  const basic = getPreset('basic');
  return {
    tempDir: dir,
    profile: region ? { ...basic, pixelRules: [{ match: { modality }, regions: [region] }] } : basic,
    keySecret: new Uint8Array(32).fill(7),
    toolVersion: 'test',
    verify: true,
  };
}

async function run(input: Uint8Array, cfg: WorkerConfig, pixelTools: PixelTools): Promise<FileOutcome> {
  const path = join(dir, `in-${serial++}.dcm`);
  writeFileSync(path, input);
  return processFile({ id: serial, input: path }, cfg, pixelTools);
}

/** The native Pixel Data of a file an independent tool decoded. */
function decodedPixels(bytes: Uint8Array, decoder: string, args: string[] = []): Uint8Array {
  const native = tools.dicom(decoder, args, bytes);
  const parsed = parseDicom(new MemorySource(native));
  const el = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  return native.subarray(el.valueStart, el.valueStart + el.length);
}

function syntaxOf(bytes: Uint8Array): string {
  return parseDicom(new MemorySource(bytes)).transferSyntax.uid;
}

/** Pixel indices (row-major, one per pixel) inside the rectangle of a `columns`-wide frame. */
const inside = (r: Rect, columns: number, i: number) => {
  const x = i % columns;
  const y = Math.floor(i / columns);
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
};

function compareOutside(
  before: Uint8Array,
  after: Uint8Array,
  r: Rect,
  columns: number,
  bytesPerPixel: number,
) {
  expect(after.length).toBe(before.length);
  let changedOutside = 0;
  let changedInside = 0;
  for (let p = 0; p < before.length / bytesPerPixel; p++) {
    let same = true;
    for (let b = 0; b < bytesPerPixel; b++)
      same &&= before[p * bytesPerPixel + b] === after[p * bytesPerPixel + b];
    if (same) continue;
    if (inside(r, columns, p)) changedInside++;
    else changedOutside++;
  }
  expect(changedOutside).toBe(0);
  expect(changedInside).toBeGreaterThan(0);
}

describe('the batch pixel pass', () => {
  it('makes no codec and no reader for a file whose pixels need nothing', async () => {
    const pixelTools = new PixelTools(noReader);
    const outcome = await run(readFileSync(CT), config(), pixelTools);
    expect(outcome).toMatchObject({ status: 'written', verification: 'passed' });
    expect(outcome).not.toHaveProperty('pixelVerification');
    expect(pixelTools.loadedCodecs).toBeUndefined();
  });

  it('leaves a file a rule accepts as it is: the person decided, nothing is read or held', async () => {
    const basic = getPreset('basic');
    const accepting: WorkerConfig = {
      ...config(),
      profile: { ...basic, pixelRules: [{ match: { modality: 'US' }, regions: [], accept: true }] },
    };
    const outcome = await run(readFileSync(US), accepting, new PixelTools(noReader));
    expect(outcome.status).toBe('written');
    if (outcome.status === 'written') expect(outcome.pixels.status).toBe('accepted');
  });

  it.runIf(hasTool('dcmcrle') && hasTool('dcmdrle'))(
    'cleans a drawn region of an RLE file, loading the codecs on first need: same syntax, rest bit-identical',
    async () => {
      const rle = tools.dicom('dcmcrle', [], readFileSync(CT));
      const region = { x: 0, y: 0, width: 32, height: 16 };
      const pixelTools = new PixelTools(blankReader);
      const outcome = await run(rle, config(region), pixelTools);
      expect(outcome.status).toBe('written');
      if (outcome.status !== 'written') return;
      expect(outcome.pixels).toMatchObject({ status: 'cleaned', regionsCleaned: 1 });
      expect(outcome.verification).toBe('passed');
      expect(outcome.pixelVerification).toBe('passed');
      const written = new Uint8Array(readFileSync(outcome.tempPath));
      expect(syntaxOf(written)).toBe('1.2.840.10008.1.2.5');
      const dump = execFileSync('dcmdump', [
        '+P',
        '0028,0301',
        '+P',
        '0008,0100',
        outcome.tempPath,
      ]).toString();
      expect(dump).toContain('[NO]');
      expect(dump).toContain('[113101]');
      compareOutside(decodedPixels(rle, 'dcmdrle'), decodedPixels(written, 'dcmdrle'), region, CT_COLUMNS, 2);
    },
  );

  it.runIf(hasTool('dcmcrle'))(
    'encodes the cleaned frames of a searched file once, after the search: what it writes is that pass',
    async () => {
      // The spill sees every frame the engine re-encodes, so it counts the engine's cleaning passes.
      class CountingSpill extends FrameSpillFile {
        puts = 0;
        override put(bytes: Uint8Array) {
          this.puts++;
          return super.put(bytes);
        }
      }
      const rle = tools.dicom('dcmcrle', [], readFileSync(US));
      const spill = new CountingSpill(join(dir, `spill-${serial++}`));
      try {
        const pass = await anonymizeWithPixels(
          parseDicom(new MemorySource(rle)),
          {
            profile: config({ x: 0, y: 0, width: 64, height: 16 }, 'US').profile,
            key: keyFromBytes(new Uint8Array(32).fill(7)),
            toolVersion: 'test',
          },
          new PixelTools(blankReader),
          spill,
        );
        expect(pass).toMatchObject({ searched: true, pixels: { status: 'cleaned', regionsCleaned: 1 } });
        expect(spill.puts).toBe(1);
        expect(spill.size).toBeGreaterThan(0);
      } finally {
        spill.close();
      }
    },
  );

  it.runIf(hasTool('dcmcjpeg') && hasTool('dcmdjpeg'))(
    'cleans a drawn region of a JPEG baseline ultrasound in the compressed domain, the rest of the image kept',
    async () => {
      const jpeg = tools.dicom('dcmcjpeg', ['+eb'], readFileSync(US));
      // On the 16 × 8 block grid of 4:2:2 colour, so that the blocks outside it are untouched.
      const region = { x: 0, y: 0, width: 64, height: 16 };
      const outcome = await run(jpeg, config(region, 'US'), new PixelTools(blankReader));
      expect(outcome.status).toBe('written');
      if (outcome.status !== 'written') return;
      expect(outcome.pixels.status).toBe('cleaned');
      const written = new Uint8Array(readFileSync(outcome.tempPath));
      expect(syntaxOf(written)).toBe('1.2.840.10008.1.2.4.50');
      compareOutside(
        decodedPixels(jpeg, 'dcmdjpeg'),
        decodedPixels(written, 'dcmdjpeg'),
        region,
        US_COLUMNS,
        3,
      );
    },
  );

  it.runIf(hasTool('gdcmconv'))(
    'cleans a lossy JPEG 2000 file at the original coding parameters, and the report says so',
    async () => {
      const lossy = tools.dicom(
        'gdcmconv',
        ['--j2k', '--lossy', '--irreversible', '-q', '50'],
        readFileSync(CT),
      );
      const outcome = await run(
        lossy,
        config({ x: 0, y: 0, width: 32, height: 16 }),
        new PixelTools(blankReader),
      );
      expect(outcome.status).toBe('written');
      if (outcome.status !== 'written') return;
      expect(outcome.pixels).toMatchObject({ status: 'cleaned', lossyReencoded: 1 });
      expect(outcome.report.warnings).toContain(
        "1 cleaned frames were re-encoded in a transfer syntax that allows loss, at the original's coding parameters",
      );
      expect(syntaxOf(new Uint8Array(readFileSync(outcome.tempPath)))).toBe('1.2.840.10008.1.2.4.91');
    },
  );

  it('cleans the sample ultrasound’s banner with the real reader: written, its pixels verified, no value in any reason', async () => {
    const pixelTools = new PixelTools(() => new TesseractReader({ workers: 1 }));
    try {
      const outcome = await run(readFileSync(US), config(), pixelTools);
      // Its ID line, in a blocky font the reader cannot read, sits after an ID label: cleaned, not held.
      expect(outcome).toMatchObject({
        status: 'written',
        pixels: { status: 'cleaned' },
        verification: 'passed',
        pixelVerification: 'passed',
      });
      if (outcome.status === 'written')
        expect(JSON.stringify(outcome.pixels)).not.toMatch(/DOE|JANE|MRN|1996/i);
    } finally {
      await pixelTools.close();
    }
  }, 60_000);

  it('keeps the words the profile adds to its modality’s list, and cleans them under the default list', async () => {
    // A reader that finds the name and a measurement on the input, and nothing on the written output.
    const once = (): TextReader => {
      let reads = 0;
      const word = (text: string, y: number) => ({
        words: [{ text, confidence: 95, box: { x: 100, y, width: 120, height: 30 } }],
      });
      return {
        read: async () => (reads++ > 0 ? [] : [word('DOE^JANE^M', 60), word('LVOT', 300)]),
        close: async () => {},
      };
    };
    const pixelsOf = (path: string) => {
      const bytes = new Uint8Array(readFileSync(path));
      const el = parseDicom(new MemorySource(bytes)).dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
      return bytes.subarray(el.valueStart, el.valueStart + el.length);
    };
    const input = pixelsOf(US);
    const changed = async (technicalText?: Profile['technicalText']) => {
      const profile = { ...getPreset('basic'), ...(technicalText ? { technicalText } : {}) };
      const outcome = await run(readFileSync(US), { ...config(), profile }, new PixelTools(once));
      expect(outcome).toMatchObject({ status: 'written', pixelVerification: 'passed' });
      if (outcome.status !== 'written') throw new Error('not written');
      const output = pixelsOf(outcome.tempPath);
      expect(output.length).toBe(input.length);
      return {
        regions: outcome.pixels.regionsCleaned,
        at: new Set([...input.keys()].filter((i) => output[i] !== input[i])),
      };
    };
    const kept = await changed({ US: { addWords: ['LVOT'] } });
    // Under the default list, or another modality's edited one, the word is unknown text: cleaned too.
    for (const cleaned of [await changed(), await changed({ CT: { addWords: ['LVOT'] } })]) {
      expect([kept.regions, cleaned.regions]).toEqual([1, 2]);
      expect(kept.at.size).toBeGreaterThan(0);
      expect(cleaned.at.size).toBeGreaterThan(kept.at.size);
      expect([...kept.at].every((i) => cleaned.at.has(i))).toBe(true);
    }
  });

  it('quarantines an output whose written pixels still show an identifier', async () => {
    // A reader that reads the patient's name off every image, as a leak would show: the region it reports
    // is cleaned, but the verifier, reading the written bytes, still finds the name there.
    const name: TextReader = {
      read: async () => [
        { words: [{ text: 'DOE^JANE^M', confidence: 95, box: { x: 100, y: 100, width: 60, height: 12 } }] },
      ],
      close: async () => {},
    };
    const outcome = await run(readFileSync(US), config(), new PixelTools(() => name));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.verification).toBe('failed');
    expect(outcome.pixelVerification).toBe('failed');
    expect(outcome.reason).toMatch(/^verification of the pixels: 1 pieces of identifying text/);
    expect(outcome.reason).not.toMatch(/DOE|JANE/);
  });
});
