import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardSelector } from '../node/batch/shard.js';
import { readCsvFile } from '../node/reports/read.js';
import { keyFromBytes } from '../shared/anonymize/key.js';
import { canMountTmpfs, withTmpfs } from '../test/mount.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const N = 4;

const dir = mkdtempSync(join(tmpdir(), 'deid-shard-'));
// The input: the corpus (through a link, so a single input root holds it) and a copy of one of its files
// elsewhere. That file has no Study Instance UID, so it and its copy are sharded by path: two inputs with
// one SOP Instance UID and the same de-identified bytes, which the key below puts in different shards.
const INPUT = join(dir, 'in');
const ORIGINAL = join(INPUT, 'corpus', 'fo-dicom+fo-dicom', 'TestData', 'charset', 'chrSQEncoding.dcm');
const COPY = join(INPUT, 'copies', 'chrSQEncoding.dcm');
const home = join(dir, 'home');
const keyFile = join(dir, 'project.key');
// Sharding is about which inputs go where and what the outputs are named, not about the pixels: without
// Clean Pixel Data no text is searched for in the images (hours of OCR for five runs of the corpus on two
// cores); the files whose pixels are at risk are then held, which the runs must agree on just the same.
const profileFile = join(dir, 'no-pixel-cleaning.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fixed key under which the copy and its original fall into different shards, so that case is covered. */
function keySplittingCopy(): Buffer {
  for (let i = 0; ; i++) {
    const secret = createHash('sha256').update(`dicom-deid shard test ${i}`).digest();
    const selector = new ShardSelector({ index: 1, count: N, by: 'study' }, keyFromBytes(secret), [INPUT]);
    if (selector.shardOf(ORIGINAL) !== selector.shardOf(COPY)) return secret;
  }
}

function cli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, HOME: home } });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.resume();
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const folders = (name: string) => ({
  out: join(dir, name, 'out'),
  report: join(dir, name, 'report'),
  audit: join(dir, name, 'audit'),
});
const single = folders('single');
const shards = Array.from({ length: N }, (_, i) => folders(`shard-${i + 1}`));
const anonymize = (f: ReturnType<typeof folders>, ...extra: string[]) =>
  cli([
    'anonymize',
    INPUT,
    '--out',
    f.out,
    '--report',
    f.report,
    '--audit',
    f.audit,
    '--key-file',
    keyFile,
    '--workers',
    '1',
    '--profile',
    profileFile,
    ...extra,
  ]);

/** Every file under `root` by its path below it, with its SHA-256. */
function tree(root: string): Map<string, string> {
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  return new Map(
    files.map((d) => {
      const path = join(d.parentPath, d.name);
      return [relative(root, path), createHash('sha256').update(readFileSync(path)).digest('hex')];
    }),
  );
}

const merge = (out: string, reports: string[], audits: string[], extra: string[] = []) =>
  spawnSync(
    process.execPath,
    [CLI, 'merge-reports', ...reports, '--report', join(out, 'report'), '--audit', join(out, 'audit')].concat(
      ['--audit-in', ...audits, ...extra],
    ),
    { encoding: 'utf8', env: { ...process.env, HOME: home } },
  );

/** The JSON report without the two times that differ between any two runs. */
const reportJson = (folder: string) =>
  readFileSync(join(folder, 'deid-report.json'), 'utf8').replace(/"(startedAt|finishedAt)": "[^"]*"/g, '');
/**
 * Audit rows without the time and the path of the copy kept for review (each run keeps its own), sorted:
 * a run appends the line of an output moved to its content-hash name when the second content arrives.
 */
const auditRows = (folder: string) =>
  readCsvFile(join(folder, 'deid-audit.csv'))
    .map(({ timestamp, quarantine, ...rest }) => JSON.stringify(rest))
    .sort();
const sortedLines = (file: string) => readFileSync(file, 'utf8').split('\r\n').sort();

