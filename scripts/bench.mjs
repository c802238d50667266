#!/usr/bin/env node
// Times `dicom-deid anonymize` (and `scan`) against the copy floor (`cp -rT`) and gdcmanon on synthetic
// corpora generated reproducibly into .bench/, and checks the targets of issue 11 (speed and memory).
// Tools run alternately within each round, so drift on a shared machine hits them alike; ratios are taken
// round by round and their median reported, as in benchmarks.md.
//
//   node scripts/bench.mjs [--quick] [--only a,b,…,h] [--runs N]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSynth, SYNTH_BUNDLE } from './synth/load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(root, '.bench');
const CLI = join(root, 'dist/cli/dicom-deid.js');
const TIME = '/usr/bin/time';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
const quick = args.quick;
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');

const common = { syntax: 'explicit-le', seed: 1, rows: 512, cols: 512, frames: 1 };
// Single-frame ultrasound screens (d–f) and 300-frame cines (g, h), as scanners write both.
const ultrasound = {
  ...common,
  patients: quick ? 4 : 20,
  seriesPerPatient: 1,
  instancesPerSeries: 10,
  rows: 480,
  cols: 640,
};
// The cines declare Burned In Annotation NO (as some scanners do, text or not), so the text detector does
// not search them first and the rows time the banner rule's cleaning of every frame (searching 300 frames
// for text takes minutes per file: the detector's own benchmark, issue 10).
const cine = {
  ...ultrasound,
  patients: quick ? 2 : 5,
  instancesPerSeries: 1,
  frames: 300,
  declaresBurnedIn: false,
};
const CORPORA = {
  a: {
    title: 'CT files 512×512×16-bit',
    options: { ...common, patients: 20, seriesPerPatient: 2, instancesPerSeries: quick ? 5 : 50 },
  },
  b: {
    title: 'Enhanced CT file, 512×512×16-bit frames',
    options: {
      ...common,
      patients: 1,
      seriesPerPatient: 1,
      instancesPerSeries: 1,
      frames: quick ? 200 : 2000,
    },
  },
  c: {
    title: 'small CT files 64×64×16-bit',
    options: {
      ...common,
      patients: quick ? 10 : 100,
      seriesPerPatient: 4,
      instancesPerSeries: 50,
      rows: 64,
      cols: 64,
    },
  },
  d: {
    title: 'ultrasound files 640×480 RGB, name burned in',
    modality: 'US',
    options: ultrasound,
  },
  // The compressed syntaxes ultrasound machines write: corpus d converted by dcmtk, cleaned in RLE by
  // decode–fill–encode and in JPEG baseline in the compressed domain.
  e: {
    title: 'ultrasound files 640×480 RGB, RLE',
    modality: 'US',
    convert: ['dcmcrle'],
    options: ultrasound,
  },
  f: {
    title: 'ultrasound files 640×480 RGB, JPEG baseline',
    modality: 'US',
    convert: ['dcmcjpeg', '+eb'],
    options: ultrasound,
  },
  // Every frame of a cine is cleaned, so these time the frame pipeline (and its bounded memory: cleaned
  // frames wait in a temporary file, not in memory); JPEG baseline comes out as YBR_FULL_422, as scanners
  // write it.
  g: { title: 'ultrasound cines 640×480 RGB, RLE', modality: 'US', convert: ['dcmcrle'], options: cine },
  h: {
    title: 'ultrasound cines 640×480 YBR_FULL_422, JPEG baseline',
    modality: 'US',
    convert: ['dcmcjpeg', '+eb'],
    options: cine,
  },
};
const keys = args.only ? args.only.split(',') : Object.keys(CORPORA);
if (!keys.every((k) => k in CORPORA))
  throw new Error(`--only takes some of ${Object.keys(CORPORA).join(', ')} (comma-separated)`);

const synth = await loadSynth();
const generator = createHash('sha256').update(readFileSync(SYNTH_BUNDLE)).digest('hex');

