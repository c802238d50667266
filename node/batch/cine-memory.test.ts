import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElementBuilder, latin1Bytes } from '../../scripts/synth/elements.js';
import { textBoxRegion, ultrasoundFrame } from '../../scripts/synth/pixels.js';
import { encodeHeader } from '../../shared/dicom/encode.js';
import { encapsulatedFrames } from '../../shared/dicom/frames.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import { PIXEL_DATA } from '../../shared/dicom/tag.js';
import { EXPLICIT_LE } from '../../shared/dicom/transfer-syntax.js';
import { concatChunks, encodeFileMeta, encodeNewDataset } from '../../shared/dicom/write.js';
import { hasTool } from '../../test/tools.js';

/*
 * A cleaned compressed cine through the real CLI in a child process: peak memory must not grow with the
 * number of frames (re-encoded frames wait in a temporary file, not in memory), every frame is cleaned,
 * every pixel outside the cleaned box decodes (dcmtk) as it was, and nothing is left in the temporary
 * folder, after a run or after a cancel.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const ROWS = 480;
const COLS = 640;
const TEXT = { lines: ['CINE^PATIENT^X', 'ID 0123456789', 'DOB 19700101'], x: 8, y: 6, scale: 2 };
// The burned-in text, widened to the 16-pixel MCU grid so JPEG's compressed-domain cleaning covers it exactly.
const BOX = { x: 0, y: 0, width: COLS, height: 48 };
// The frame counts compared. Both inputs are larger than the batch reads whole (process-file.ts,
// WHOLE_FILE_LIMIT, 32 MB), so both runs go by pieces and differ only in how many frames pass through.
const FEW = 160;
const MANY = 480;
const WHOLE_FILE_LIMIT = 32 * 1024 * 1024;
// How much more the MANY-frame run may take. Dead frame buffers live outside V8's heap and are freed only
// when their count prompts a collection, so the peak of one run varies by up to ~25 MB on a loaded machine
// (a CI run once measured 33 MB when the smaller run read its input whole). Keeping the 320 more compressed
// frames in memory adds about their size (measured: 105 MB for RLE, 87 MB for JPEG), which the test checks is well
// above this.
const SLACK_KIB = 48 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'deid-cine-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = ['dcmcrle', 'dcmdrle', 'dcmcjpeg', 'dcmdjpeg'].every(hasTool) && existsSync('/usr/bin/time');

/**
 * One frame: the synthetic ultrasound picture in grey under hash noise, so that it compresses as little as
 * a real noisy cine does; the burned-in text stays white.
 */
function cineFrame(picture: Uint8Array, frame: number): Uint8Array {
  const out = new Uint8Array(ROWS * COLS);
  for (let i = 0; i < out.length; i++) {
    const v = picture[i * 3]!;
    out[i] = v === 0xff ? v : (v & 0xc0) | (Math.imul(i + frame * 7919, 2654435761) >>> 26);
  }
  return out;
}

/**
 * A native US multi-frame cine, written frame by frame. Burned In Annotation NO keeps the text detector
 * out (it has its own tests and would make this one minutes long): the drawn-box rule alone cleans every
 * frame.
 */
function writeCine(path: string, frames: number) {
  const b = new ElementBuilder(EXPLICIT_LE);
  const sop = `2.25.${1000 + frames}`;
  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    b.str('MediaStorageSOPClassUID', '1.2.840.10008.5.1.4.1.1.3.1'),
    b.str('MediaStorageSOPInstanceUID', sop),
    b.str('TransferSyntaxUID', '1.2.840.10008.1.2.1'),
    b.str('ImplementationClassUID', '2.25.4242'),
  ]);
  const dataset = encodeNewDataset(
    [
      b.str('SOPClassUID', '1.2.840.10008.5.1.4.1.1.3.1'),
      b.str('SOPInstanceUID', sop),
      b.str('Modality', 'US'),
      b.str('PatientName', 'CINE^PATIENT^X'),
      b.str('PatientID', '0123456789'),
      b.str('StudyInstanceUID', '2.25.77'),
      b.str('SeriesInstanceUID', '2.25.78'),
      b.str('FrameTime', 33.3),
      { tag: 0x00280009, vr: 'AT', value: Uint8Array.of(0x18, 0x00, 0x63, 0x10) },
      b.num('SamplesPerPixel', 1),
      b.str('PhotometricInterpretation', 'MONOCHROME2'),
      b.str('NumberOfFrames', frames),
      b.num('Rows', ROWS),
      b.num('Columns', COLS),
      b.num('BitsAllocated', 8),
      b.num('BitsStored', 8),
      b.num('HighBit', 7),
      b.num('PixelRepresentation', 0),
      b.str('BurnedInAnnotation', 'NO'),
    ],
    EXPLICIT_LE,
  );
  const preamble = new Uint8Array(132);
  preamble.set(latin1Bytes('DICM'), 128);
  const fd = openSync(path, 'w');
  try {
    const head = concatChunks([
      preamble,
      meta,
      dataset,
      encodeHeader(PIXEL_DATA, 'OB', ROWS * COLS * frames, EXPLICIT_LE),
    ]);
    writeSync(fd, head);
    const picture = ultrasoundFrame(ROWS, COLS, 0, TEXT);
    for (let f = 0; f < frames; f++) writeSync(fd, cineFrame(picture, f));
  } finally {
    closeSync(fd);
  }
}