describe('four shards, as four separate processes, write what one run writes', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    mkdirSync(join(INPUT, 'copies'), { recursive: true });
    symlinkSync(CORPUS, join(INPUT, 'corpus'));
    copyFileSync(ORIGINAL, COPY);
    writeFileSync(keyFile, `${keySplittingCopy().toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(profileFile, JSON.stringify({ name: 'shards', withoutOptions: ['cleanPixelData'] }));
    const runs = await Promise.all([
      anonymize(single),
      ...shards.map((f, i) => anonymize(f, '--shard', `${i + 1}/${N}`, '--shard-by', 'study')),
    ]);
    // The corpus holds damaged files and images held for review, so 1 is the expected status.
    for (const r of runs) expect(r.status, r.stderr).toBe(1);
  }, 600_000);

  it('splits the inputs into disjoint shards that together are all of them, the copy apart', () => {
    // An input has one audit line, and one more when its output moved to a content-hash name.
    const inputsOf = (audit: string) => [
      ...new Set(readCsvFile(join(audit, 'deid-audit.csv')).map((r) => r.input!)),
    ];
    const perShard = shards.map((f) => inputsOf(f.audit));
    const all = perShard.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(inputsOf(single.audit)));
    for (const inputs of perShard) expect(inputs.length).toBeGreaterThan(all.length / N / 3);
    const shardOf = (path: string) => perShard.findIndex((inputs) => inputs.includes(path));
    expect(shardOf(ORIGINAL)).not.toBe(shardOf(COPY));
  });

  it('writes the same bytes under the same names: the union of the shard folders is the single run', () => {
    const union = new Map<string, string>();
    for (const f of shards)
      for (const [path, sha] of tree(f.out)) {
        // A name two shards both wrote must hold the same bytes in both.
        expect(union.get(path) ?? sha).toBe(sha);
        union.set(path, sha);
      }
    const whole = tree(single.out);
    expect(whole.size).toBeGreaterThan(150);
    expect(union).toEqual(whole);
  });

  it('merge-reports gives the single run’s report, audit and crosswalks, whatever the order of shards', () => {
    const merged = join(dir, 'merged');
    const r = merge(
      merged,
      shards.map((f) => f.report),
      shards.map((f) => f.audit),
      ['--out', single.out],
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('(1 written by two shards, counted once)');
    expect(reportJson(join(merged, 'report'))).toBe(reportJson(single.report));
    expect(readFileSync(join(merged, 'report', 'deid-report.csv'))).toEqual(
      readFileSync(join(single.report, 'deid-report.csv')),
    );
    expect(auditRows(join(merged, 'audit'))).toEqual(auditRows(single.audit));
    for (const name of ['uid-crosswalk.csv', 'patient-id-crosswalk.csv'])
      expect(sortedLines(join(merged, 'audit', name))).toEqual(sortedLines(join(single.audit, name)));

    const reversed = join(dir, 'reversed');
    const back = merge(
      reversed,
      shards.map((f) => f.report).reverse(),
      shards.map((f) => f.audit).reverse(),
      ['--out', single.out],
    );
    expect(back.status, back.stderr).toBe(0);
    for (const file of ['report/deid-report.json', 'report/deid-report.csv', 'audit/deid-audit.csv'])
      expect(readFileSync(join(reversed, file))).toEqual(readFileSync(join(merged, file)));
    for (const name of ['uid-crosswalk.csv', 'patient-id-crosswalk.csv'])
      expect(readFileSync(join(reversed, 'audit', name))).toEqual(readFileSync(join(merged, 'audit', name)));
  });

  // A full disk, as on a small USB stick: needs root to mount a tiny file system.
  it.skipIf(!canMountTmpfs)(
    'a merge onto a full disk says so, exit 1, and leaves nothing behind',
    async () => {
      await withTmpfs('size=64k', (mount) => {
        const r = merge(
          mount,
          shards.map((f) => f.report),
          shards.map((f) => f.audit),
        );
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toBe('dicom-deid: the disk is full (ENOSPC); stopped\n');
        expect(readdirSync(mount)).toEqual([]);
      });
    },
  );

  it('refuses to merge into a report folder that already holds a report, creating nothing', () => {
    const r = merge(
      join(dir, 'merged'),
      shards.map((f) => f.report),
      shards.map((f) => f.audit),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('already holds a report');
  });
});
