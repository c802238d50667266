import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvFile } from '../node/reports/read.js';
import { canMountTmpfs } from '../test/mount.js';
import { dcmdumpErrors, hasTool } from '../test/tools.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const SAMPLES = join(ROOT, 'assets', 'samples');
// Every fake identifier planted in the samples (assets/samples/phi.json lists them).
const PHI = (JSON.parse(readFileSync(join(SAMPLES, 'phi.json'), 'utf8')) as { strings: string[] }).strings;

const dir = mkdtempSync(join(tmpdir(), 'deid-cli-anon-'));
// The CLI's key, audits and reports go under this home, never the developer's.
const home = join(dir, 'home');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inputs = join(dir, 'in');
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  cpSync(SAMPLES, inputs, { recursive: true });
  const first = join(inputs, 'patient-001', 'ct', 'series-01', '0001.dcm');
  const bytes = readFileSync(first);
  writeFileSync(join(inputs, 'cut-short.dcm'), bytes.subarray(0, bytes.length - 500));
}, 120_000);

function run(...args: string[]) {
  return runAs(home, ...args);
}

function runAs(homeDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'anonymize', ...args], {
    encoding: 'utf8',
    env: { ...process.env, HOME: homeDir },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dumpOf = (path: string): string => spawnSync('dcmdump', ['-q', path], { encoding: 'utf8' }).stdout;

const files = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));

interface JsonOut {
  files: Array<{ inputNo: number; input: string; output: string | null; status: string; reason?: string }>;
  summary: {
    total: number;
    written: number;
    skipped: number;
    failed: number;
    reportDir: string;
    auditDir: string;
  };
}

