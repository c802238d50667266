import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteCrosswalk } from '../node/project/sqlite-crosswalk.js';
import { part10, str } from '../test/part10.js';
import { hasTool } from '../test/tools.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const dir = mkdtempSync(join(tmpdir(), 'deid-project-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
const projectDir = join(home, '.dicom-deid', 'projects', 'lung trial');

const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, HOME: home } });

const STUDY = (p: number) => `1.2.826.0.1.3680043.9.7777.${p}.1`;
const SERIES = (p: number) => `1.2.826.0.1.3680043.9.7777.${p}.1.1`;
const file = (p: number, i: number) =>
  part10([
    str(0x00080018, 'UI', `1.2.826.0.1.3680043.9.7777.${p}.1.1.${i}`),
    str(0x00080060, 'CS', 'CT'),
    str(0x00100010, 'PN', `PATIENT^NUMBER${p}`),
    str(0x00100020, 'LO', `MRN-${p}00${p}`),
    str(0x0020000d, 'UI', STUDY(p)),
    str(0x0020000e, 'UI', SERIES(p)),
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(512) },
  ]);

/** Values of tags in a written file, as dcmdump reads them (an independent parser), in the file's order. */
const dumpedAll = (path: string, tags: readonly string[]) =>
  [
    ...execFileSync('dcmdump', [...tags.flatMap((t) => ['+P', t]), path], { encoding: 'utf8' }).matchAll(
      /\[([^\]]*)\]/g,
    ),
  ].map((m) => m[1]!);
const dumped = (path: string, tag: string) => dumpedAll(path, [tag])[0] ?? '';

const outputs = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
    .map((e) => join(e.parentPath, e.name));

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  for (const p of [1, 2]) {
    mkdirSync(join(dir, `in${p}`));
    for (const i of [1, 2, 3]) writeFileSync(join(dir, `in${p}`, `${i}.dcm`), file(p, i));
  }
}, 120_000);

