import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../shared/anonymize/index.js';
import type { Comparison, FrameImage } from '../shared/ipc/contract.js';
import { getPreset } from '../shared/profile/index.js';
import { ToolRunner } from '../test/pixel-tools.js';
import { deidentifiedFrame } from './app-compare.js';
import { runJob } from './app-jobs.js';
import { checkPixels } from './app-pixels.js';
import { withParsedFile } from './app-read.js';
import { PixelTools } from './batch/pixel-pass.js';
import { runBatch } from './batch/run-batch.js';

const ROOT = join(import.meta.dirname, '..');
const CT = join(ROOT, 'assets/samples/patient-001/ct/series-01/0001.dcm');
const key = keyFromBytes(new Uint8Array(32).fill(7));
const profile = getPreset('basic');

/** One attribute's value as dcmdump prints it, without the brackets; undefined when absent. */
function dcmdumpValue(file: string, tag: string): string | undefined {
  const out = execFileSync('dcmdump', ['+P', tag.replace(/[()]/g, ''), '+L', file], { encoding: 'latin1' });
  const line = out.split('\n').find((l) => l.startsWith(tag.toLowerCase()));
  if (!line) return undefined;
  return /\[(.*)\]/.exec(line)?.[1] ?? /^\S+ \w\w \((\w+)\)/.exec(line)?.[1] ?? '';
}

