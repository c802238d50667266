import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { part10, str } from '../test/part10.js';
import { hasTool } from '../test/tools.js';
import { inputLabel } from './input-label.js';
import { RunBreakdown } from './run-breakdown.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const dir = mkdtempSync(join(tmpdir(), 'deid-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Planted identifiers, in values and in file names: a piped summary must hold none of them.
const PHI = ['QUENTIN^ZYGMUND', 'MRN-778123', 'SMITH_JOHN'];
const image = (n: number, modality: string, burnedIn?: string) =>
  part10([
    str(0x00080018, 'UI', `1.2.826.0.1.3680043.9.7777.${n}`),
    str(0x00080060, 'CS', modality),
    str(0x00100010, 'PN', PHI[0]!),
    str(0x00100020, 'LO', PHI[1]!),
    ...(burnedIn ? [str(0x00280301, 'CS', burnedIn)] : []),
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(256) },
  ]);
const input = join(dir, 'in');
const env = { ...process.env, HOME: join(dir, 'home') };
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
/** Under a pseudo-terminal, as a person at the keyboard would run it (util-linux `script`). */
const runInTerminal = (...args: string[]) =>
  spawnSync(
    'script',
    ['-qec', [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'],
    {
      encoding: 'utf8',
      env,
    },
  );

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  mkdirSync(join(input, 'SMITH_JOHN'), { recursive: true });
  for (let i = 1; i <= 9; i++) writeFileSync(join(input, `ct${i}.dcm`), image(i, 'CT'));
  writeFileSync(join(input, 'SMITH_JOHN', 'us.dcm'), image(10, 'US', 'YES'));
  const good = image(11, 'CT');
  writeFileSync(join(input, 'SMITH_JOHN', 'z-truncated.dcm'), good.subarray(0, good.length - 100));
  writeFileSync(join(input, 'SMITH_JOHN', 'z-notes.txt'), 'not an image\n');
}, 120_000);

describe('scan summary', () => {
  it('fits one screen, counts burned-in risk, names SOP classes, and names no file when piped', () => {
    const r = run('scan', input);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toBe('12 files: 10 read, 1 not DICOM, 1 could not be read');
    expect(r.stdout).toContain('Burned-in text in the pixels: 1 declared or very likely; 9 unlikely');
    expect(r.stdout).toContain('SOP classes: 10 CT Image Storage');
    expect(r.stdout).toContain('Modalities: 9 CT, 1 US');
    expect(r.stdout).toMatch(/ {2}Patient identity +10 files\n/);
    // Walk order (code units: capitals first): the folder's us.dcm (1), z-notes.txt (2), z-truncated.dcm (3).
    expect(r.stdout).toContain('Files with burned-in text declared or very likely:\n  input 1\n');
    expect(r.stdout).toContain('  input 2: not DICOM\n  input 3: could not be read\n');
    for (const phi of PHI) expect(r.stdout).not.toContain(phi);
    expect(r.stdout).toContain('Run with --details');
  });

  it.runIf(hasTool('script'))('names files by their path relative to the input on a terminal', () => {
    const r = runInTerminal('scan', input);
    expect(r.stdout).toContain(`  ${join('SMITH_JOHN', 'us.dcm')}\r\n`);
    expect(r.stdout).toMatch(/ {2}SMITH_JOHN\/z-truncated\.dcm: could not be read \(.*declares \d+ bytes/);
  });
});

describe('anonymize breakdown', () => {
  it('ends with what was not written, failed, held, skipped, by kind of reason, naming no file when piped', () => {
    const r = run('anonymize', input, '--out', join(dir, 'out'), '--workers', '1');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^12 inputs: 9 written, 1 skipped, 1 failed, 1 held for review in [\d.]+ s$/m);
    const tail = r.stdout.slice(r.stdout.indexOf('failed (1)'));
    expect(tail).toMatch(
      /^failed \(1\), by reason:\n {7}1 {2}.*declares N bytes.*\nheld \(1\), by reason:\n {7}1 {2}the frames could not be searched for burned-in text: Rows \(0028,0010\).*\nskipped \(1\), by reason:\n {7}1 {2}.*not a DICOM file/,
    );
    expect(r.stderr).toMatch(/failed: input \d+ \(see the audit\): \(7FE0,0010\) at byte \d+ declares/);
    for (const phi of PHI) {
      expect(r.stdout).not.toContain(phi);
      expect(r.stderr).not.toContain(phi);
    }
  });

  it('groups reasons that differ only in numbers, keeps tags, and drops paths', () => {
    const b = new RunBreakdown();
    const input = '/data/SMITH^JOHN/1.dcm';
    b.add({ status: 'skipped', input, reason: 'not a DICOM file' });
    b.add({ status: 'failed', input, reason: '(0008,0050) declares 120 bytes but the file ends at 64' });
    b.add({ status: 'failed', input, reason: '(0008,0050) declares 99 bytes but the file ends at 12' });
    b.add({
      status: 'failed',
      input,
      reason: `the output could not be written: EACCES: permission denied, open '${input}'`,
    });
    b.add({ status: 'written', input });
    expect(b.lines()).toEqual([
      'failed (3), by reason:',
      '       2  (0008,0050) declares N bytes but the file ends at N',
      "       1  the output could not be written: EACCES: permission denied, open '<input>'",
      'skipped (1), by reason:',
      '       1  not a DICOM file',
    ]);
  });

  it('labels an input by number when piped, by relative path on a terminal, defusing control characters', () => {
    expect(inputLabel('/in/a/b.dcm', 7, ['/in'], false)).toBe('input 7');
    expect(inputLabel('/in/a/b.dcm', 7, ['/in'], true)).toBe(join('a', 'b.dcm'));
    expect(inputLabel('/in/one.dcm', 1, ['/in/one.dcm'], true)).toBe('one.dcm');
    expect(inputLabel('/in/\u001b[2Jx.dcm', 1, ['/in'], true)).toBe('?[2Jx.dcm');
  });
});