/** Generates a corpus unless .bench already holds the one this generator and these options would make. */
function ensureCorpus(key) {
  const { options } = CORPORA[key];
  const dir = join(BENCH, 'corpus', `${key}${quick ? '-quick' : ''}`);
  // The stamp lives beside the corpus, not in it: gdcmanon stops at the first file that is not DICOM.
  const stampPath = `${dir}.json`;
  const identity = JSON.stringify({ options, generator });
  if (existsSync(stampPath)) {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    if (stamp.identity === identity && existsSync(dir)) return { dir, ...stamp };
  }
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  let files = 0;
  let bytes = 0;
  const { convert } = CORPORA[key];
  for (const file of synth.studyFiles(CORPORA[key].modality ?? 'CT', options)) {
    synth.writeSynthFile(dir, file);
    const path = join(dir, file.relativePath);
    files++;
    if (!convert) bytes += file.head.length + file.pixelLength;
    else {
      const run = spawnSync(convert[0], [...convert.slice(1), path, `${path}.tmp`], { stdio: 'ignore' });
      if (run.status !== 0) throw new Error(`${convert[0]} could not convert a generated file`);
      renameSync(`${path}.tmp`, path);
      bytes += statSync(path).size;
    }
  }
  const stamp = { identity, files, bytes };
  writeFileSync(stampPath, JSON.stringify(stamp));
  console.log(
    `generated corpus ${key}: ${files} files, ${mb(bytes)} MB in ${sec(performance.now() - started)} s`,
  );
  return { dir, ...stamp };
}

const hasCommand = (cmd, ...argv) => spawnSync(cmd, argv, { stdio: 'ignore' }).status === 0;

/** gdcmanon -e encrypts the removed attributes for a recipient, so it needs a certificate: a throwaway one. */
function gdcmCertificate() {
  const dir = join(BENCH, 'gdcm');
  const cert = join(dir, 'cert.pem');
  if (existsSync(cert)) return cert;
  if (!hasCommand('openssl', 'version')) return undefined;
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'key.pem');
  const subject = '/CN=dicom-deid bench';
  const req = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    subject,
    '-keyout',
    key,
    '-out',
    cert,
  ];
  const made = spawnSync('openssl', req, { stdio: 'ignore' });
  return made.status === 0 ? cert : undefined;
}

/** Whether our CLI has the command yet: it exists, answers --help successfully and names the command. */
function cliCommand(name) {
  if (!existsSync(CLI)) return 'not available yet (dist/cli/dicom-deid.js is not built)';
  const help = spawnSync(process.execPath, [CLI, name, '--help'], { encoding: 'utf8' });
  return help.status === 0 && `${help.stdout}${help.stderr}`.includes(name) ? undefined : 'not available yet';
}

/** A profile file for corpus d: the banner box as a site rule, with Clean Pixel Data on or off. */
function pixelProfile(on) {
  const path = join(BENCH, `pixels-${on ? 'on' : 'off'}.json`);
  const { cols } = CORPORA.d.options;
  const rule = {
    label: 'bench banner',
    match: { modality: 'US' },
    regions: [{ x: 0, y: 0, width: cols, height: 64 }],
  };
  const profile = { name: `bench pixels ${on ? 'on' : 'off'}`, pixelRules: [rule] };
  writeFileSync(path, JSON.stringify(on ? profile : { ...profile, withoutOptions: ['cleanPixelData'] }));
  return path;
}

