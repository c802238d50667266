import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCrosswalkCsv, readCsvFile } from '../node/reports/read.js';
import { makeCtStudy } from '../scripts/synth/index.js';
import { canMountTmpfs, withTmpfs } from '../test/mount.js';

// Interrupted and starved runs through the built command, as a user runs it: outputs and the private
// records that link them back must never disagree, whatever moment the run ends.
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const dir = mkdtempSync(join(tmpdir(), 'deid-durable-'));
const home = join(dir, 'home');
const inputs = join(dir, 'in');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  const files = makeCtStudy({
    patients: 3,
    seriesPerPatient: 2,
    instancesPerSeries: 20,
    rows: 64,
    cols: 64,
    frames: 1,
    syntax: 'explicit-le',
    seed: 5,
  });
  for (const f of files) {
    const p = join(inputs, f.relativePath);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
  }
}, 120_000);

const args = (out: string, audit: string, ...more: string[]) => [
  CLI,
  'anonymize',
  inputs,
  '--out',
  out,
  '--audit',
  audit,
  '--report',
  `${audit}-report`,
  '--json',
  ...more,
];
const env = { ...process.env, HOME: home };

/** Every file under `out`, by its path relative to `out`. */
function filesUnder(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(out, join(d.parentPath, d.name)));
}

function outputsOf(out: string): Map<string, string> {
  return new Map(
    filesUnder(out).map((p) => [
      p,
      createHash('sha256')
        .update(readFileSync(join(out, p)))
        .digest('hex'),
    ]),
  );
}

/** How many outputs are in place (not the run's temporary files), without reading them. */
const placedOutputs = (out: string): number => filesUnder(out).filter((p) => !p.startsWith('.')).length;

/** Audit rows of written outputs, keyed by output path relative to `out`. */
function auditedOutputs(audit: string, out: string): Map<string, string[]> {
  const rows = existsSync(join(audit, 'deid-audit.csv')) ? readCsvFile(join(audit, 'deid-audit.csv')) : [];
  const byOutput = new Map<string, string[]>();
  for (const row of rows.filter((r) => r.status === 'written')) {
    const key = relative(out, row.output!);
    byOutput.set(key, [...(byOutput.get(key) ?? []), row.output_sha256!]);
  }
  return byOutput;
}

/**
 * A run's summary and, when it could publish one, its shareable report say what the output folder holds:
 * its outputs written, every other input the run recorded failed or skipped, the counts alike.
 */