/** The native Pixel Data of a file dcmtk decoded. */
function decoded(path: string, decoder: string): Uint8Array {
  const out = `${path}.native`;
  execFileSync(decoder, [path, out]);
  const bytes = readFileSync(out);
  rmSync(out);
  const el = parseDicom(new MemorySource(bytes)).dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  return bytes.subarray(el.valueStart, el.valueStart + el.length);
}

interface Run {
  readonly status: number | null;
  readonly peakKiB: number;
  readonly json: { files: Array<{ status: string; output: string | null; reason?: string }> };
}

const cliArgs = (input: string, out: string) => [
  CLI,
  'anonymize',
  input,
  '--out',
  out,
  '--profile',
  join(dir, 'profile.json'),
  '--workers',
  '1',
  '--no-verify',
  '--json',
];
const env = () => ({ ...process.env, HOME: join(dir, 'home') });

/** The CLI under /usr/bin/time: its peak resident set (KiB) and its JSON. */
function anonymizeMeasured(input: string, out: string): Run {
  const r = spawnSync('/usr/bin/time', ['-f', 'peak %M', process.execPath, ...cliArgs(input, out)], {
    encoding: 'utf8',
    env: env(),
    maxBuffer: 16 << 20,
  });
  const peak = /peak (\d+)\s*$/.exec(r.stderr);
  if (!peak) throw new Error(`no peak RSS from /usr/bin/time (exit ${r.status}): ${r.stderr.slice(-400)}`);
  return { status: r.status, peakKiB: Number(peak[1]), json: JSON.parse(r.stdout) };
}

const inBox = (i: number) => i % COLS < BOX.x + BOX.width && Math.floor(i / COLS) < BOX.y + BOX.height;

/** Frame by frame: outside the box every pixel as before; inside, the text gone and the box dark. */
function compareFrames(before: Uint8Array, after: Uint8Array, frames: number) {
  const frameBytes = ROWS * COLS;
  expect(after.length).toBe(before.length);
  for (let f = 0; f < frames; f++) {
    let changedOutside = 0;
    let textBefore = 0;
    let brightAfter = 0;
    for (let i = 0; i < frameBytes; i++) {
      const was = before[f * frameBytes + i]!;
      const now = after[f * frameBytes + i]!;
      if (!inBox(i)) changedOutside += was === now ? 0 : 1;
      else {
        textBefore += was > 0xf0 ? 1 : 0;
        brightAfter += now > 0x10 ? 1 : 0;
      }
    }
    expect({ frame: f, changedOutside, textGone: textBefore > 0 && brightAfter === 0 }).toEqual({
      frame: f,
      changedOutside: 0,
      textGone: true,
    });
  }
}

const CINES = {
  rle: { encode: ['dcmcrle'], decoder: 'dcmdrle' },
  // Quality 100 keeps the frames large (~250 kB), as the memory measure needs.
  jpeg: { encode: ['dcmcjpeg', '+eb', '+q', '100'], decoder: 'dcmdjpeg' },
} as const;

