import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCtStudy, type SynthBytes } from '../../scripts/synth/index.js';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import { readText } from '../../shared/dicom/values.js';
import { walkElements } from '../../shared/dicom/walk.js';
import { getPreset, type Profile, parseProfileFile } from '../../shared/profile/index.js';
import { canMountTmpfs, withTmpfs } from '../../test/mount.js';
import { dcmdumpErrors, hasTool } from '../../test/tools.js';
import { readCsvFile } from '../reports/read.js';
import { NOT_PLACED } from './commit.js';
import { PER_WORKER } from './pool.js';
import { type BatchFileResult, type BatchRequest, BatchSetupError, runBatch } from './run-batch.js';

const key = keyFromBytes(new Uint8Array(32).fill(3));
const root = join(dirname(new URL(import.meta.url).pathname), '../..');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** A folder of synthetic CT files with planted PHI, plus the PHI strings to look for afterwards. */
function makeInputs(count: number, seed = 11): { dir: string; files: SynthBytes[] } {
  const dir = mkdtempSync(join(tmpdir(), 'deid-in-'));
  const files = [
    ...makeCtStudy({
      patients: 2,
      seriesPerPatient: 1,
      instancesPerSeries: count / 2,
      rows: 16,
      cols: 16,
      frames: 1,
      syntax: 'explicit-le',
      seed,
    }),
  ];
  for (const f of files) {
    const p = join(dir, f.relativePath);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
  }
  return { dir, files };
}

/** After a run the output folder holds the outputs and nothing else: no temporary folder, lock or state. */
const hiddenLeft = (out: string) => readdirSync(out).filter((name) => name.startsWith('.'));

/** A basic-profile batch (in this thread unless told), with every input's result collected. */
async function collect(request: Partial<BatchRequest> & Pick<BatchRequest, 'inputs' | 'outDir'>) {
  const results: BatchFileResult[] = [];
  const summary = await runBatch(
    { profile: getPreset('basic'), key, toolVersion: '0.1.0', workers: 0, ...request },
    { onFile: (r) => results.push(r) },
  );
  return { summary, results };
}

const phiStrings = (files: SynthBytes[]) =>
  [...new Set(files.flatMap((f) => Object.values(f.phi)))].filter((s) => s.length >= 4);