function expectReportOfFolder(
  printed: {
    files: Array<{ status: string; output: string | null }>;
    summary: Record<string, number> & { reportProblem?: string };
  },
  out: string,
  reportDir: string,
  written: Map<string, string>,
) {
  const placed = printed.files.filter((f) => f.status === 'written').map((f) => relative(out, f.output!));
  expect(new Set(placed)).toEqual(new Set(written.keys()));
  expect(printed.summary.written).toBe(written.size);
  const path = join(reportDir, 'deid-report.json');
  if (!existsSync(path)) {
    // The disk was still full at the end: the summary says so, and only the parts (and the resume state)
    // that a next run carries over remain.
    expect(printed.summary.reportProblem).toMatch(/ENOSPC/);
    if (existsSync(reportDir))
      expect(readdirSync(reportDir).filter((n) => !n.endsWith('.part') && n !== '.deid-state')).toEqual([]);
    return;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const entries = report.files as Array<{ status: string; output: string | null; outputSha256: string }>;
  expect(
    new Map(entries.filter((e) => e.status === 'written').map((e) => [e.output, e.outputSha256])),
  ).toEqual(written);
  for (const key of ['written', 'skipped', 'failed', 'held'])
    expect(report.summary[key], key).toBe(printed.summary[key]);
  expect(entries).toHaveLength(printed.files.length);
  const rows = readCsvFile(join(reportDir, 'deid-report.csv'));
  expect(rows.map((row) => [Number(row.input_no), row.status])).toEqual(
    (report.files as Array<{ inputNo: number; status: string }>).map((e) => [e.inputNo, e.status]),
  );
}

/** Seeded, so a failure can be replayed. */
function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('durability of a run', () => {
  it('kill -9 at random moments, then resume: outputs equal a clean run, one audit row per output and mapping', async () => {
    const clean = join(dir, 'clean');
    const cleanAudit = join(dir, 'clean-audit');
    expect(spawnSync(process.execPath, args(clean, cleanAudit), { env }).status).toBe(0);
    const expected = outputsOf(clean);
    expect(expected.size).toBe(120);

    const out = join(dir, 'killed');
    const audit = join(dir, 'killed-audit');
    const random = seeded(42);
    const seenAfterKill: number[] = [];
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, args(out, audit, '--workers', '2'), { env, stdio: 'ignore' });
      let ended = false;
      const exited = new Promise((r) => child.once('exit', r)).then(() => {
        ended = true;
      });
      // Killed a random moment after this round placed an output of its own: mid-run whatever the speed of
      // the machine (a fixed delay outlived a whole run once the batch got faster).
      const before = placedOutputs(out);
      const deadline = Date.now() + 60_000;
      while (!ended && placedOutputs(out) <= before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, random() * 40));
      child.kill('SIGKILL');
      // Listening from the start: a run that ended before the kill must not leave the test waiting forever.
      await exited;
      // Whenever it died: every output in place is whole and has its audit line.
      const audited = auditedOutputs(audit, out);
      seenAfterKill.push(outputsOf(out).size);
      for (const [path, sha] of outputsOf(out)) {
        if (path.startsWith('.')) continue;
        expect(sha, path).toBe(expected.get(path));
        expect(audited.get(path), `audit line for ${path} after kill ${round + 1}`).toEqual([sha]);
      }
    }
    // The kills really did land mid-run.
    expect(
      seenAfterKill.some((n) => n < expected.size),
      seenAfterKill.join(','),
    ).toBe(true);
    const last = spawnSync(process.execPath, args(out, audit), { env, encoding: 'utf8' });
    expect(last.status, last.stderr).toBe(0);
    expect(outputsOf(out)).toEqual(expected);
    // The shareable report describes every output as the clean run's does, also those written by the
    // killed runs, whose reports were never published.
    const entries = (audit: string) =>
      new Map(
        (
          JSON.parse(readFileSync(join(`${audit}-report`, 'deid-report.json'), 'utf8')).files as Array<
            Record<string, unknown>
          >
        )
          .filter((e) => e.status === 'written')
          .map(({ inputNo: _, ...e }) => [e.output, e]),
      );
    expect(entries(audit)).toEqual(entries(cleanAudit));
    expect(readdirSync(`${audit}-report`)).not.toContain('deid-report.json.interrupted');
    const audited = auditedOutputs(audit, out);
    expect(new Map([...audited].map(([p, shas]) => [p, shas[0]]))).toEqual(expected);
    for (const [path, shas] of audited) expect(shas, path).toHaveLength(1);
    for (const name of ['uid-crosswalk.csv', 'patient-id-crosswalk.csv']) {
      const rows = readCrosswalkCsv(join(audit, name));
      expect(new Set(rows.map(([o]) => o)).size, name).toBe(rows.length);
      expect(new Map(rows)).toEqual(new Map(readCrosswalkCsv(join(cleanAudit, name))));
    }
  }, 120_000);

  // A full disk, as on a small USB stick: needs root to mount a tiny file system.
  it.skipIf(!canMountTmpfs)(
    'a full disk under the outputs or under the audit ends the run cleanly: reason, exit 1, every output audited',
    async () => {
      // `both`: the outputs, the audit and the report share a disk that fills during the run, as a USB
      // stick given everything does: a group of records is cut short with its outputs not in place.
      const sizes = { out: 256, audit: 40, both: 640 };
      for (const full of ['out', 'audit', 'both'] as const) {
        await withTmpfs(`size=${sizes[full]}k`, (mount) => {
          const out = full === 'audit' ? join(dir, `full-${full}-out`) : join(mount, 'out');
          const audit = full === 'out' ? join(dir, `full-${full}-audit`) : join(mount, 'audit');
          // One worker for a full output disk: with two, the second may fill it with outputs waiting for
          // the first input's, and then no output was finished before the disk was full.
          const more = full === 'audit' ? [] : ['--workers', '1'];
          const r = spawnSync(process.execPath, args(out, audit, ...more), { env, encoding: 'utf8' });
          expect(r.status, r.stderr).toBe(1);
          expect(r.stderr).toMatch(/the run stopped before the end: .*the disk is full \(ENOSPC\)/);
          expect(r.stderr).not.toMatch(/\n\s+at |unexpected/);
          const written = outputsOf(out);
          // Outputs finished before a full output disk are committed before the run stops. A full audit
          // disk may stop it within its first group of records, whose outputs are then never placed.
          if (full !== 'audit') expect(written.size).toBeGreaterThan(0);
          expect(written.size).toBeLessThan(120);
          expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
          const audited = auditedOutputs(audit, out);
          for (const [path, sha] of written) expect(audited.get(path), path).toEqual([sha]);
          expectReportOfFolder(JSON.parse(r.stdout), out, `${audit}-report`, written);
        });
      }
    },
  );
});