describe.runIf(hasTool('dcmdump'))('projects and lookup', () => {
  it('remembers settings and runs, accumulates the crosswalk across runs, and answers audited lookups', () => {
    const out = join(dir, 'out');
    const first = run(
      'anonymize',
      '--project',
      'lung trial',
      join(dir, 'in1'),
      '--out',
      out,
      '--workers',
      '1',
    );
    expect(first.status, first.stderr + first.stdout).toBe(0);
    expect(first.stderr).toContain('created project "lung trial"');
    // Second run: inputs from the command line, everything else from the project.
    const second = run('anonymize', '--project', 'lung trial', join(dir, 'in2'), '--workers', '1');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain('project "lung trial"');

    const project = JSON.parse(readFileSync(join(projectDir, 'project.json'), 'utf8'));
    expect(project).toMatchObject({
      name: 'lung trial',
      profile: 'basic',
      outDir: out,
      inputs: [join(dir, 'in2')],
    });
    expect(project.runs.map((r: { written: number; inputs: string[] }) => [r.written, r.inputs])).toEqual([
      [3, [join(dir, 'in1')]],
      [3, [join(dir, 'in2')]],
    ]);
    expect(readFileSync(join(home, '.dicom-deid', 'projects', 'last'), 'utf8').trim()).toBe(projectDir);

    // Every output, read by dcmdump, leads back to its original through the project, from both runs.
    const written = outputs(out);
    expect(written).toHaveLength(6);
    for (const path of written) {
      const pseudonym = dumped(path, 'PatientID');
      const study = dumped(path, 'StudyInstanceUID');
      const sop = dumped(path, 'SOPInstanceUID');
      const back = run('lookup', '--project', 'lung trial', '--json', pseudonym, study, sop);
      expect(back.status, back.stderr).toBe(0);
      const [patient, studyRow, sopRow] = JSON.parse(back.stdout);
      const p = Number(/^MRN-(\d)00/.exec(patient.matches[0].original)?.[1]);
      expect(patient.matches).toEqual([
        { kind: 'patient', original: `MRN-${p}00${p}`, pseudonym, matched: 'pseudonym' },
      ]);
      expect(studyRow.matches).toEqual([
        { kind: 'study', original: STUDY(p), pseudonym: study, matched: 'pseudonym' },
      ]);
      expect(sopRow.matches[0]).toMatchObject({ kind: 'instance', matched: 'pseudonym' });
      expect(sopRow.matches[0].original).toMatch(
        new RegExp(`^1\\.2\\.826\\.0\\.1\\.3680043\\.9\\.7777\\.${p}\\.1\\.1\\.\\d$`),
      );
    }
    // And the reverse: original → pseudonym, in words; an unknown value exits 1.
    const forward = run('lookup', '--project', 'lung trial', SERIES(2), 'MRN-999');
    expect(forward.status).toBe(1);
    expect(forward.stdout).toMatch(
      /^1\.2\.826\.0\.1\.3680043\.9\.7777\.2\.1\.1: original Series Instance UID; pseudonym: 2\.25\.\d+$/m,
    );
    expect(forward.stdout).toContain("MRN-999: not in this project's crosswalk");

    // Each lookup is in the audit; the audit and database are owner-only; nothing reached the report.
    const audit = readFileSync(join(projectDir, 'audit', 'lookups.csv'), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(audit[0]).toBe('time,user,query,matches,kinds');
    expect(audit).toHaveLength(1 + 6 * 3 + 2);
    expect(audit.at(-1)).toMatch(/,MRN-999,0,$/);
    for (const f of ['project.json', 'project.key', 'crosswalk.sqlite', 'audit/lookups.csv'])
      expect(statSync(join(projectDir, f)).mode & 0o777, f).toBe(0o600);
    for (const d of ['', 'audit']) expect(statSync(join(projectDir, d)).mode & 0o777).toBe(0o700);
    // The project command lists it and shows its settings, runs and what its crosswalk holds.
    expect(run('project').stdout).toMatch(/^lung trial {2}2 runs, last \S+\n/);
    const shown = run('project', 'lung trial');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`  output:    ${out}\n`);
    expect(shown.stdout).toContain(
      '  crosswalk: 2 Patient ID, 2 Study Instance UID, 2 Series Instance UID, 6 SOP Instance UID, 0 other UID\n',
    );
    expect(shown.stdout).toMatch(/runs \(2\):\n {2}\S+ {2}3 written, 0 skipped, 0 failed {2}→ /);
    const report = readFileSync(join(`${out}.report`, 'deid-report.json'), 'utf8');
    for (const p of [1, 2]) {
      expect(report).not.toContain(`MRN-${p}00${p}`);
      expect(report).not.toContain(STUDY(p));
    }
  }, 120_000);

  it('refuses another key for an existing project, and a missing project, in plain words', () => {
    const other = run('anonymize', '--project', 'lung trial', '--key-file', join(dir, 'other.key'));
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('uses the key file');
    const missing = run('lookup', '--project', 'no-such', 'x');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('there is no project "no-such"');
    const unnamed = run('anonymize', '--project', 'new one');
    expect(unnamed.stderr).toContain('to create it, give its inputs and --out');
    const bad = run('anonymize', '--project', 'a*b', join(dir, 'in1'), '--out', join(dir, 'o2'));
    expect(bad.stderr).toContain('is not a project name');
  });

  it('keeps the crosswalk whole through kill -9 mid-run: after resuming, every output leads back to its original', async () => {
    const input = join(dir, 'many');
    mkdirSync(input);
    // 20 patients × 10 instances.
    for (let p = 0; p < 20; p++)
      for (let i = 0; i < 10; i++) writeFileSync(join(input, `${p}-${i}.dcm`), file(100 + p, i));
    const out = join(dir, 'many-out');
    const args = ['anonymize', '--project', 'killed', input, '--out', out, '--workers', '1'];
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, HOME: home } });
    // Killed once some outputs exist, at an arbitrary moment soon after (within a few commit groups: the
    // batch writes the 160 others in well under 200 ms now).
    await new Promise<void>((done) => {
      const poll = setInterval(() => {
        let written = 0;
        try {
          written = outputs(out).length;
        } catch {}
        if (written >= 40) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGKILL'), Math.random() * 20);
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(poll);
        done();
      });
    });
    expect(outputs(out).length).toBeLessThan(200);
    const resumed = run(...args);
    expect(resumed.status, resumed.stderr).toBe(0);

    const folder = join(home, '.dicom-deid', 'projects', 'killed');
    const project = JSON.parse(readFileSync(join(folder, 'project.json'), 'utf8'));
    expect(project.runs.map((r: { interrupted?: boolean }) => r.interrupted ?? false)).toEqual([true, false]);
    const written = outputs(out);
    expect(written).toHaveLength(200);
    const store = openSqliteCrosswalk(join(folder, 'crosswalk.sqlite'));
    try {
      for (const path of written) {
        // (0008,0018) comes before (0010,0020) in the file.
        const [sopUid, patientId] = dumpedAll(path, ['SOPInstanceUID', 'PatientID']);
        const [patient] = store.find(patientId!);
        expect(patient?.original).toMatch(/^MRN-1\d\d001\d\d$/);
        const [sop] = store.find(sopUid!);
        expect(sop?.original).toMatch(/^1\.2\.826\.0\.1\.3680043\.9\.7777\.1\d\d\.1\.1\.\d$/);
        // The same patient on both sides: the instance's original belongs to the patient's original.
        expect(sop!.original.split('.')[8]).toBe(/^MRN-(\d{3})00/.exec(patient!.original)![1]);
      }
      expect(store.counts().patient).toBe(20);
    } finally {
      store.close();
    }
  }, 300_000);
});