describe('runBatch (in-process)', () => {
  it('writes every DICOM input once, leaves no PHI in outputs or names, and reports each input', async () => {
    const { dir, files } = makeInputs(6);
    writeFileSync(join(dir, 'notes.txt'), 'not a dicom file at all, just some words');
    const truncated = files[0]!.bytes.subarray(0, files[0]!.bytes.length - 1000);
    writeFileSync(join(dir, 'broken.dcm'), truncated);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const results: BatchFileResult[] = [];
    const summary = await runBatch(
      { inputs: [dir], outDir: out, profile: getPreset('basic'), key, toolVersion: '0.1.0', workers: 0 },
      { onFile: (r) => results.push(r) },
    );
    expect(summary).toMatchObject({
      total: 8,
      written: 6,
      skipped: 1,
      failed: 1,
      cancelled: false,
      notProcessed: 0,
    });
    expect(results.find((r) => r.input.endsWith('notes.txt'))?.status).toBe('skipped');
    const broken = results.find((r) => r.input.endsWith('broken.dcm'));
    expect(broken?.status).toBe('failed');
    expect(broken?.reason).toMatch(/declares|ends/);

    const outputs = listFiles(out);
    expect(outputs).toHaveLength(6);
    expect(hiddenLeft(out)).toEqual([]);
    const phi = phiStrings(files);
    for (const p of outputs) {
      const text = readFileSync(p).toString('latin1');
      for (const s of phi) {
        expect(text.includes(s), `PHI in ${p}`).toBe(false);
        expect(p.includes(s)).toBe(false);
      }
    }
    // Inputs untouched.
    for (const f of files) expect(Buffer.compare(readFileSync(join(dir, f.relativePath)), f.bytes)).toBe(0);
  });

  it('refuses an output folder inside an input folder, or one that holds an input', async () => {
    const { dir } = makeInputs(2);
    const base = { profile: getPreset('basic'), key, toolVersion: '0.1.0', workers: 0 };
    await expect(runBatch({ ...base, inputs: [dir], outDir: join(dir, 'out') })).rejects.toBeInstanceOf(
      BatchSetupError,
    );
    await expect(runBatch({ ...base, inputs: [dir], outDir: dirname(dir) })).rejects.toBeInstanceOf(
      BatchSetupError,
    );
  });

  it('fails a file whose kept free text still names the patient (residual check), and writes the rest', async () => {
    const { dir, files } = makeInputs(4);
    const keepComments: Profile = parseProfileFile(
      JSON.stringify({
        name: 'keeps comments',
        base: 'basic',
        rules: [{ keyword: 'ImageComments', action: 'keep' }],
      }),
      'p.json',
    );
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const quarantine = mkdtempSync(join(tmpdir(), 'deid-q-'));
    const results: BatchFileResult[] = [];
    const summary = await runBatch(
      {
        inputs: [dir],
        outDir: out,
        profile: keepComments,
        key,
        toolVersion: '0.1.0',
        workers: 0,
        reviewDir: quarantine,
      },
      { onFile: (r) => results.push(r) },
    );
    expect(summary.written).toBe(0);
    expect(summary.failed).toBe(4);
    expect(summary.verificationFailed).toBe(4);
    for (const r of results) {
      expect(r.reason).toMatch(/^verification: a removed name remains in \(0020,4000\) ImageComments/);
      for (const s of phiStrings(files)) expect(r.reason).not.toContain(s);
    }
    expect(listFiles(out).filter((p) => p.endsWith('.dcm'))).toHaveLength(0);
    expect(listFiles(quarantine).sort()).toEqual(
      results.map((r) => join(quarantine, 'quarantine', `input-${r.inputNo}.dcm`)).sort(),
    );
    for (const r of results) expect(r.review).toBe(join(quarantine, 'quarantine', `input-${r.inputNo}.dcm`));
    if (process.platform !== 'win32')
      for (const p of listFiles(quarantine)) expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it('holds files whose pixels may show identity and are not cleaned: not in the output, kept owner-only by input number', async () => {
    const samples = join(root, 'assets', 'samples');
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const audit = join(mkdtempSync(join(tmpdir(), 'deid-audit-')), 'audit');
    const basic = getPreset('basic');
    const { summary, results } = await collect({
      inputs: [samples],
      // With Clean Pixel Data off nothing cleans the ultrasound banners (with it on the detector does).
      profile: { ...basic, options: basic.options.filter((option) => option !== 'cleanPixelData') },
      outDir: out,
      reports: { auditDir: audit, reportDir: `${out}.report` },
    });
    expect(summary).toMatchObject({ written: 8, held: 2, failed: 0, accepted: 0 });
    // With a reason in plain words naming the attribute, no value.
    expect(summary.heldReasons).toEqual([
      'Burned In Annotation (0028,0301) is YES and the pixels were not cleaned',
    ]);
    const held = results.filter((r) => r.status === 'held');
    expect(held.map((r) => basename(dirname(dirname(r.input))))).toEqual(['us', 'us']);
    // Nothing of theirs in the output folder: the written files are the CT and MR ones.
    const written = listFiles(out);
    expect(written).toHaveLength(8);
    for (const p of written)
      expect(readFileSync(p).includes(Buffer.from('1.2.840.10008.5.1.4.1.1.6.1'))).toBe(false);
    // Kept on site, named by the audit's input number, owner-only, and the audit row points at them.
    const rows = readCsvFile(join(audit, 'deid-audit.csv'));
    for (const r of held) {
      expect(r.review).toBe(join(audit, 'held', `input-${r.inputNo}.dcm`));
      if (process.platform !== 'win32') expect(statSync(r.review!).mode & 0o777).toBe(0o600);
      const row = rows.find((x) => x.input_no === String(r.inputNo))!;
      expect(row).toMatchObject({ status: 'held', quarantine: r.review, input: r.input });
      expect(row.pixels).toMatch(/^held: Burned In Annotation/);
    }
    const report = JSON.parse(readFileSync(join(`${out}.report`, 'deid-report.json'), 'utf8'));
    expect(report.summary).toMatchObject({ written: 8, held: 2 });
    expect(report.files.filter((f: { status: string }) => f.status === 'held')).toHaveLength(2);
    const csv = readCsvFile(join(`${out}.report`, 'deid-report.csv'));
    expect(csv.filter((r) => r.status === 'held' && r.pixels === 'held')).toHaveLength(2);
  });

  it('resumes: a second run skips what the first wrote', async () => {
    const { dir } = makeInputs(4);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const request = {
      inputs: [dir],
      outDir: out,
      profile: getPreset('basic'),
      key,
      toolVersion: '0.1.0',
      workers: 0,
    };
    const first = await runBatch(request);
    expect(first.written).toBe(4);
    const before = listFiles(out).map((p) => [p, readFileSync(p)] as const);
    const second = await runBatch(request);
    expect(second).toMatchObject({ written: 0, skipped: 4, failed: 0 });
    for (const [p, bytes] of before) expect(Buffer.compare(readFileSync(p), bytes)).toBe(0);
  });

  it('stops, saying why, when an output cannot be moved into the output folder; the report lists its input as failed', async () => {
    const { dir } = makeInputs(4);
    const firstOut = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const [, , third] = (await collect({ inputs: [dir], outDir: firstOut })).results;
    // A folder where the third output goes: moving a file onto it fails (EISDIR), as a deleted output
    // folder or a failing disk makes a move fail.
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const blocked = join(out, relative(firstOut, third!.output!));
    mkdirSync(join(blocked, 'inside'), { recursive: true });
    const reports = { reportDir: `${out}.report`, auditDir: `${out}.audit` };
    const { summary, results } = await collect({ inputs: [dir], outDir: out, reports });
    expect(summary.stopped).toBe(
      'an output could not be moved into the output folder: a folder is where a file should be (EISDIR)',
    );
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['written', undefined],
      ['written', undefined],
      ['failed', NOT_PLACED],
    ]);
    expect(summary).toMatchObject({ written: 2, failed: 1, notProcessed: 1 });
    const report = JSON.parse(readFileSync(join(`${out}.report`, 'deid-report.json'), 'utf8'));
    expect(report.files.map((f: { status: string }) => f.status)).toEqual(['written', 'written', 'failed']);
    expect(listFiles(out)).toHaveLength(2);
  });

  it('refuses a folder holding another profile or key’s outputs, replaces them only when asked, and rewrites an output changed since', async () => {
    const { dir } = makeInputs(4);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const request = { inputs: [dir], outDir: out, key, toolVersion: '0.1.0', workers: 0 };
    const basic = getPreset('basic');
    const dated: Profile = { ...basic, options: [...basic.options, 'retainLongFullDates'] };
    // Another list of image text to keep is another profile too: its outputs' pixels may differ.
    const listed: Profile = { ...basic, technicalText: { US: { addWords: ['LVOT'] } } };
    expect((await runBatch({ ...request, profile: basic })).written).toBe(4);
    const basicOutputs = listFiles(out).sort();
    for (const profile of [dated, listed, getPreset('relinkable')]) {
      await expect(runBatch({ ...request, profile })).rejects.toThrow(
        /holds files written with another profile or key; choose an empty folder, or overwrite them/,
      );
    }
    await expect(
      runBatch({ ...request, profile: basic, key: keyFromBytes(new Uint8Array(32).fill(4)) }),
    ).rejects.toThrow(/another profile or key/);
    expect(listFiles(out).sort()).toEqual(basicOutputs);
    // Replacing: the folder then holds this profile's outputs only, one per input.
    const relinked = await runBatch({ ...request, profile: getPreset('relinkable'), overwrite: true });
    expect(relinked.written).toBe(4);
    const outputs = listFiles(out);
    expect(outputs).toHaveLength(4);
    expect(outputs.filter((p) => basicOutputs.includes(p))).toEqual([]);
    // A resumed run trusts the bytes, not the name: an output changed since is written again.
    const changed = outputs[0]!;
    const original = readFileSync(changed);
    writeFileSync(changed, Buffer.concat([original, Buffer.from('x')]));
    const again = await runBatch({ ...request, profile: getPreset('relinkable') });
    expect(again).toMatchObject({ written: 1, skipped: 3 });
    expect(Buffer.compare(readFileSync(changed), original)).toBe(0);
  });

  it('describes the whole output folder in the shareable report, merged across interrupted and repeated runs', async () => {
    const { dir } = makeInputs(6);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const reports = { reportDir: `${out}.report`, auditDir: `${out}.audit` };
    const request = {
      inputs: [dir],
      outDir: out,
      profile: getPreset('basic'),
      key,
      toolVersion: '0.1.0',
      workers: 0,
      reports,
    };
    const controller = new AbortController();
    let seen = 0;
    await runBatch(request, { signal: controller.signal, onFile: () => ++seen === 2 && controller.abort() });
    const entries = () => {
      const doc = JSON.parse(readFileSync(join(reports.reportDir, 'deid-report.json'), 'utf8'));
      return { summary: doc.summary, files: doc.files as Array<Record<string, unknown>> };
    };
    expect(entries().summary).toMatchObject({ written: 2 });
    for (let run = 0; run < 2; run++) {
      const summary = await runBatch(request);
      expect(summary.previouslyWritten).toBe(run === 0 ? 2 : 6);
      const { summary: counts, files } = entries();
      expect(counts).toMatchObject({ written: 6, skipped: 0, failed: 0 });
      expect(files).toHaveLength(6);
      for (const f of files) {
        expect(f).toMatchObject({ status: 'written', verification: 'passed' });
        expect(f.outputSha256).toMatch(/^[0-9a-f]{64}$/);
        expect(f.actionCounts).not.toBeNull();
      }
      expect(new Set(files.map((f) => f.output)).size).toBe(6);
      expect(
        readCsvFile(join(reports.reportDir, 'deid-report.csv')).filter((r) => r.status === 'written'),
      ).toHaveLength(6);
    }
    // An earlier run's outputs stay in the report when a later run is given only some of the inputs.
    const one = listFiles(dir).find((p) => p.endsWith('.dcm'))!;
    await runBatch({ ...request, inputs: [one] });
    expect(entries().files).toHaveLength(6);
  });

  it('keeps every content of an instance under names that do not depend on order, and skips a byte-identical copy', async () => {
    const original = makeInputs(2).files[0]!.bytes;
    const changed = Buffer.from(original);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 0xff; // one pixel differs: a corrected re-send
    const run = async (names: [string, string, string], workers: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'deid-in-'));
      writeFileSync(join(dir, names[0]), original);
      writeFileSync(join(dir, names[1]), changed);
      writeFileSync(join(dir, names[2]), original);
      const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
      const reportDir = `${out}.report`;
      const { summary, results } = await collect({
        inputs: [dir],
        outDir: out,
        workers,
        workerScript: join(root, 'dist/cli/batch-worker.js'),
        reports: { reportDir, auditDir: `${out}.audit` },
      });
      expect(summary).toMatchObject({ written: 2, skipped: 1, failed: 0 });
      const byName = (n: string) => results.find((r) => r.input === join(dir, n))!;
      const copy = results.find((r) => r.status === 'skipped')!;
      expect(copy.reason).toMatch(/^duplicate: the same instance with the same content as input \d+$/);
      const files = listFiles(out).map((p) => [p.slice(out.length), readFileSync(p).toString('hex')]);
      // Each content under its own hash; the report names the final places.
      for (const p of listFiles(out)) {
        const sha = createHash('sha256').update(readFileSync(p)).digest('hex');
        expect(p.endsWith(`_${sha.slice(0, 12)}.dcm`)).toBe(true);
      }
      const report = JSON.parse(readFileSync(join(reportDir, 'deid-report.json'), 'utf8'));
      const reported = report.files.filter((f: { status: string }) => f.status === 'written');
      expect(reported.map((f: { output: string }) => `/${f.output}`).sort()).toEqual(
        files.map(([p]) => p).sort(),
      );
      // The audit too: one row per output, under its final name (a move is folded into the row it moved).
      const audit = readCsvFile(join(`${out}.audit`, 'deid-audit.csv'));
      const outputs = audit.filter((r) => r.status === 'written').map((r) => r.output!.slice(out.length));
      expect(outputs.sort()).toEqual(files.map(([p]) => p).sort());
      expect(audit.map((r) => r.input_no).sort()).toEqual(['1', '2', '3']);
      // The resume state followed the move made in the run: a rerun finds both contents done.
      const again = await collect({
        inputs: [dir],
        outDir: out,
        workers,
        workerScript: join(root, 'dist/cli/batch-worker.js'),
        reports: { reportDir, auditDir: `${out}.audit` },
      });
      expect(again.summary).toMatchObject({ written: 0, previouslyWritten: 2, failed: 0 });
      expect(listFiles(out).map((p) => [p.slice(out.length), readFileSync(p).toString('hex')])).toEqual(
        files,
      );
      return { files: files.sort(), byName };
    };
    const forward = await run(['a-original.dcm', 'b-resent.dcm', 'c-copy.dcm'], 0);
    const backward = await run(['c-original.dcm', 'a-resent.dcm', 'b-copy.dcm'], 0);
    const threaded = await run(['b-original.dcm', 'a-resent.dcm', 'c-copy.dcm'], 2);
    expect(backward.files).toEqual(forward.files);
    expect(threaded.files).toEqual(forward.files);
  });

  it('moves an earlier run’s output aside when another content of its instance arrives, and resumes both', async () => {
    const original = makeInputs(2).files[0]!.bytes;
    const changed = Buffer.from(original);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 0xff;
    const dir = mkdtempSync(join(tmpdir(), 'deid-in-'));
    writeFileSync(join(dir, 'a.dcm'), original);
    writeFileSync(join(dir, 'b.dcm'), changed);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const request = { outDir: out, reports: { reportDir: `${out}.report`, auditDir: `${out}.audit` } };
    expect((await collect({ ...request, inputs: [join(dir, 'a.dcm')] })).summary.written).toBe(1);
    const [first] = listFiles(out);
    // The second run is not given the first input: the earlier output is found by its name alone, and
    // moves aside instead of being replaced.
    expect((await collect({ ...request, inputs: [join(dir, 'b.dcm')] })).summary.written).toBe(1);
    const outputs = listFiles(out).sort();
    expect(outputs).toHaveLength(2);
    expect(outputs).not.toContain(first);
    for (const p of outputs) {
      const sha = createHash('sha256').update(readFileSync(p)).digest('hex');
      expect(p.endsWith(`_${sha.slice(0, 12)}.dcm`)).toBe(true);
    }
    // The resume state followed the move: a third run given both finds both done, and changes nothing.
    const before = outputs.map((p) => readFileSync(p).toString('hex'));
    const third = await collect({ ...request, inputs: [dir] });
    expect(third.summary).toMatchObject({ written: 0, previouslyWritten: 2, failed: 0 });
    expect(listFiles(out).sort()).toEqual(outputs);
    expect(outputs.map((p) => readFileSync(p).toString('hex'))).toEqual(before);
    // One audit row per output, under its final name.
    const audit = readCsvFile(join(`${out}.audit`, 'deid-audit.csv')).filter((r) => r.status === 'written');
    expect(audit.map((r) => r.output).sort()).toEqual(outputs);
  });

  it('cancels before the next file and leaves no partial output', async () => {
    const { dir } = makeInputs(6);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const controller = new AbortController();
    const summary = await runBatch(
      { inputs: [dir], outDir: out, profile: getPreset('basic'), key, toolVersion: '0.1.0', workers: 0 },
      { signal: controller.signal, onFile: (r) => r.status === 'written' && controller.abort() },
    );
    expect(summary.cancelled).toBe(true);
    expect(summary.written).toBe(1);
    // The walk streams into the batch and stops with it: the total is what it had found by then.
    expect(summary.total).toBeGreaterThan(1);
    expect(summary.total).toBeLessThanOrEqual(6);
    expect(summary.notProcessed).toBe(summary.total - 1);
    expect(listFiles(out).filter((p) => p.endsWith('.part'))).toEqual([]);
    expect(hiddenLeft(out)).toEqual([]);
    const resumed = await runBatch({
      inputs: [dir],
      outDir: out,
      profile: getPreset('basic'),
      key,
      toolVersion: '0.1.0',
      workers: 0,
    });
    expect(resumed).toMatchObject({ written: 5, skipped: 1, failed: 0 });
  });
});