const hasGdcm = hasCommand('gdcmanon', '--version');
const cert = hasGdcm ? gdcmCertificate() : undefined;
// Top-level identifying attributes, so --dumb does the kind of edit it can do rather than a plain copy.
const DUMB_EDITS = ['10,10', '10,20', '10,30', '8,50', '8,80', '8,90', '10,1040', '10,2154'].flatMap((t) => [
  '--empty',
  t,
]);
const TOOLS = [
  { id: 'cp', label: 'cp -rT (copy floor)', cmd: 'cp', argv: (input, out) => ['-rT', input, out] },
  {
    id: 'gdcmanon-dumb',
    label: 'gdcmanon --dumb (8 top-level tags)',
    gdcm: true,
    unavailable: hasGdcm ? undefined : 'not installed',
    cmd: 'gdcmanon',
    argv: (input, out) => ['--dumb', '-r', '-i', input, '-o', out, ...DUMB_EDITS],
  },
  {
    id: 'gdcmanon-e',
    label: 'gdcmanon -e (Basic profile)',
    gdcm: true,
    unavailable: !hasGdcm ? 'not installed' : cert ? undefined : 'no certificate (openssl missing)',
    cmd: 'gdcmanon',
    argv: (input, out) => ['-e', '-c', cert, '-r', '-i', input, '-o', out],
  },
  // What an anonymize cannot avoid, and nothing else (scripts/bench-floor.mjs): read each input, write it to
  // a temporary name in its final folder and rename it, on the batch's number of threads; then the same with
  // both audit digests. The gap between these rows and ours is what the batch adds; the gap between them
  // and cp is the price of reading the bytes into memory at all (cp copies inside the kernel).
  {
    id: 'floor-copy',
    label: 'floor: read + write + rename',
    corpora: ['a', 'c'],
    cmd: process.execPath,
    argv: (input, out) => [join(root, 'scripts/bench-floor.mjs'), input, out],
  },
  {
    id: 'floor-hash',
    label: 'floor: same + both SHA-256',
    corpora: ['a', 'c'],
    cmd: process.execPath,
    argv: (input, out) => [join(root, 'scripts/bench-floor.mjs'), input, out, '--hash'],
  },
  {
    id: 'anonymize',
    label: 'dicom-deid anonymize',
    corpora: ['a', 'b', 'c'],
    unavailable: cliCommand('anonymize'),
    cmd: process.execPath,
    argv: (input, out) => [CLI, 'anonymize', input, '--out', out, '--json'],
  },
  // The ultrasound corpus: a site rule boxes the banner (Clean Pixel Data on, files cleaned and written),
  // against the option turned off (d–f, which declare burned-in text, are held, not written; the cines
  // g and h, which declare none, are written as they are).
  {
    id: 'anonymize-pixels',
    label: 'dicom-deid anonymize, cleanPixelData',
    corpora: ['d', 'e', 'f', 'g', 'h'],
    unavailable: cliCommand('anonymize'),
    cmd: process.execPath,
    argv: (input, out) => [CLI, 'anonymize', input, '--out', out, '--json', '--profile', pixelProfile(true)],
  },
  // The same without the residual check, whose second reading of every cleaned frame for text (issue 10)
  // dominates a cine's time: the cleaning alone.
  {
    id: 'anonymize-pixels-unverified',
    label: 'anonymize cleanPixelData --no-verify',
    corpora: ['g', 'h'],
    unavailable: cliCommand('anonymize'),
    cmd: process.execPath,
    argv: (input, out) => [
      CLI,
      'anonymize',
      input,
      '--out',
      out,
      '--json',
      '--no-verify',
      '--profile',
      pixelProfile(true),
    ],
  },
  {
    id: 'anonymize-no-pixels',
    label: 'dicom-deid anonymize, option off',
    corpora: ['d', 'e', 'f', 'g', 'h'],
    // Exit 1 says files were held, which is what this run is expected to do.
    okStatus: [0, 1],
    unavailable: cliCommand('anonymize'),
    cmd: process.execPath,
    argv: (input, out) => [CLI, 'anonymize', input, '--out', out, '--json', '--profile', pixelProfile(false)],
  },
  {
    id: 'scan',
    label: 'dicom-deid scan',
    corpora: ['a'],
    readOnly: true,
    // Exit 1 is the usual "findings reported" status of a scanner, not a failure to scan.
    okStatus: [0, 1],
    unavailable: cliCommand('scan'),
    cmd: process.execPath,
    argv: (input) => [CLI, 'scan', input, '--json'],
  },
];

const vmHwmKiB = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};
const hasTime = existsSync(TIME);
const rssMethod = hasTime ? '/usr/bin/time %M' : '/proc/<pid>/status VmHWM polled every 20 ms';

