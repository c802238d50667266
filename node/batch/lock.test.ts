import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from './lock.js';

const root = mkdtempSync(join(tmpdir(), 'deid-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const timing = { heartbeatMs: 20, staleMs: 120_000 };
const age = (file: string) => Date.now() - statSync(file).mtimeMs;
const holderPid = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid;

/** A folder holding the lock of a run on another computer, last refreshed `ageMs` ago. */
function lockedElsewhere(ageMs: number): string {
  const dir = mkdtempSync(join(root, 'folder-'));
  const file = join(dir, LOCK_FILE);
  writeFileSync(file, JSON.stringify({ pid: 4242, started: '99', host: `not-${hostname()}` }));
  const then = new Date(Date.now() - ageMs);
  utimesSync(file, then, then);
  return dir;
}

describe('lockFolder across computers that share a folder', () => {
  it('respects a lock another computer keeps refreshing, and says when it would be taken over', () => {
    const dir = lockedElsewhere(60_000);
    expect(() => lockFolder(dir, 'audit folder', timing)).toThrow(
      'a run on another computer is writing into this audit folder; wait for it (a lock it stops refreshing is taken over after 2 minutes)',
    );
    expect(holderPid(dir)).toBe(4242);
  });

  it('takes over a lock another computer stopped refreshing: a shard restarted on another node resumes', () => {
    const dir = lockedElsewhere(180_000);
    const lock = lockFolder(dir, 'output folder', timing);
    expect(holderPid(dir)).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refreshes its own lock while it holds it, and stops once it is released', async () => {
    const dir = mkdtempSync(join(root, 'mine-'));
    const file = join(dir, LOCK_FILE);
    const lock = lockFolder(dir, 'report folder', timing);
    const then = new Date(Date.now() - 180_000);
    utimesSync(file, then, then);
    await sleep(200);
    expect(age(file)).toBeLessThan(1_000);
    lock.release();
    await sleep(100);
    expect(existsSync(file)).toBe(false);
  });
});