describe('runBatch and its output folder', () => {
  const base = { profile: getPreset('basic'), key, toolVersion: '0.1.0', workers: 0 };

  it('refuses a second run on a folder another run holds, and takes over the lock a crashed run left', async () => {
    const { dir } = makeInputs(4);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    let second: Promise<unknown> | undefined;
    await runBatch(
      { ...base, inputs: [dir], outDir: out },
      {
        onFile: () => {
          // Caught at once: it is refused while the first run still goes on, and looked at after.
          second ??= runBatch({ ...base, inputs: [dir], outDir: out }).catch((e: unknown) => e);
        },
      },
    );
    expect(String(await second)).toMatch(/another run \(process \d+\) is writing into this output folder/);
    // A lock left by a process that is gone (kill -9 leaves one) does not block the next run.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(out, '.deid-lock'), JSON.stringify({ pid: gone, started: '1', host: hostname() }));
    const resumed = await runBatch({ ...base, inputs: [dir], outDir: out });
    expect(resumed).toMatchObject({ skipped: 4, failed: 0 });
    expect(hiddenLeft(out)).toEqual([]);
  });

  it('refuses a second run into the report or audit folder another run holds, leaving no trace of itself', async () => {
    const { dir } = makeInputs(4);
    const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const reports = { reportDir: `${out}.report`, auditDir: `${out}.audit` };
    const others = [`${out}.other`, `${out}.other-report`, `${out}.other-audit`, `${out}.third`];
    let refusals: Promise<unknown[]> | undefined;
    const first = await runBatch(
      { ...base, inputs: [dir], outDir: out, reports },
      {
        onFile: () => {
          const other = (outDir: string, chosen: typeof reports) =>
            runBatch({ ...base, inputs: [dir], outDir, reports: chosen }).catch((e: unknown) => e);
          refusals ??= Promise.all([
            other(others[0]!, { reportDir: reports.reportDir, auditDir: others[2]! }),
            other(others[3]!, { reportDir: others[1]!, auditDir: reports.auditDir }),
          ]);
        },
      },
    );
    expect(first.written).toBe(4);
    const [byReport, byAudit] = (await refusals!).map(String);
    expect(byReport).toMatch(/another run \(process \d+\) is writing into this report folder/);
    expect(byAudit).toMatch(/another run \(process \d+\) is writing into this audit folder/);
    for (const folder of others) expect(existsSync(folder), folder).toBe(false);
    expect(readCsvFile(join(reports.auditDir, 'deid-audit.csv')).map((r) => r.input_no)).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    // Released at the end: the next run into the same folders goes ahead.
    const next = await runBatch({ ...base, inputs: [dir], outDir: others[0]!, reports });
    expect(next.written).toBe(4);
  });

  it('keeps the resume state beside the output folder, and refuses a file or an unwritable folder before creating anything', async () => {
    const { dir } = makeInputs(2);
    const parent = mkdtempSync(join(tmpdir(), 'deid-out-'));
    const out = join(parent, 'out');
    await runBatch({ ...base, inputs: [dir], outDir: out });
    expect(readdirSync(parent).sort()).toEqual(['out', 'out.deid-state']);
    writeFileSync(join(parent, 'a-file'), 'x');
    await expect(runBatch({ ...base, inputs: [dir], outDir: join(parent, 'a-file') })).rejects.toThrow(
      /names an existing file/,
    );
    if (process.getuid?.() !== 0) {
      const locked = join(parent, 'locked');
      mkdirSync(locked, { mode: 0o500 });
      await expect(runBatch({ ...base, inputs: [dir], outDir: join(locked, 'out') })).rejects.toThrow(
        /cannot be created: permission denied/,
      );
    }
    expect(readdirSync(parent).sort()).toEqual(
      ['a-file', 'out', 'out.deid-state', ...(process.getuid?.() !== 0 ? ['locked'] : [])].sort(),
    );
  });

  // An output folder at the root of its own file system (a USB stick, a share): moving files into place
  // from a temporary folder beside it would cross file systems (EXDEV). Needs root to mount.
  it.skipIf(!canMountTmpfs)('writes into a folder that is the root of a mount', async () => {
    const { dir } = makeInputs(4);
    await withTmpfs('size=4m', async (mount) => {
      const summary = await runBatch({ ...base, inputs: [dir], outDir: mount, stateDir: `${mount}-state` });
      expect(summary).toMatchObject({ written: 4, failed: 0 });
      expect(listFiles(mount)).toHaveLength(4);
      expect(hiddenLeft(mount)).toEqual([]);
    });
  });
});

