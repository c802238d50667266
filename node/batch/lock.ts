import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ReportableError } from '../../shared/errors.js';

/** Hidden in the output, report and audit folders while a run writes there; removed when it ends. */
export const LOCK_FILE = '.deid-lock';

/** Another run is writing into one of the run's folders. */
export class FolderLockedError extends ReportableError {
  override readonly name = 'FolderLockedError';
}

/** The folders a run takes for itself, as its messages name them. */
export type LockedFolder = 'output folder' | 'report folder' | 'audit folder';

/**
 * A run refreshes its locks every `heartbeatMs`; a lock from another computer not refreshed for `staleMs`
 * is one a run left when its machine or pod died, and is taken over. The margin between the two covers
 * clocks that differ between the machines sharing the folder.
 */
export interface LockTiming {
  readonly heartbeatMs: number;
  readonly staleMs: number;
}
export const LOCK_TIMING: LockTiming = { heartbeatMs: 60_000, staleMs: 5 * 60_000 };

interface Holder {
  readonly pid: number;
  /** When the process started, as the kernel counts it: a pid reused after a crash has another. */
  readonly started: string;
  readonly host: string;
}

/** A process's start time where the system tells it (Linux); empty elsewhere, and then the pid decides. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function isRunning(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(holder.pid);
  return started === '' || holder.started === '' || started === holder.started;
}

/** Whether a lock has gone unrefreshed for longer than a running holder ever leaves it. */
function isStale(file: string, timing: LockTiming): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > timing.staleMs;
  } catch {
    // Gone meanwhile: its holder released it.
    return true;
  }
}

function refresh(file: string) {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // The folder's disk fails: the run's own writes say so; a missed refresh only ages the lock.
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.started === 'string' && typeof h.host === 'string')
      return h as Holder;
  } catch {
    // Unreadable or cut short: a run that died while taking the lock.
  }
  return undefined;
}

/**
 * Takes a folder for this run, so two runs can never interleave their files there: outputs, a report's
 * parts and resume state, audit rows, crosswalk rows and copies kept for review. A lock left by a run that
 * crashed (its process is gone, or the pid now belongs to a newer process) is taken over; one held from
 * another computer (a shared folder, a scheduler's other node) is respected while it is refreshed, and
 * taken over once it is stale (LockTiming): a shard restarted on another node resumes. System errors (a
 * read-only folder) are thrown as they are, for the caller to word.
 */
export function lockFolder(dir: string, what: LockedFolder, timing = LOCK_TIMING): { release(): void } {
  const file = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, started: startTimeOf(process.pid), host: hostname() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (attempt > 0)
        throw new FolderLockedError(`another run took this ${what} at the same moment; try again`);
      const holder = readHolder(file);
      if (holder && (holder.host === me.host ? isRunning(holder) : !isStale(file, timing))) {
        throw new FolderLockedError(
          holder.host === me.host
            ? `another run (process ${holder.pid}) is writing into this ${what}; wait for it to finish or choose another folder`
            : `a run on another computer is writing into this ${what}; wait for it (a lock it stops refreshing is taken over after ${timing.staleMs / 60_000} minutes), or delete ${LOCK_FILE} in the folder if no run is going`,
        );
      }
      unlinkSync(file);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    // Not keeping the process alive: a run that ends releases its locks.
    const heartbeat = setInterval(() => refresh(file), timing.heartbeatMs).unref();
    return {
      release: () => {
        clearInterval(heartbeat);
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      },
    };
  }
}