describe.runIf(tools)('a cleaned compressed cine (640×480, every frame cleaned)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    expect(textBoxRegion(TEXT).height).toBeLessThanOrEqual(BOX.height);
    const rule = { label: 'cine banner', match: { modality: 'US' }, regions: [BOX] };
    writeFileSync(join(dir, 'profile.json'), JSON.stringify({ name: 'cine', pixelRules: [rule] }));
    for (const frames of [FEW, MANY]) {
      const native = join(dir, `native-${frames}.dcm`);
      writeCine(native, frames);
      for (const [name, cine] of Object.entries(CINES)) {
        const folder = join(dir, `in-${name}-${frames}`);
        mkdirSync(folder);
        execFileSync(cine.encode[0], [...cine.encode.slice(1), native, join(folder, 'cine.dcm')]);
      }
    }
  }, 120_000);

  for (const [name, cine] of Object.entries(CINES)) {
    it(`${name}: peak memory does not grow with the frames; every frame decodes as before outside the box`, () => {
      const runs = [FEW, MANY].map((frames) => {
        const out = join(dir, `out-${name}-${frames}`);
        const run = anonymizeMeasured(join(dir, `in-${name}-${frames}`), out);
        expect(run.status, JSON.stringify(run.json.files.map((f) => f.reason))).toBe(0);
        expect(run.json.files.map((f) => f.status)).toEqual(['written']);
        // Nothing of the run is left beside the output: no temporary folder, no spilled frames.
        expect(readdirSync(out)).toEqual([relative(out, run.json.files[0]!.output!).split('/')[0]]);
        return { frames, out, run };
      });
      const [small, large] = runs;
      const sizeOf = (frames: number) => statSync(join(dir, `in-${name}-${frames}`, 'cine.dcm')).size / 1024;
      expect(sizeOf(FEW) * 1024).toBeGreaterThan(WHOLE_FILE_LIMIT);
      // The measure could fail: the frames the spill keeps out of memory weigh far more than the slack.
      expect(sizeOf(MANY) - sizeOf(FEW)).toBeGreaterThan(1.5 * SLACK_KIB);
      const growth = large!.run.peakKiB - small!.run.peakKiB;
      expect(growth, `peak KiB ${small!.run.peakKiB} → ${large!.run.peakKiB}`).toBeLessThan(SLACK_KIB);

      const output = resolve(large!.out, large!.run.json.files[0]!.output!);
      const input = join(dir, `in-${name}-${MANY}`, 'cine.dcm');
      const written = parseDicom(new MemorySource(readFileSync(output)));
      expect(written.transferSyntax.uid).toBe(
        parseDicom(new MemorySource(readFileSync(input))).transferSyntax.uid,
      );
      // The Basic Offset Table, computed from the spilled sizes, points at each frame's fragment.
      const pixels = written.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
      expect(pixels.fragments![0]!.length).toBe(MANY * 4);
      expect(encapsulatedFrames(written, MANY).map((f) => f.length)).toEqual(Array(MANY).fill(1));
      // RLE is lossless: the output decodes to the very frames written; JPEG to what the input decodes to.
      const before =
        name === 'rle' ? nativePixels(join(dir, `native-${MANY}.dcm`)) : decoded(input, cine.decoder);
      compareFrames(before, decoded(output, cine.decoder), MANY);
    }, 120_000);
  }

  /** Starts the CLI and waits until it is spilling frames; resolves with its exit code once it ends. */
  async function startSpilling(input: string, out: string) {
    const child = spawn(process.execPath, cliArgs(input, out), { env: env(), stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const temp = join(out, '.deid-tmp');
    const spilling = () => existsSync(temp) && readdirSync(temp).some((f) => f.endsWith('.frames'));
    const deadline = Date.now() + 60_000;
    while (!spilling() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(spilling()).toBe(true);
    return { child, exited };
  }

  it('a cancelled run leaves no output and no temporary file', async () => {
    const out = join(dir, 'out-cancelled');
    const { child, exited } = await startSpilling(join(dir, `in-rle-${MANY}`), out);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(out)).toEqual([]);
  }, 90_000);

  it('a killed run leaves its spilled frames only in the owner-only temporary folder, which the next run removes', async () => {
    const out = join(dir, 'out-killed');
    const { child, exited } = await startSpilling(join(dir, `in-rle-${MANY}`), out);
    child.kill('SIGKILL');
    await exited;
    const temp = join(out, '.deid-tmp');
    expect(statSync(temp).mode & 0o777).toBe(0o700);
    expect(readdirSync(out).filter((f) => !f.startsWith('.deid-'))).toEqual([]);
    const again = anonymizeMeasured(join(dir, `in-rle-${FEW}`), out);
    expect(again.json.files.map((f) => f.status)).toEqual(['written']);
    expect(existsSync(temp)).toBe(false);
  }, 90_000);
});

function nativePixels(path: string): Uint8Array {
  const bytes = readFileSync(path);
  const el = parseDicom(new MemorySource(bytes)).dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  return bytes.subarray(el.valueStart, el.valueStart + el.length);
}