describe('runBatch --dicomdir', () => {
  it('names outputs as a file-set, writes a DICOMDIR that dcmdump reads, and keeps it whole across a resume', async () => {
    const { dir, files } = makeInputs(6);
    const out = mkdtempSync(join(tmpdir(), 'deid-dd-'));
    const request = {
      inputs: [dir],
      outDir: out,
      profile: getPreset('basic'),
      key,
      toolVersion: '0.1.0',
      workers: 0,
      dicomdir: true,
    };
    const controller = new AbortController();
    await runBatch(request, {
      signal: controller.signal,
      onFile: (r) => r.status === 'written' && controller.abort(),
    });
    expect(existsSync(join(out, 'DICOMDIR'))).toBe(false);
    const summary = await runBatch(request);
    expect(summary).toMatchObject({ written: 5, skipped: 1 });
    const outputs = listFiles(out).filter((p) => !p.endsWith('DICOMDIR'));
    expect(outputs).toHaveLength(6);
    for (const p of outputs)
      expect(p.slice(out.length + 1)).toMatch(/^DEID\/P\d{4}\/S\d{4}\/SE\d{4}\/I\d{4}$/);
    const dicomdir = join(out, 'DICOMDIR');
    const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(dicomdir))));
    const ids: string[] = [];
    walkElements(parsed.source, parsed.dataset, (el, ctx) => {
      if (el.tag === 0x00041500)
        ids.push(readText(parsed.source, el, ctx.vr, undefined).split('\\').join('/'));
      return true;
    });
    expect(ids.sort()).toEqual(outputs.map((p) => p.slice(out.length + 1)).sort());
    const text = readFileSync(dicomdir).toString('latin1');
    for (const s of phiStrings(files)) expect(text.includes(s)).toBe(false);
    if (hasTool('dcmdump')) expect(dcmdumpErrors(dicomdir)).toEqual([]);
  });
});