/** Runs one command; wall time in seconds and peak RSS in KiB, output and errors to files under .bench/logs. */
async function measure(tool, input, out) {
  const logs = join(BENCH, 'logs');
  mkdirSync(logs, { recursive: true });
  const stdout = openSync(join(logs, `${tool.id}.out`), 'w');
  const stderrPath = join(logs, `${tool.id}.err`);
  const stderr = openSync(stderrPath, 'w');
  const rssPath = join(logs, `${tool.id}.rss`);
  const argv = tool.argv(input, out);
  const [file, fileArgs] = hasTime
    ? [TIME, ['-f', '%M', '-o', rssPath, tool.cmd, ...argv]]
    : [tool.cmd, argv];
  const started = performance.now();
  const child = spawn(file, fileArgs, { stdio: ['ignore', stdout, stderr] });
  let hwm = 0;
  const poll = hasTime ? undefined : setInterval(() => (hwm = Math.max(hwm, vmHwmKiB(child.pid))), 20);
  const status = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wall = (performance.now() - started) / 1000;
  clearInterval(poll);
  closeSync(stdout);
  closeSync(stderr);
  // time(1) writes "Command exited with non-zero status N" before the figure when the command fails.
  const rssKiB = hasTime ? Number(readFileSync(rssPath, 'utf8').trim().split('\n').pop()) : hwm;
  const ok = (tool.okStatus ?? [0]).includes(status);
  const outputs = !ok || tool.readOnly ? undefined : countFiles(out);
  const error = ok
    ? undefined
    : `exit ${status}: ${readFileSync(stderrPath, 'utf8').trim().split('\n').slice(-3).join(' | ')}`;
  return { wall, rssKiB, outputs, error };
}

const countFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
    : 0;

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mb = (bytes) => (bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 0);
const sec = (ms) => (ms / 1000).toFixed(1);
const fmt = (n, digits = 0) =>
  n === undefined
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// Where each run's outputs go, and when they are deleted. Two costs of this machine (a Firecracker guest on
// journal-less ext4) are not the tools' own, and the corpora meet them differently:
// - creating a file skips every inode of its group freed in the last 60 seconds (360 while the inode table
//   is unwritten): deleting each run's 20,000 outputs of (c) before the next run made `cp -rT` of (c) take
//   3-10 s instead of 0.75 s, a cost every row then paid;
// - writing a gigabyte is fast only into memory freed a moment ago: keeping every output of (a) or (b) (a
//   gigabyte a run, synced after each) made `cp -rT` of (b) take 2.3 s instead of 0.27 s, its pages then
//   taken from memory the kernel must reclaim or the host must first provide.
// So a corpus of many files keeps its outputs until it is done (written to disk after each run, untimed),
// and a corpus of few large files deletes each run's outputs after it, which frees their memory for the
// next; no corpus starts within a minute of a deletion.
const MANY_FILES = 10_000;
const OUT = join(BENCH, 'out');
const QUIET_MS = 65_000;
let deletedAt = 0;

function deleteOutputs(dir) {
  if (!existsSync(dir)) return;
  rmSync(dir, { recursive: true, force: true });
  // Written inode tables make the window 60 seconds rather than 360.
  spawnSync('sync');
  deletedAt = Date.now();
}

