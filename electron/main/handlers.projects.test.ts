import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedDialogs } from '../../e2e/dialogs.js';
import { loadOrCreateKey } from '../../node/key-store.js';
import {
  createProject,
  projectFolder,
  projectPaths,
  readProject,
  rememberLast,
} from '../../node/project/project.js';
import { ProjectRunRecorder } from '../../node/project/run-recorder.js';
import { openSqliteCrosswalk } from '../../node/project/sqlite-crosswalk.js';
import { dispatch } from './dispatch.js';
import { createHandlers } from './handlers.js';

const root = mkdtempSync(join(tmpdir(), 'deid-app-projects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, 'home');
const handlers = createHandlers({
  userData: join(root, 'user-data'),
  samplesDir: join(root, 'none'),
  defaultKeyPath: join(root, 'user-data', 'project.key'),
  dialogs: new ScriptedDialogs(),
  toolVersion: '0.0.0-test',
  home,
});
const call = (channel: string, args: unknown) => dispatch(handlers, channel, args, () => {});

describe('projects in the app', () => {
  it('has no project to open before one was used', async () => {
    expect(await call('project:last', {})).toEqual({ ok: true, value: null });
  });

  it('opens on the last project used, with its history and key fingerprint, and looks up in it', async () => {
    const folder = projectFolder('ward 7', home);
    let project = createProject(folder, 'ward 7', {
      profile: 'research',
      options: ['retainPatientCharacteristics'],
      keyFile: projectPaths(folder).key,
      inputs: ['/data/in'],
      outDir: '/data/out',
    });
    const { fingerprint } = loadOrCreateKey(project.keyFile);
    const runStart = (startedAt: string) => ({
      startedAt,
      profile: 'research',
      options: [],
      inputs: ['/data/in'],
      outDir: '/data/out',
      auditDir: join(root, 'audit', startedAt.replaceAll(':', '-')),
    });
    // A run as the batch reports it: the recorder files each written file's identifiers by kind.
    const recorder = new ProjectRunRecorder(
      project,
      openSqliteCrosswalk(projectPaths(folder).crosswalk),
      runStart('2026-01-01T00:00:00Z'),
      home,
    );
    recorder.onFile({
      inputNo: 1,
      input: '/data/in/1.dcm',
      output: '/data/out/1.dcm',
      status: 'written',
      outcome: {
        status: 'written',
        mapping: {
          patientId: ['MRN-1', 'ANON-1'],
          uids: [
            ['1.2.3', '2.25.3'],
            ['1.2.3.4', '2.25.4'],
            ['9.9', '2.25.9'],
          ],
        },
        identity: {
          patientId: 'ANON-1',
          studyInstanceUID: '2.25.3',
          seriesInstanceUID: '2.25.4',
          sopInstanceUID: '2.25.5',
        },
      } as never,
    });
    project = recorder.finish();

    // A run killed before its feed committed: only its audit's crosswalks (last line cut short) hold it.
    const killed = runStart('2026-01-02T00:00:00Z');
    mkdirSync(killed.auditDir, { recursive: true });
    writeFileSync(
      join(killed.auditDir, 'patient-id-crosswalk.csv'),
      'id_old,id_new\r\nMRN-2,ANON-2\r\nMRN-3,ANO',
    );
    writeFileSync(join(killed.auditDir, 'uid-crosswalk.csv'), 'id_old,id_new\r\n1.2.7,2.25.7\r\n');
    const store = openSqliteCrosswalk(projectPaths(folder).crosswalk);
    new ProjectRunRecorder(project, store, killed, home);
    store.close();
    // The next run notices it and recovers what the audit holds.
    const next = new ProjectRunRecorder(
      readProject(folder)!,
      openSqliteCrosswalk(projectPaths(folder).crosswalk),
      runStart('2026-01-03T00:00:00Z'),
      home,
    );
    project = next.finish({ written: 4, skipped: 1, failed: 0, cancelled: false } as never);
    rememberLast(folder, home);

    const last = await call('project:last', {});
    expect(last).toEqual({
      ok: true,
      value: {
        name: 'ward 7',
        folder,
        profile: 'research',
        options: ['retainPatientCharacteristics'],
        inputs: ['/data/in'],
        outDir: '/data/out',
        keyFingerprint: fingerprint,
        runs: [
          {
            startedAt: '2026-01-01T00:00:00Z',
            written: 0,
            skipped: 0,
            failed: 0,
            cancelled: true,
            interrupted: false,
          },
          {
            startedAt: '2026-01-02T00:00:00Z',
            written: 0,
            skipped: 0,
            failed: 0,
            cancelled: false,
            interrupted: true,
          },
          {
            startedAt: '2026-01-03T00:00:00Z',
            written: 4,
            skipped: 1,
            failed: 0,
            cancelled: false,
            interrupted: false,
          },
        ],
      },
    });
    expect(await call('project:lookup', { folder, query: '2.25.4' })).toEqual({
      ok: true,
      value: [{ kind: 'series', original: '1.2.3.4', pseudonym: '2.25.4', matched: 'pseudonym' }],
    });
    expect(await call('project:lookup', { folder, query: '9.9' })).toMatchObject({
      value: [{ kind: 'uid', pseudonym: '2.25.9', matched: 'original' }],
    });
    expect(await call('project:lookup', { folder, query: 'MRN-1' })).toMatchObject({
      value: [{ kind: 'patient', pseudonym: 'ANON-1' }],
    });
    // Recovered from the interrupted run's audit; the cut-short row is not.
    expect(await call('project:lookup', { folder, query: 'ANON-2' })).toMatchObject({
      value: [{ kind: 'patient', original: 'MRN-2' }],
    });
    expect(await call('project:lookup', { folder, query: '2.25.7' })).toMatchObject({
      value: [{ kind: 'uid', original: '1.2.7' }],
    });
    expect(await call('project:lookup', { folder, query: 'MRN-3' })).toMatchObject({ value: [] });
    const audit = readFileSync(projectPaths(folder).lookups, 'utf8').trim().split(/\r?\n/);
    expect(audit.slice(1).map((l) => l.split(',').slice(2).join(','))).toEqual([
      '2.25.4,1,series',
      '9.9,1,uid',
      'MRN-1,1,patient',
      'ANON-2,1,patient',
      '2.25.7,1,uid',
      'MRN-3,0,',
    ]);
    // Not a project folder, or an empty query: refused in words, nothing looked up.
    expect(await call('project:lookup', { folder: join(root, 'elsewhere'), query: 'x' })).toEqual({
      ok: false,
      error: 'there is no project in that folder',
    });
    expect(await call('project:lookup', { folder, query: '' })).toMatchObject({ ok: false });
  });

  it('creates a project by name only, in its own folder, and never over another', async () => {
    const before = await call('project:last', {});
    for (const name of ['../escape', '/tmp/x', 'a/b', '.hidden']) {
      expect(await call('project:create', { name })).toMatchObject({ ok: false });
    }
    expect(readProject(join(root, 'escape'))).toBeNull();
    expect(await call('project:last', {})).toEqual(before);

    const made = await call('project:create', { name: 'Ward 9' });
    expect(made).toMatchObject({
      ok: true,
      value: { name: 'Ward 9', folder: projectFolder('Ward 9', home) },
    });
    expect(readProject(projectFolder('Ward 9', home))?.keyFile).toBe(
      projectPaths(projectFolder('Ward 9', home)).key,
    );
    expect(await call('project:last', {})).toMatchObject({ value: { name: 'Ward 9' } });
    expect(await call('project:create', { name: 'Ward 9' })).toMatchObject({ ok: false });

    // Its key, once made, is not replaced: the crosswalk would get a second pseudonym per patient.
    const keyFile = projectPaths(projectFolder('Ward 9', home)).key;
    expect(await call('key:create', {})).toMatchObject({ ok: true, value: { location: keyFile } });
    const key = readFileSync(keyFile, 'utf8');
    expect(await call('key:create', {})).toMatchObject({ ok: false, error: /already has its key/ });
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
  });
});