describe('runBatch when a worker thread dies', () => {
  // Stand-in workers: one answers every file but crashes on the third; one cannot work at all.
  const fakeWorker = (body: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'deid-w-')), 'worker.cjs');
    writeFileSync(
      path,
      `const { parentPort } = require('node:worker_threads');\nparentPort.on('message', (task) => {${body}});`,
    );
    return path;
  };
  const base = { profile: getPreset('basic'), key, toolVersion: '0.1.0', workers: 2 };

  it('fails only the files the dead worker held, replaces it and finishes the batch', async () => {
    const { dir } = makeInputs(8);
    const workerScript = fakeWorker(
      "if (task.id === 2) process.exit(3); parentPort.postMessage([{ id: task.id, status: 'skipped', reason: 'stand-in', inputBytes: 0, verification: 'not-run' }]);",
    );
    const results: BatchFileResult[] = [];
    const summary = await runBatch(
      { ...base, inputs: [dir], outDir: mkdtempSync(join(tmpdir(), 'deid-out-')), workerScript },
      { onFile: (r) => results.push(r) },
    );
    expect(summary.total).toBe(8);
    expect(summary.notProcessed).toBe(0);
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    // The crashing file and those queued behind it in that worker.
    expect(failed.length).toBeLessThanOrEqual(PER_WORKER);
    for (const r of failed)
      expect(r.reason).toMatch(/worker handling this file ran out of memory or crashed/);
    expect(results.filter((r) => r.status === 'skipped').length).toBe(8 - failed.length);
  });

  it('never hangs when no worker can run: every file fails with the reason', async () => {
    const { dir } = makeInputs(4);
    const workerScript = fakeWorker("throw new Error('cannot start');");
    const summary = await runBatch({
      ...base,
      inputs: [dir],
      outDir: mkdtempSync(join(tmpdir(), 'deid-out-')),
      workerScript,
    });
    expect(summary).toMatchObject({ total: 4, failed: 4, written: 0, notProcessed: 0 });
  });
});

