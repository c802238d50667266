import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../shared/profile/index.js';
import { AppJobs, runJob } from './app-jobs.js';

const ROOT = join(import.meta.dirname, '..');
const US = join(ROOT, 'assets/samples/patient-001/us/series-01/0001.dcm');
/** The bundled reading worker (`npm run build`), as the app and the e2e harness start it. */
const WORKER = join(ROOT, 'dist/electron/app-worker.cjs');

let folder: string;
let standIn: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'deid-jobs-'));
  // A worker whose "slow" job never ends (a frame that takes forever to decode), so only ending the thread
  // frees it; every other job is answered at once with its path.
  standIn = join(folder, 'stand-in-worker.mjs');
  writeFileSync(
    standIn,
    `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, job }) => {
  if (job.path === 'slow') for (;;) {}
  parentPort.postMessage({ id, ok: true, value: job.path });
});`,
  );
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('AppJobs', () => {
  it('answers in the worker exactly what the same job answers in this thread', async () => {
    const jobs = new AppJobs(WORKER);
    const key = { secret: new Uint8Array(32).fill(7) };
    const inspect = {
      kind: 'inspect',
      path: US,
      profile: getPreset('basic'),
      key,
      toolVersion: 't',
    } as const;
    expect(await jobs.row(1, US)).toEqual(await runJob({ kind: 'row', id: 1, path: US }));
    expect(await jobs.inspect(1, inspect)).toEqual(await runJob(inspect));
    expect(await jobs.frame(1, { kind: 'frame', path: US, frame: 0 })).toEqual(
      await runJob({ kind: 'frame', path: US, frame: 0 }),
    );
  });

  it('reports a reading problem in words, not a crash', async () => {
    const jobs = new AppJobs(WORKER);
    await expect(
      jobs.frame(1, { kind: 'frame', path: join(folder, 'missing.dcm'), frame: 0 }),
    ).rejects.toThrow(/not found|does not exist|no such/i);
    // The worker is still serving.
    expect((await jobs.row(2, US)).status).toBe('scanned');
  });

  it('selecting another file ends the work still going for the last one', async () => {
    const jobs = new AppJobs(standIn);
    const stale = jobs.frame(1, { kind: 'frame', path: 'slow', frame: 0 });
    const fresh = jobs.frame(2, { kind: 'frame', path: 'fast', frame: 0 });
    await expect(stale).rejects.toThrow('another file was selected');
    // Answered only because the busy thread was replaced.
    expect(await fresh).toBe('fast');
  });

  it('jobs for the same file do not cancel each other', async () => {
    const jobs = new AppJobs(standIn);
    const first = jobs.inspect(3, { kind: 'inspect', path: 'first' } as Parameters<AppJobs['inspect']>[1]);
    const second = jobs.frame(3, { kind: 'frame', path: 'second', frame: 0 });
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  });

  it('clearing the list stops the scan', async () => {
    const jobs = new AppJobs(standIn);
    const row = jobs.row(1, 'slow');
    jobs.stopScan();
    await expect(row).rejects.toThrow('the list was cleared');
    expect(await jobs.row(2, 'next')).toBe('next');
  });
});
