import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../shared/scan/report.js';
import { canMountTmpfs, withTmpfs } from '../test/mount.js';
import { part10, str } from '../test/part10.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const dir = mkdtempSync(join(tmpdir(), 'deid-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Planted PHI: none of it may reach the JSON report or stderr; the table shows it to the user.
const PHI = ['QUENTIN^ZYGMUND', 'MRN-778123', 'Fairhaven Clinic', 'ACC-99812', 'chest pain after fall'];
const ESC = '\u001b';
const good = part10([
  str(0x00080050, 'SH', PHI[3]!),
  str(0x00080060, 'CS', 'US'),
  str(0x00080080, 'LO', PHI[2]!),
  str(0x00100010, 'PN', PHI[0]!),
  str(0x00100020, 'LO', PHI[1]!),
  str(0x00204000, 'LT', `${PHI[4]} ${ESC}[31mred`),
  { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(4096) },
]);

const study = join(dir, 'study');
const goodOnly = join(dir, 'good-only');

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  mkdirSync(study);
  mkdirSync(goodOnly);
  writeFileSync(join(study, 'a-good.dcm'), good);
  writeFileSync(join(study, 'b-truncated.dcm'), good.subarray(0, good.length - 1000));
  writeFileSync(join(study, 'c-notes.txt'), 'not an image\n');
  writeFileSync(join(goodOnly, 'image'), good);
  writeFileSync(join(goodOnly, 'readme.txt'), 'not an image\n');
}, 120_000);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const expectNoPhi = (text: string) => {
  for (const phi of PHI) expect(text).not.toContain(phi);
};

describe('output that cannot be written', () => {
  // A full disk under a redirected output: needs root to mount a tiny file system.
  it.skipIf(!canMountTmpfs)('is said on stderr, with exit status 1', async () => {
    await withTmpfs('size=64k', (mount) => {
      writeFileSync(join(mount, 'filler'), Buffer.alloc(64 * 1024));
      const fd = openSync(join(mount, 'scan.json'), 'w');
      try {
        const r = spawnSync(process.execPath, [CLI, 'scan', '--json', study], {
          encoding: 'utf8',
          stdio: ['ignore', fd, 'pipe'],
        });
        expect(r.stderr).toBe(
          'dicom-deid: the output could not be written: the disk is full (ENOSPC); stopped\n',
        );
        expect(r.status).toBe(1);
      } finally {
        closeSync(fd);
      }
    });
  });
});

describe('dicom-deid scan --json', () => {
  it('reports each file in one JSON document with no values, and fails on the truncated file', () => {
    const r = run('scan', '--json', study);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expectNoPhi(r.stdout);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.files.map((f) => [f.path.slice(study.length + 1), f.status])).toEqual([
      ['a-good.dcm', 'ok'],
      ['b-truncated.dcm', 'error'],
      ['c-notes.txt', 'not-dicom'],
    ]);
    const [ok, truncated, notes] = report.files;
    expect(ok).toMatchObject({
      transferSyntax: { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian' },
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      modality: 'US',
      burnedIn: { risk: 'possible' },
      counts: { 'patient-identity': 2, institution: 1, identifiers: 1, 'free-text': 1 },
    });
    expect(ok?.findings).toContainEqual({
      tag: '(0010,0010)',
      keyword: 'PatientName',
      category: 'patient-identity',
      path: '(0010,0010)',
      present: true,
      vr: 'PN',
    });
    expect(truncated?.reason).toMatch(/declares \d+ bytes but the file ends at \d+/);
    expect(notes?.reason).toMatch(/not a DICOM file/);
    expect(report.summary).toMatchObject({ files: 3, ok: 1, notDicom: 1, errors: 1, skipped: 0 });
    expect(report.summary.byCategory['patient-identity']).toBe(2);
  });

  it('exits 0 when every DICOM file was read, files that are not DICOM included', () => {
    const r = run('scan', '--json', goodOnly);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ files: 2, ok: 1, notDicom: 1, errors: 0 });
  });
});

describe('dicom-deid scan (table)', () => {
  it('shows the values to the person at the terminal, with control characters defused', () => {
    const r = run('scan', '--details', study);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    for (const phi of PHI) expect(r.stdout).toContain(phi);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).toMatch(/Patient identity \(2\)\n +\(0010,0010\) +PatientName +QUENTIN\^ZYGMUND/);
    expect(r.stdout).toMatch(/b-truncated\.dcm\n +error: /);
    expect(r.stdout).toMatch(/c-notes\.txt\n +not DICOM: /);
    expect(r.stdout).toMatch(
      /ok · Explicit VR Little Endian \(1\.2\.840\.10008\.1\.2\.1\) · CT Image Storage · US/,
    );
    expect(r.stdout).toMatch(/\n3 files: 1 read, 1 not DICOM, 1 could not be read\n/);
  });
});

describe('dicom-deid usage', () => {
  it.each([
    [[], /no command given/],
    [['--frobnicate'], /unknown option --frobnicate/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['scna', study], /unknown command "scna" \(did you mean scan\?\)/],
    [['scan'], /needs at least one file or folder/],
    [['scan', '--frobnicate', study], /unknown option --frobnicate\n/],
    [['scan', join(dir, 'no-such-folder')], /no such file or folder: .*no-such-folder/],
  ])('%j is a usage error: exit 2, one clear line, no stack', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints help and version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}scan /);
    const scanHelp = run('scan', '--help');
    expect(scanHelp.status).toBe(0);
    expect(scanHelp.stdout).toMatch(/^Usage: dicom-deid scan/);
    const version = run('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