describe('runBatch (worker threads, built bundle)', () => {
  const workerScript = join(root, 'dist/cli/batch-worker.js');
  /**
   * The real worker behind a stand-in: `body` replaces parentPort.postMessage (the original is `send`) and
   * may append what it sees to the file `noted`.
   */
  const wrappedWorker = (body: string) => {
    const wrapDir = mkdtempSync(join(tmpdir(), 'deid-w-'));
    const noted = join(wrapDir, 'noted');
    const script = join(wrapDir, 'worker.mjs');
    writeFileSync(
      script,
      `import { appendFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
const note = (text) => appendFileSync(${JSON.stringify(noted)}, text);
const send = parentPort.postMessage.bind(parentPort);
${body}
await import(${JSON.stringify(workerScript)});
`,
    );
    return { script, noted };
  };
  beforeAll(() => {
    execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  }, 120_000);

  it('of byte-identical inputs writes the lowest-numbered, whatever order the workers finish them in', async () => {
    const [a, b] = makeInputs(2).files;
    const dir = mkdtempSync(join(tmpdir(), 'deid-in-'));
    // Inputs 1 and 2 are one file, 3 and 4 another.
    for (const [name, file] of [
      ['1.dcm', a],
      ['2.dcm', a],
      ['3.dcm', b],
      ['4.dcm', b],
    ] as const)
      writeFileSync(join(dir, name), file!.bytes);
    // A stand-in that answers each pair of files in reverse order (the second file's outcome first) and
    // notes the order it answered in. A worker leaves out an attributes text it sent before (outcome-wire),
    // which holds only in its own order: reordered, each outcome carries its text again.
    const { script: swapping, noted: answered } = wrappedWorker(`
let attributes;
const whole = (o) => {
  if (!o.reportPart) return o;
  if (o.reportPart.attributes !== undefined) attributes = o.reportPart.attributes;
  return { ...o, reportPart: { ...o.reportPart, attributes } };
};
const post = (o) => { note(o.id + ','); send([o]); };
let held;
let timer;
const release = () => { clearTimeout(timer); const h = held; held = undefined; if (h) post(h); };
const answer = (o) => {
  if (held) {
    post(o);
    release();
  } else { held = o; timer = setTimeout(release, 500); }
};
parentPort.postMessage = (message) => { for (const o of message) answer(whole(o)); };`);
    const runWith = async (script: string) => {
      const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
      const auditDir = `${out}.audit`;
      const { summary, results } = await collect({
        inputs: [dir],
        outDir: out,
        workers: 1,
        workerScript: script,
        reports: { auditDir, reportDir: `${out}.report` },
      });
      expect(summary).toMatchObject({ written: 2, skipped: 2, failed: 0 });
      const audit = readCsvFile(join(auditDir, 'deid-audit.csv'));
      const outputs = listFiles(out).map((p) => [p.slice(out.length), readFileSync(p).toString('hex')]);
      return { results, audit, outputs: outputs.sort(), out };
    };
    const swapped = await runWith(swapping);
    // The outcomes really came out of order: 2 before 1, 4 before 3.
    expect(readFileSync(answered, 'utf8')).toBe('1,0,3,2,');
    const status = (n: number) => swapped.results.find((r) => r.input === join(dir, `${n}.dcm`));
    expect([1, 2, 3, 4].map((n) => status(n)?.status)).toEqual(['written', 'skipped', 'written', 'skipped']);
    expect(status(2)?.reason).toBe('duplicate: the same instance with the same content as input 1');
    expect(status(4)?.reason).toBe('duplicate: the same instance with the same content as input 3');
    // The audit links each output to the first input, and lists the inputs in their order.
    expect(swapped.audit.map((r) => [r.input_no, r.status])).toEqual([
      ['1', 'written'],
      ['2', 'skipped'],
      ['3', 'written'],
      ['4', 'skipped'],
    ]);
    // In order, the same outputs and the same audit (times aside).
    const inOrder = await runWith(workerScript);
    expect(inOrder.outputs).toEqual(swapped.outputs);
    const rows = (r: typeof swapped) =>
      r.audit.map(({ timestamp: _, ...row }) => ({ ...row, output: row.output?.slice(r.out.length) }));
    expect(rows(inOrder)).toEqual(rows(swapped));
  });

  it('de-identifies files whose names are not valid UTF-8, in threads and in-process, naming them with U+FFFD', async () => {
    const { dir, files } = makeInputs(2);
    const name = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('caf\xe9.dcm', 'latin1')]);
    writeFileSync(name, makeInputs(2, 12).files[0]!.bytes);
    for (const workers of [0, 2]) {
      const out = mkdtempSync(join(tmpdir(), 'deid-out-'));
      const audit = join(mkdtempSync(join(tmpdir(), 'deid-audit-')), 'a');
      const { summary, results } = await collect({
        inputs: [dir],
        outDir: out,
        workers,
        workerScript,
        reports: { auditDir: audit, reportDir: `${out}.report` },
      });
      expect(summary).toMatchObject({ written: files.length + 1, failed: 0 });
      expect(results.find((r) => r.input === join(dir, 'caf\uFFFD.dcm'))?.status).toBe('written');
      expect(readFileSync(join(audit, 'deid-audit.csv'), 'utf8')).toContain('caf\uFFFD.dcm');
    }
  });

  it('answers small files several to a message, each file once, with the outputs of an in-process run', async () => {
    const { dir } = makeInputs(24);
    // A stand-in that notes how many outcomes each message of the real worker carried.
    const { script: counting, noted: sizes } = wrappedWorker(
      "parentPort.postMessage = (message) => { note(message.length + ','); send(message); };",
    );
    const base = { inputs: [dir], profile: getPreset('basic'), key, toolVersion: '0.1.0' };
    const { inline, threaded, summary } = await inlineAndThreaded(base, 1, counting);
    expect(summary).toMatchObject({ written: 24, failed: 0, notProcessed: 0 });
    const perMessage = readFileSync(sizes, 'utf8').split(',').filter(Boolean).map(Number);
    expect(perMessage.reduce((a, b) => a + b, 0)).toBe(24);
    expect(Math.max(...perMessage)).toBeGreaterThan(1);
    expect(perMessage.length).toBeLessThan(24);
    expect(dcmContents(threaded)).toEqual(dcmContents(inline));
  });

  it('gives the same outputs as in-process, and a cancel leaves no partial file', async () => {
    const { dir } = makeInputs(20);
    const base = { inputs: [dir], profile: getPreset('basic'), key, toolVersion: '0.1.0' };
    const { inline, threaded, summary } = await inlineAndThreaded(base, 2, workerScript);
    expect(summary.written).toBe(20);
    expect(dcmContents(threaded)).toEqual(dcmContents(inline));

    const cancelled = mkdtempSync(join(tmpdir(), 'deid-c-'));
    const controller = new AbortController();
    let seen = 0;
    const s = await runBatch(
      { ...base, outDir: cancelled, workers: 2, workerScript },
      { signal: controller.signal, onFile: () => ++seen === 3 && controller.abort() },
    );
    expect(s.cancelled).toBe(true);
    expect(s.written + s.notProcessed).toBe(20);
    expect(listFiles(cancelled).filter((p) => p.endsWith('.part'))).toEqual([]);
    expect(hiddenLeft(cancelled)).toEqual([]);
  });
});

/** The DICOM files under `root`, by path below it, with their bytes. */
const dcmContents = (root: string) =>
  listFiles(root)
    .filter((p) => p.endsWith('.dcm'))
    .map((p) => [p.slice(root.length), readFileSync(p).toString('hex')])
    .sort();

/** One batch in this thread and one in `workers` threads of `workerScript`, each into a folder of its own. */
async function inlineAndThreaded(
  base: Pick<BatchRequest, 'inputs' | 'profile' | 'key' | 'toolVersion'>,
  workers: number,
  workerScript: string,
) {
  const inline = mkdtempSync(join(tmpdir(), 'deid-a-'));
  const threaded = mkdtempSync(join(tmpdir(), 'deid-b-'));
  await runBatch({ ...base, outDir: inline, workers: 0 });
  const summary = await runBatch({ ...base, outDir: threaded, workers, workerScript });
  return { inline, threaded, summary };
}