async function afterDeletions() {
  const wait = deletedAt + QUIET_MS - Date.now();
  if (wait <= 0) return;
  console.error(`waiting ${Math.ceil(wait / 1000)} s for the file system to stop skipping freed inodes`);
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Whether a corpus's outputs, every run of every tool kept until the end, fit on the disk with room over. */
function outputsFit(corpus, tools) {
  const { bavail, bsize } = statfsSync(BENCH);
  const writers = tools.filter((t) => !t.readOnly).length;
  return corpus.bytes * writers * (runs + 1) * 1.2 < bavail * bsize;
}

/** Whether a corpus keeps its outputs until it is done (see MANY_FILES), saying why not where it cannot. */
function keepsOutputs(key, corpus, tools) {
  if (corpus.files < MANY_FILES) return false;
  if (outputsFit(corpus, tools)) return true;
  console.error(`(${key}): too little disk to keep every output; each is deleted after its run`);
  return false;
}

async function benchCorpus(key) {
  const corpus = ensureCorpus(key);
  const tools = TOOLS.filter((t) => !t.corpora || t.corpora.includes(key));
  const rows = new Map(tools.map((t) => [t.id, { tool: t, runs: [], error: t.unavailable }]));
  const live = () => tools.filter((t) => !rows.get(t.id).error);
  const keep = keepsOutputs(key, corpus, live());
  deleteOutputs(OUT);
  await afterDeletions();
  mkdirSync(join(OUT, key), { recursive: true });
  // A first round that is not counted fills the page cache with the corpus and the tools' binaries.
  for (const round of [-1, ...Array.from({ length: runs }, (_, i) => i)]) {
    for (const tool of live()) {
      // Each run writes into a folder of its own, with its report folder beside it (which remembers the
      // profile, so it must not be shared between tools).
      const out = join(OUT, key, `${tool.id}-${round < 0 ? 'warm-up' : round + 1}`);
      const run = await measure(tool, corpus.dir, out);
      if (keep) {
        // Written out before the next run, whose writes would otherwise wait behind this run's.
        spawnSync('sync');
      } else {
        for (const dir of [out, `${out}.report`]) rmSync(dir, { recursive: true, force: true });
        deletedAt = Date.now();
      }
      const row = rows.get(tool.id);
      if (run.error) row.error = `failed (${run.error})`;
      else if (round >= 0) row.runs.push(run);
    }
  }
  deleteOutputs(OUT);
  const frames = corpus.files * CORPORA[key].options.frames;
  return {
    key,
    ...corpus,
    rows: [...rows.values()].map((row) => summarise(row, { ...corpus, frames }, rows)),
  };
}

/** Medians over rounds; ratios to cp are taken round by round, then their median. */
function summarise(row, corpus, rows) {
  const { tool, runs: rs, error } = row;
  const base = { id: tool.id, label: tool.label, error, runs: rs };
  if (error || rs.length === 0) return base;
  const wall = median(rs.map((r) => r.wall));
  const cp = rows.get('cp').runs;
  return {
    ...base,
    wall,
    filesPerSec: corpus.files / wall,
    framesPerSec: corpus.frames / wall,
    mbPerSec: corpus.bytes / 1e6 / wall,
    peakRssMiB: Math.max(...rs.map((r) => r.rssKiB)) / 1024,
    vsCp: cp.length === rs.length ? median(rs.map((r, i) => r.wall / cp[i].wall)) : undefined,
    outputs: tool.readOnly ? undefined : Math.min(...rs.map((r) => r.outputs)),
  };
}

function printCorpus(result) {
  const { title, options } = CORPORA[result.key];
  console.log(
    `\n(${result.key}) ${fmt(result.files)} ${title}${options.frames > 1 ? ` × ${fmt(options.frames)}` : ''}, ` +
      `${mb(result.bytes)} MB — median of ${runs}`,
  );
  const header = ['tool', 'wall s', 'files/s', 'frames/s', 'MB/s', 'peak RSS MiB', '× cp'];
  const widths = [36, 8, 9, 9, 8, 13, 6];
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' ');
  console.log(line(header));
  for (const r of result.rows) {
    if (r.wall === undefined) {
      console.log(`${r.label.padEnd(widths[0])} ${r.error ?? 'no runs'}`);
      continue;
    }
    const missing = r.outputs !== undefined && r.outputs < result.files ? `  (wrote ${r.outputs} files)` : '';
    console.log(
      line([
        r.label,
        fmt(r.wall, 2),
        fmt(r.filesPerSec, r.filesPerSec < 10 ? 2 : 0),
        fmt(r.framesPerSec, r.framesPerSec < 10 ? 2 : 0),
        fmt(r.mbPerSec),
        fmt(r.peakRssMiB, 1),
        fmt(r.vsCp, 2),
      ]) + missing,
    );
  }
}

/** Our anonymize against gdcmanon's faster mode, round by round: the stricter comparison. */
/** Our wall time over gdcmanon -e's (the Basic profile, as the targets name it), round by round, median. */
function vsGdcm(result) {
  const ours = result.rows.find((r) => r.id === 'anonymize');
  const gdcm = result.rows.find((r) => r.id === 'gdcmanon-e');
  if (!ours?.wall || !gdcm?.wall) return undefined;
  return median(ours.runs.map((run, i) => run.wall / gdcm.runs[i].wall));
}