let folder: string;
let comparison: Omit<Comparison, 'id'>;
let written: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'deid-compare-'));
  comparison = (await runJob({
    kind: 'compare',
    path: CT,
    profile,
    key,
    toolVersion: '0.0.0-test',
  })) as Omit<Comparison, 'id'>;
  // The same file through the batch, written to disk: what the view promised is what is written.
  await runBatch(
    {
      inputs: [CT],
      outDir: join(folder, 'out'),
      profile,
      key,
      toolVersion: '0.0.0-test',
      verify: false,
      reports: { reportDir: join(folder, 'report'), auditDir: join(folder, 'audit') },
      stateDir: join(folder, 'state'),
      workers: 0,
    },
    {},
  );
  const files = readdirSync(join(folder, 'out'), { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  );
  expect(files).toHaveLength(1);
  written = join(files[0]!.parentPath, files[0]!.name);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('compareParsed (before / after, in memory)', () => {
  const find = (keyword: string, path = '') =>
    comparison.changes.find((change) => change.keyword === keyword && change.path === path);

  it('lists the pseudonym, a removed attribute and the added de-identification attributes', () => {
    expect(comparison.unavailable).toBeUndefined();
    expect(find('PatientName')).toMatchObject({ change: 'changed', before: 'DOE^JANE^M' });
    expect(find('PatientName')?.after).not.toBe('DOE^JANE^M');
    expect(find('IssuerOfPatientID')).toMatchObject({ change: 'removed', before: 'FAKEVILLE GH' });
    expect(find('PatientIdentityRemoved')).toMatchObject({
      change: 'added',
      after: 'YES',
      tag: '(0012,0062)',
    });
    expect(find('DeidentificationMethodCodeSequence')).toMatchObject({ change: 'added' });
    // What an added sequence holds comes with it, and what a removed one held goes with it.
    expect(comparison.changes.some((change) => change.path.startsWith('DeidentificationMethod'))).toBe(false);
    expect(comparison.changes.some((change) => change.path.startsWith('OtherPatientIDsSequence'))).toBe(
      false,
    );
    expect(comparison.unchanged).toBeGreaterThan(10);
    expect(comparison.pixels).toBe('The image is copied as it is.');
  });

  it('shows, for every top-level attribute, what dcmdump reads in the written copy and the original', () => {
    const topLevel = comparison.changes.filter((change) => change.path === '');
    expect(topLevel.length).toBeGreaterThan(10);
    let compared = 0;
    for (const change of topLevel) {
      const before = dcmdumpValue(CT, change.tag);
      const after = dcmdumpValue(written, change.tag);
      if (change.change === 'removed') expect(after, change.keyword).toBeUndefined();
      if (change.change === 'added') expect(before, change.keyword).toBeUndefined();
      // Text values as dcmdump prints them; sequences and binary values as counts.
      if (change.after !== undefined && !/items?$|bytes$/.test(change.after)) {
        expect(after, change.keyword).toBe(change.after);
        compared++;
      }
      if (change.before !== undefined && !/items?$|bytes$/.test(change.before)) {
        expect(before, change.keyword).toBe(change.before);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });
});

describe('the de-identified image (a frame of the copy made in memory)', () => {
  const US = join(ROOT, 'assets/samples/patient-001/us/series-01/0001.dcm');
  const US_COLUMNS = 256;
  const BOX = { x: 0, y: 0, width: 64, height: 16 };
  const boxed = { ...profile, pixelRules: [{ match: { modality: 'US' }, regions: [BOX] }] };
  const tools = new ToolRunner();
  const inBox = (pixel: number) => pixel % US_COLUMNS < BOX.x + BOX.width && pixel / US_COLUMNS < BOX.height;

  /** The RGB samples of the only frame, as dcmtk decodes the file (dcmdrle, then dcmdump writes them out). */
  function dcmtkPixels(bytes: Uint8Array, decoder?: string): Uint8Array {
    const native = decoder ? tools.dicom(decoder, [], bytes) : bytes;
    const dir = tools.path();
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.dcm'), native);
    execFileSync('dcmdump', ['+W', dir, '+P', '7fe0,0010', join(dir, 'in.dcm')], { stdio: 'ignore' });
    const raw = readdirSync(dir).find((name) => name.endsWith('.raw'))!;
    return new Uint8Array(readFileSync(join(dir, raw)));
  }

  // A reader that finds no text: the drawn box alone is cleaned (the real reader's part is in the e2e test).
  const context = (path: string) => ({
    path,
    tools: new PixelTools(() => ({ read: async () => [], close: async () => {} })),
  });
  const frameOf = async (path: string, deidentified: boolean) => {
    const frame = deidentified
      ? await withParsedFile(path, (parsed) =>
          deidentifiedFrame(parsed, { profile: boxed, key, toolVersion: '0.0.0-test' }, context(path), 0),
        )
      : ((await runJob({ kind: 'frame', path, frame: 0 })) as FrameImage);
    if (frame.kind !== 'rgba') throw new Error(`an RGB frame, not ${frame.kind}`);
    return new Uint8Array(Buffer.from(frame.data, 'base64'));
  };

  it.each([
    ['native', undefined],
    ['RLE (decoded through the codecs)', 'dcmdrle'],
  ])('%s: black inside the box, every other pixel as dcmtk decodes the original', async (_name, decoder) => {
    let path = US;
    if (decoder) {
      path = `${tools.path()}.dcm`;
      writeFileSync(path, tools.dicom('dcmcrle', [], new Uint8Array(readFileSync(US))));
    }
    const original = dcmtkPixels(new Uint8Array(readFileSync(path)), decoder);
    const after = await frameOf(path, true);
    expect(after.length).toBe((original.length / 3) * 4);
    let inside = 0;
    let textBefore = 0;
    for (let p = 0; p < original.length / 3; p++) {
      const rgb = [after[p * 4], after[p * 4 + 1], after[p * 4 + 2]];
      const was = [original[p * 3], original[p * 3 + 1], original[p * 3 + 2]];
      if (inBox(p)) {
        inside++;
        if (was.some((v) => v! > 128)) textBefore++;
        expect(rgb, `pixel ${p}`).toEqual([0, 0, 0]);
      } else expect(rgb, `pixel ${p}`).toEqual(was);
    }
    expect(inside).toBe(BOX.width * BOX.height);
    // The box held burned-in text, so the copy really differs from the original there.
    expect(textBefore).toBeGreaterThan(0);
    // The original's own frame is untouched by the copy.
    expect(await frameOf(path, false)).not.toEqual(after);
  });

  it('searches the frames for text once per file and profile, however many views ask', async () => {
    let reads = 0;
    const tools = new PixelTools(() => ({
      read: async () => {
        reads++;
        return [];
      },
      close: async () => {},
    }));
    // A profile of its own, so no earlier test's search is remembered for it.
    const own = { ...boxed, pixelRules: [{ match: { modality: 'US' }, regions: [{ ...BOX, width: 48 }] }] };
    const view = () =>
      withParsedFile(US, (parsed) =>
        deidentifiedFrame(parsed, { profile: own, key, toolVersion: '0.0.0-test' }, { path: US, tools }, 0),
      );
    const first = await view();
    expect(reads).toBeGreaterThan(0);
    const once = reads;
    expect(await view()).toEqual(first);
    expect(reads).toBe(once);
    // The inspector's pixel check, on another profile: the copy's views use what it found.
    const other = { ...own, pixelRules: [{ match: { modality: 'US' }, regions: [{ ...BOX, width: 32 }] }] };
    const options = { profile: other, key, toolVersion: '0.0.0-test' };
    await withParsedFile(US, (parsed) => checkPixels(parsed, options, tools, US));
    const checked = reads;
    expect(checked).toBeGreaterThan(once);
    await withParsedFile(US, (parsed) => deidentifiedFrame(parsed, options, { path: US, tools }, 0));
    expect(reads).toBe(checked);
  });

  it('shows no image for a file the run would hold, and says why', async () => {
    // Without Clean Pixel Data, an image that declares burned-in text is held.
    const uncleaned = { ...profile, options: profile.options.filter((o) => o !== 'cleanPixelData') };
    await expect(
      runJob({
        kind: 'frame',
        path: US,
        frame: 0,
        deidentified: { profile: uncleaned, key, toolVersion: '0.0.0-test' },
      }),
    ).rejects.toThrow('the file will be held for review, so no de-identified image is written');
  });
});

describe('values cut for display', () => {
  it('are compared in full: a value that differs only after the cut is shown as changed, whole on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deid-compare-cut-'));
    try {
      const file = join(dir, 'long.dcm');
      writeFileSync(file, readFileSync(CT));
      // 230 characters, then the patient's name, which the engine cleans out of the comments.
      const comments = `${'x'.repeat(230)} DOE^JANE^M`;
      execFileSync('dcmodify', ['-nb', '-i', `(0020,4000)=${comments}`, file]);
      const cut = (await runJob({
        kind: 'compare',
        path: file,
        profile: { ...profile, options: ['cleanDescriptors', 'cleanPixelData'] },
        key,
        toolVersion: '0.0.0-test',
      })) as Omit<Comparison, 'id'>;
      const change = cut.changes.find((c) => c.keyword === 'ImageComments');
      expect(change?.change).toBe('changed');
      // Both sides look alike up to the cut, which the ellipsis marks; the whole values differ.
      expect(change?.before).toBe(change?.after);
      expect(change?.before).toMatch(/^x{199}…$/);
      expect(change?.beforeFull).toBe(dcmdumpValue(file, '(0020,4000)'));
      expect(change?.afterFull).toMatch(/^x{230} /);
      expect(change?.afterFull).not.toMatch(/DOE|JANE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