describe('dicom-deid anonymize', () => {
  it('refuses in words with exit 2 and creates nothing: audit inside out, out a file, unwritable out, typos, --workers 0', () => {
    const fresh = join(dir, 'fresh-home');
    const place = join(dir, 'refusals');
    mkdirSync(place);
    writeFileSync(join(place, 'a-file'), 'x');
    const readOnly = join(place, 'read-only');
    mkdirSync(readOnly);
    // An unwritable folder: a read-only mount for root (whom modes do not stop), modes for anyone else.
    const asRoot = process.getuid?.() === 0;
    const mounted = asRoot && canMountTmpfs;
    if (mounted) execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly]);
    else if (!asRoot) chmodSync(readOnly, 0o500);
    const out = join(place, 'out');
    try {
      const cases: Array<[string[], RegExp]> = [
        [['--out', out, '--audit', join(out, 'audit')], /the audit folder is inside the output folder/],
        [['--out', join(place, 'a-file')], /the output folder names an existing file/],
        ...(mounted || !asRoot
          ? ([
              [
                ['--out', readOnly],
                /the output folder cannot be written: (the disk is read-only|permission denied)/,
              ],
              [
                ['--out', join(readOnly, 'sub')],
                /the output folder cannot be created: (the disk is read-only|permission denied)/,
              ],
            ] as Array<[string[], RegExp]>)
          : []),
        [['--outt', out], /unknown option --outt \(did you mean --out\?\)/],
        [
          ['--out', out, '--option', 'cleanDescriptor'],
          /unknown option "cleanDescriptor" \(did you mean cleanDescriptors\?\)/,
        ],
        [['--out', out, '--profile', 'resarch'], /\(did you mean research\?\)/],
        [['--out', out, '--workers', '0'], /--workers takes a whole number from 1 to 64/],
      ];
      for (const [args, message] of cases) {
        const r = runAs(fresh, inputs, ...args);
        expect(r.status, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^dicom-deid: .*${message.source}.*\n`));
        expect(r.stderr).not.toMatch(/unexpected|at .*\.js/);
      }
      expect(readdirSync(place).sort()).toEqual(['a-file', 'read-only']);
      expect(readdirSync(readOnly)).toEqual([]);
      // Not even the key: a refused command leaves no trace.
      expect(existsSync(fresh)).toBe(false);
    } finally {
      if (mounted) execFileSync('umount', [readOnly]);
    }
  });

  it('writes every DICOM input, reports each in one JSON document, and exits 1 for the damaged one', () => {
    const out = join(dir, 'out');
    const r = run(inputs, '--out', out, '--json');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonOut;
    // The ultrasound samples too: the detector finds their banners' identity and cleans it.
    expect(doc.summary).toMatchObject({ total: 13, written: 10, skipped: 2, failed: 1, held: 0 });
    expect(doc.files).toHaveLength(13);
    const failed = doc.files.filter((f) => f.status === 'failed');
    expect(failed.map((f) => f.input)).toEqual([join(inputs, 'cut-short.dcm')]);
    expect(failed[0]!.reason).toMatch(/declares \d+ bytes but the file ends/);
    for (const f of doc.files.filter((f) => f.status === 'skipped'))
      expect(f.reason).toMatch(/not a DICOM file/);

    const written = files(out).filter((p) => p.endsWith('.dcm'));
    expect(written).toHaveLength(10);
    for (const p of written) {
      const text = readFileSync(p).toString('latin1');
      for (const phi of PHI) {
        expect(text.includes(phi), `${phi} in an output`).toBe(false);
        expect(p.includes(phi), `${phi} in an output name`).toBe(false);
      }
      if (hasTool('dcmdump')) expect(dcmdumpErrors(p)).toEqual([]);
    }
    // The shareable report travels with the data: none of the planted values, no input path.
    const report = readFileSync(join(doc.summary.reportDir, 'deid-report.json'), 'utf8');
    for (const phi of PHI) expect(report.includes(phi)).toBe(false);
    expect(report.includes(inputs)).toBe(false);
    expect(r.stderr).toBe('');
  });

  it('numbers inputs in walk order, as scan lists them: the same numbers with two workers, run after run, in the audit too', () => {
    const scan = spawnSync(process.execPath, [CLI, 'scan', '--json', inputs], { encoding: 'utf8' });
    const listed = (JSON.parse(scan.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path);
    expect(listed).toHaveLength(13);
    const numbersOf = (name: string) => {
      const r = run(inputs, '--out', join(dir, name), '--json', '--workers', '2');
      const doc = JSON.parse(r.stdout) as JsonOut;
      const audit = readCsvFile(join(doc.summary.auditDir, 'deid-audit.csv'));
      // One audit row per input here, carrying the number the console and the JSON give it.
      expect(new Map(audit.map((row) => [row.input, Number(row.input_no)]))).toEqual(
        new Map(doc.files.map((f) => [f.input, f.inputNo])),
      );
      return new Map(doc.files.map((f) => [f.input, f.inputNo]));
    };
    const first = numbersOf('numbered-1');
    expect(first).toEqual(new Map(listed.map((path, i) => [path, i + 1])));
    expect(numbersOf('numbered-2')).toEqual(first);
  });

  it('holds the two ultrasound samples when the profile cleans no pixels: not written, listed with the reason, exit 1', () => {
    const samplesOnly = join(dir, 'samples-only');
    cpSync(SAMPLES, samplesOnly, { recursive: true });
    const profile = join(dir, 'no-pixels.yaml');
    writeFileSync(profile, 'name: No pixels\nwithoutOptions: [cleanPixelData]\n');
    const out = join(dir, 'out-held');
    const r = run(samplesOnly, '--out', out, '--profile', profile);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/12 inputs: 8 written, 2 skipped, 0 failed, 2 held for review/);
    expect(r.stdout).toMatch(/held for review, not written \(their images may show identity\): 2;/);
    // Their headers say text is burned in and nothing cleaned it: held, never guessed clean.
    const reason = 'Burned In Annotation \\(0028,0301\\) is YES and the pixels were not cleaned';
    expect(r.stdout).toMatch(new RegExp(`held \\(2\\), by reason:\n\\s+2 {2}${reason}`));
    expect(r.stdout).not.toMatch(/\bclean\b/);
    const held = r.stderr.split('\n').filter((line) => line.startsWith('held: input '));
    expect(held).toHaveLength(2);
    for (const line of held)
      expect(line).toMatch(new RegExp(`^held: input \\d+ \\(see the audit\\): ${reason}$`));
    expect(r.stderr).not.toContain(samplesOnly);
    const written = files(out);
    expect(written).toHaveLength(8);
    for (const p of written) expect(dumpOf(p)).not.toMatch(/\(0008,0060\) CS \[US\]/);
    const audit = /audit and crosswalks \(private\): (.+)\n/.exec(r.stdout)![1]!;
    expect(files(join(audit, 'held'))).toHaveLength(2);
  });

  it('exits 0 when every DICOM input is written, and says where the reports went', () => {
    const good = join(dir, 'good');
    mkdirSync(good);
    cpSync(join(inputs, 'patient-002'), join(good, 'p2'), { recursive: true });
    const r = run(good, '--out', join(dir, 'out-good'), '--profile', 'research', '--profile-stages');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/4 inputs: 4 written, 0 skipped, 0 failed/);
    // Where the time went, each stage named once, in seconds.
    const stages = /^stage times \(summed over files and threads; wall [\d.]+ s\): (.+)$/m.exec(
      r.stderr,
    )![1]!;
    expect(
      stages
        .split(', ')
        .map((part) => part.replace(/ [\d.]+ s$/, ''))
        .sort(),
    ).toEqual([
      'commit',
      'de-identify',
      'hash input',
      'parse',
      'read',
      'sync wait',
      'verify',
      'walk',
      'write',
    ]);
    expect(r.stdout).toMatch(/report \(shareable\): .*out-good\.report/);
  });

  it('names a failed input by number on the console, never by its path', () => {
    const named = join(dir, 'DOE JANE');
    mkdirSync(named);
    writeFileSync(join(named, 'scan.dcm'), readFileSync(join(inputs, 'cut-short.dcm')));
    const r = run(named, '--out', join(dir, 'out-named'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/failed: input 1 \(see the audit\): /);
    expect(r.stderr + r.stdout).not.toContain('DOE JANE');
  });

  it('refuses with exit status 2: no --out, an output inside the inputs, an unknown option or profile', () => {
    for (const args of [
      [inputs],
      [inputs, '--out', join(inputs, 'copies')],
      [inputs, '--out', join(dir, 'x'), '--option', 'retainEverything'],
      [inputs, '--out', join(dir, 'x'), '--profile', join(dir, 'no-such-profile.yaml')],
      [
        inputs,
        '--out',
        join(dir, 'x'),
        '--option',
        'retainLongFullDates',
        '--option',
        'retainLongModifiedDates',
      ],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^dicom-deid: .+\nRun `dicom-deid --help` for usage\.\n$/);
    }
  });
});