function targets(results) {
  const byKey = Object.fromEntries(results.map((r) => [r.key, r]));
  const row = (key, id) => byKey[key]?.rows.find((r) => r.id === id);
  const vsGdcmOf = (key) => byKey[key] && vsGdcm(byKey[key]);
  // A target is a bound on one measured value: at most (ceiling) or at least (floor) the limit.
  const target = (meets) => (name, key, id, value, limit, unit) => ({
    name,
    key,
    id,
    value,
    limit,
    unit,
    pass: meets(value, limit),
  });
  const ceiling = target((value, limit) => value <= limit);
  const floor = target((value, limit) => value >= limit);
  const a = 'anonymize';
  // Issue 11's table: with the residual check, audit hashes and reports on, the default profile.
  const specs = [
    ceiling('(a) anonymize wall ≤ 1.25× cp', 'a', a, row('a', a)?.vsCp, 1.25, '×'),
    ceiling('(a) anonymize wall ≤ 0.8× gdcmanon -e', 'a', a, vsGdcmOf('a'), 0.8, '×'),
    ceiling('(a) anonymize peak RSS ≤ 256 MiB', 'a', a, row('a', a)?.peakRssMiB, 256, 'MiB'),
    ceiling('(b) anonymize wall ≤ 0.8× gdcmanon -e', 'b', a, vsGdcmOf('b'), 0.8, '×'),
    ceiling('(b) anonymize peak RSS ≤ 256 MiB', 'b', a, row('b', a)?.peakRssMiB, 256, 'MiB'),
    ceiling('(c) anonymize wall ≤ 1.5× cp', 'c', a, row('c', a)?.vsCp, 1.5, '×'),
    ceiling('(c) anonymize wall ≤ 0.8× gdcmanon -e', 'c', a, vsGdcmOf('c'), 0.8, '×'),
    ceiling('(c) anonymize peak RSS ≤ 256 MiB', 'c', a, row('c', a)?.peakRssMiB, 256, 'MiB'),
    floor('(a) scan ≥ 8,000 files/s', 'a', 'scan', row('a', 'scan')?.filesPerSec, 8000, 'files/s'),
    ceiling('(a) scan peak RSS ≤ 128 MiB', 'a', 'scan', row('a', 'scan')?.peakRssMiB, 128, 'MiB'),
  ];
  return specs
    .filter((c) => byKey[c.key])
    .map(({ name, key, id, value, limit, unit, pass }) => ({
      name,
      value,
      limit,
      unit,
      status:
        value === undefined
          ? `n/a (${row(key, id)?.error ?? 'nothing to compare with'})`
          : pass
            ? 'PASS'
            : 'FAIL',
    }));
}

mkdirSync(BENCH, { recursive: true });
const results = [];
for (const key of keys) {
  const result = await benchCorpus(key);
  results.push(result);
  printCorpus(result);
}
const checks = targets(results);
console.log(
  `\nTargets (issue 11)${quick ? ' (quick corpora: indicative only)' : ''}; ratios taken round by round, median`,
);
for (const c of checks) {
  const value = c.value === undefined ? '' : `: ${fmt(c.value, c.unit.startsWith('×') ? 2 : 0)} ${c.unit}`;
  console.log(`  ${c.status.padEnd(4)}  ${c.name}${value}`);
}
console.log(
  `\npeak RSS from ${rssMethod}; page cache not dropped (one warm-up round instead); outputs deleted ` +
    `after each run, or kept until their corpus was done where it has ${fmt(MANY_FILES)} files or more; ` +
    'no corpus started within 65 s of a deletion',
);

const report = {
  when: new Date().toISOString(),
  quick,
  runs,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
  },
  rssMethod,
  corpora: results.map(({ key, dir, files, bytes }) => ({ key, ...CORPORA[key], dir, files, bytes })),
  results: results.map(({ key, rows }) => ({
    key,
    rows: rows.map(({ runs: rs, ...r }) => ({
      ...r,
      runs: rs.map(({ wall, rssKiB, outputs }) => ({ wall, rssKiB, outputs })),
    })),
  })),
  targets: checks,
};
writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`results written to ${join(BENCH, 'results.json')}`);
