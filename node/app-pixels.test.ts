import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../shared/anonymize/key.js';
import type { PixelCheck } from '../shared/ipc/contract.js';
import type { Rect, RegionRule } from '../shared/pixels/regions.js';
import { getPreset, type Profile } from '../shared/profile/index.js';
import { checkDigest, checkPixels, PixelCheckCache } from './app-pixels.js';
import { withParsedFile } from './app-read.js';
import { regionFacts } from './app-regions.js';
import { PixelTools } from './batch/pixel-pass.js';
import { type FileOutcome, processFile } from './batch/process-file.js';

/*
 * The inspector's pixel outcome is the batch's: the same file and profile, checked by the app's worker job
 * and run through the batch's processFile with real Tesseract, end the same way. dcmtk reads the written
 * pixels back to show the person's decisions on disk.
 */

const US = join(import.meta.dirname, '..', 'assets', 'samples', 'patient-001', 'us', 'series-01', '0001.dcm');
const SECRET = new Uint8Array(32).fill(7);
const dir = mkdtempSync(join(tmpdir(), 'deid-app-pixels-'));
const tools = new PixelTools();
afterAll(async () => {
  await tools.close();
  rmSync(dir, { recursive: true, force: true });
});

const check = (profile: Profile) =>
  withParsedFile(US, (parsed) =>
    checkPixels(parsed, { profile, key: keyFromBytes(SECRET), toolVersion: 'test' }, tools),
  );

let serial = 0;
const batch = (profile: Profile): Promise<FileOutcome> => {
  const input = join(dir, `in-${++serial}.dcm`);
  copyFileSync(US, input);
  return processFile(
    { id: serial, input },
    { tempDir: dir, profile, keySecret: SECRET, toolVersion: 'test', verify: true },
    tools,
  );
};

/** Pixel Data as dcmtk writes it out raw (the samples are native RGB). */
function rawPixels(path: string): Uint8Array {
  const r = spawnSync('dcmdump', ['+W', dir, path], { encoding: 'latin1' });
  expect(r.status).toBe(0);
  return new Uint8Array(readFileSync(join(dir, `${basename(path)}.0.raw`)));
}

const inside = (r: Rect, x: number, y: number) =>
  x >= r.x && y >= r.y && x < r.x + r.width && y < r.y + r.height;

describe('the inspector pixel check', () => {
  let first: Omit<PixelCheck, 'id'>;

  it('reaches the outcome the batch reaches for the same file and profile', async () => {
    const basic = getPreset('basic');
    first = await check(basic);
    const outcome = await batch(basic);
    expect(first.searched).toBe(true);
    expect(first.texts.some((t) => t.cls === 'identity')).toBe(true);
    const batchPixels =
      outcome.status === 'held' || outcome.status === 'written' ? outcome.pixels : undefined;
    expect(batchPixels).toBeDefined();
    expect(first.status).toBe(batchPixels!.status);
    expect(first.reason).toBe(batchPixels!.reason);
    // The banner's name, ID and date are identity: both clean it, in words that name no value.
    expect(first.status).toBe('cleaned');
    expect(first.reason ?? '').not.toMatch(/DOE|JANE|MRN|1996/i);
  }, 120_000);

  it('with a line turned off and the file reviewed, the batch writes what the check says', async () => {
    const facts = await withParsedFile(US, regionFacts);
    const frame0 = first.texts.filter((t) => t.frame === 0 && t.cls !== 'technical');
    const line = frame0.find((t) => t.cls === 'identity')!.box;
    // Every reading of that line (the reader reads a doubtful line twice) is turned off.
    const keep = frame0
      .map((t) => t.box)
      .filter((b) => b.y + b.height / 2 >= line.y && b.y + b.height / 2 < line.y + line.height);
    const rule: RegionRule = {
      match: { sopInstanceUID: facts.sopInstanceUID },
      regions: [],
      keep,
      reviewed: true,
    };
    const profile = { ...getPreset('basic'), pixelRules: [rule] };
    const decided = await check(profile);
    const outcome = await batch(profile);
    expect(outcome.status).toBe('written');
    if (outcome.status !== 'written') return;
    expect(decided.status).toBe(outcome.pixels.status);
    expect(decided.reason).toBe(outcome.pixels.reason);
    expect(decided.status).toBe('cleaned');
    expect(decided.reason).toMatch(/reviewed by the person at the screen/);
    expect(decided.reason).toMatch(/left as they are by the person/);
    // The name left legible on purpose is no residue: the verifier honours the person's decision.
    expect(outcome.verification).toBe('passed');
    expect(outcome.pixelVerification).toBe('passed');

    const cleaned = decided.texts
      .filter((t) => t.frame === 0 && t.cls !== 'technical' && !t.kept)
      .map((t) => t.box);
    expect(decided.texts.filter((t) => t.kept).length).toBe(keep.length);
    const before = rawPixels(US);
    const after = rawPixels(outcome.tempPath);
    let keptSame = 0;
    for (let y = 0; y < facts.rows; y++) {
      for (let x = 0; x < facts.columns; x++) {
        const at = (y * facts.columns + x) * 3;
        const sample = [after[at], after[at + 1], after[at + 2]];
        if (cleaned.some((r) => inside(r, x, y))) expect(sample).toEqual([0, 0, 0]);
        else if (inside(line, x, y)) {
          expect(sample).toEqual([before[at], before[at + 1], before[at + 2]]);
          keptSame++;
        }
      }
    }
    expect(keptSame).toBeGreaterThan(0);
  }, 120_000);
});

describe('the pixel check cache', () => {
  const answer = { status: 'not-at-risk' as const, regionsCleaned: 0, searched: false, texts: [] };

  it('runs a check once for a file and digest, even when asked again while it runs', async () => {
    const cache = new PixelCheckCache();
    let runs = 0;
    const run = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return answer;
    };
    const [a, b] = await Promise.all([cache.check('/f', 'd1', run), cache.check('/f', 'd1', run)]);
    expect(a).toBe(b);
    expect(await cache.check('/f', 'd1', run)).toBe(a);
    expect(runs).toBe(1);
    await cache.check('/f', 'd2', run);
    expect(runs).toBe(2);
  });

  it('forgets a failed check, so asking again reads the file again', async () => {
    const cache = new PixelCheckCache();
    await expect(cache.check('/f', 'd', () => Promise.reject(new Error('cancelled')))).rejects.toThrow();
    expect(await cache.check('/f', 'd', async () => answer)).toBe(answer);
  });

  it('keeps at most its limit, the oldest forgotten first', async () => {
    const cache = new PixelCheckCache(2);
    for (const path of ['/a', '/b', '/c']) await cache.check(path, 'd', async () => ({ ...answer }));
    expect(cache.get('/a', 'd')).toBeUndefined();
    expect(cache.get('/c', 'd')).toBeDefined();
  });

  it('digests the profile and the rules drawn for the file: a rule drawn elsewhere leaves it as it was', () => {
    const basic = getPreset('basic');
    const drawn: RegionRule = { match: { sopInstanceUID: '1.2' }, regions: [], reviewed: true };
    expect(checkDigest(basic, [])).toBe(checkDigest(getPreset('basic'), []));
    expect(checkDigest(basic, [drawn])).not.toBe(checkDigest(basic, []));
    expect(checkDigest(getPreset('research'), [])).not.toBe(checkDigest(basic, []));
  });
});
