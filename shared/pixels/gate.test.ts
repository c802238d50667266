import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pixelModule } from '../../test/image.js';
import { part10, SECONDARY_CAPTURE, str } from '../../test/part10.js';
import { anonymize } from '../anonymize/engine.js';
import { keyFromBytes } from '../anonymize/key.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { concatChunks } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { textDecisions } from './gate.js';
import type { Rect, RegionRule } from './regions.js';

/*
 * The person's decisions on the detector's text: a region turned off stays as it is, the others are
 * cleaned, and the outcome's reason (which the private audit records) says what the person decided.
 * dcmtk's dcmdump writes the output's Pixel Data out raw: the independent read of what was written.
 */

const KEY = keyFromBytes(new Uint8Array(32).fill(0x11));
const W = 64;
const H = 32;
const UID = '2.25.777';
const NAME: Rect = { x: 4, y: 4, width: 24, height: 8 };
const DATE: Rect = { x: 36, y: 20, width: 20, height: 8 };

const pixels = Uint8Array.from({ length: W * H }, (_, i) => 40 + (i % 200));
const input = part10(
  [
    str(0x00080016, 'UI', SECONDARY_CAPTURE),
    str(0x00080018, 'UI', UID),
    str(0x00080060, 'CS', 'OT'),
    str(0x00100010, 'PN', 'DOE^JANE'),
    ...pixelModule({ rows: H, columns: W, photometric: 'MONOCHROME2', bits: 8 }),
    { tag: PIXEL_DATA, vr: 'OB', value: pixels },
  ],
  SECONDARY_CAPTURE,
);

const tmp = mkdtempSync(join(tmpdir(), 'gate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The written Pixel Data as dcmdump reads it. */
function writtenPixels(bytes: Uint8Array, name: string): Uint8Array {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  const r = spawnSync('dcmdump', ['+W', tmp, path], { encoding: 'latin1' });
  expect(r.status).toBe(0);
  return new Uint8Array(readFileSync(`${path}.0.raw`));
}

const inside = (r: Rect, i: number) => {
  const x = i % W;
  const y = Math.floor(i / W);
  return x >= r.x && y >= r.y && x < r.x + r.width && y < r.y + r.height;
};

const withRule = (rule: Omit<RegionRule, 'match'>) => ({
  ...getPreset('basic'),
  pixelRules: [{ match: { sopInstanceUID: UID }, ...rule }],
});

const run = (rule: Omit<RegionRule, 'match'>, detected: Rect[], name: string) => {
  const result = anonymize(parseDicom(new MemorySource(input)), {
    profile: withRule(rule),
    key: KEY,
    toolVersion: '0.1.0',
    detectedRegions: new Map([[0, detected]]),
    textSearched: true,
  });
  return { result, written: writtenPixels(concatChunks(result.chunks), name) };
};

describe('detected text the person turned off', () => {
  it('is left as it is while the rest of what was detected is cleaned, and the reason says so', () => {
    const { result, written } = run({ regions: [], keep: [NAME] }, [NAME, DATE], 'keep.dcm');
    expect(result.pixels.status).toBe('cleaned');
    expect(result.pixels.regionsCleaned).toBe(1);
    expect(result.pixels.reason).toBe(
      '1 detected text regions were left as they are by the person at the screen',
    );
    for (let i = 0; i < W * H; i++) {
      if (inside(DATE, i)) expect(written[i]).toBe(0);
      else expect(written[i]).toBe(pixels[i]);
    }
  });

  it('is matched by overlap, so a box carried to a later frame a pixel off is kept too', () => {
    const shifted = { ...NAME, x: NAME.x + 1, width: NAME.width + 2 };
    const { result, written } = run({ regions: [], keep: [NAME] }, [shifted], 'shifted.dcm');
    // Nothing left to clean, the detector read the frame through: the pixels leave untouched.
    expect(result.pixels.status).toBe('not-at-risk');
    expect(Buffer.from(written).equals(Buffer.from(pixels))).toBe(true);
  });

  it('without a keep, identity regions are cleaned as before and no decision is recorded', () => {
    const { result, written } = run({ regions: [], reviewed: false }, [NAME, DATE], 'none.dcm');
    expect(result.pixels).toEqual({ status: 'cleaned', regionsCleaned: 2 });
    for (let i = 0; i < W * H; i++) {
      if (inside(NAME, i) || inside(DATE, i)) expect(written[i]).toBe(0);
      else expect(written[i]).toBe(pixels[i]);
    }
  });
});

describe('a file the person reviewed', () => {
  it('records the review in the outcome, cleaned or not', () => {
    const cleaned = run({ regions: [], reviewed: true }, [DATE], 'reviewed.dcm').result.pixels;
    expect(cleaned.status).toBe('cleaned');
    expect(cleaned.reason).toBe('the detected text was reviewed by the person at the screen');
    const kept = run({ regions: [], reviewed: true, keep: [DATE] }, [DATE], 'reviewed-kept.dcm').result
      .pixels;
    expect(kept.status).toBe('not-at-risk');
    expect(kept.reason).toBe(
      'the detected text was reviewed by the person at the screen; 1 detected text regions were left as they are by the person at the screen',
    );
  });

  it('a rule that accepts the file overrides the decisions', () => {
    const parsed = parseDicom(new MemorySource(input));
    const rules: RegionRule[] = [
      { match: { sopInstanceUID: UID }, regions: [], keep: [NAME], reviewed: true },
      { match: { modality: 'OT' }, regions: [], accept: true },
    ];
    expect(textDecisions(parsed, rules)).toEqual({ covered: [], kept: [], reviewed: false });
    expect(textDecisions(parsed, rules.slice(0, 1))).toEqual({ covered: [], kept: [NAME], reviewed: true });
  });
});
