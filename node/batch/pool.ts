import { Worker } from 'node:worker_threads';
import type { OsPath } from '../inputs.js';
import { OutcomeUnpacker, type PackedOutcome } from './outcome-wire.js';
import type { FileOutcome, FileTask, WorkerConfig } from './process-file.js';
import { BatchSetupError } from './site.js';

/** What the pool needs of an input: what opens it, and its size for the outcome of a lost worker. */
export interface PoolTask {
  readonly osPath: OsPath;
  readonly bytes: number;
}

// A worker's heap cap: a hostile file that makes the engine balloon kills its worker, not the batch.
const WORKER_HEAP_MB = 1024;
// Two tasks per worker in flight, so a worker never waits for the main thread to hand it the next file.
const PER_WORKER = 2;

/**
 * Feeds tasks to a pool of worker threads; resolves true when cancelled. A worker that dies (out of
 * memory, a crash) fails the files it held with a reason and is replaced; the batch goes on.
 */
export function runInWorkers<T extends PoolTask>(
  script: string | undefined,
  config: WorkerConfig,
  pending: readonly T[],
  size: number,
  signal: AbortSignal | undefined,
  onOutcome: (task: T, outcome: FileOutcome) => void,
): Promise<boolean> {
  if (!script) throw new BatchSetupError('no worker script given for a threaded batch');
  return new Promise((resolvePool) => {
    let next = 0;
    let settled = false;
    // Replacements are bounded: a worker that cannot even start must not be restarted forever.
    let respawns = 4 * size;
    const inFlight = new Map<Worker, Set<number>>();
    const active = () => [...inFlight.values()].reduce((n, ids) => n + ids.size, 0);
    const settle = (cancelled: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // Terminating mid-write is safe: partial files live only in the temporary folder, removed next.
      void Promise.all([...inFlight.keys()].map((w) => w.terminate())).then(() => resolvePool(cancelled));
    };
    const finishIfDone = () => {
      if (active() === 0 && (signal?.aborted || next >= pending.length)) settle(signal?.aborted ?? false);
    };
    const feed = (w: Worker) => {
      if (signal?.aborted || next >= pending.length) return finishIfDone();
      const id = next++;
      inFlight.get(w)!.add(id);
      const task: FileTask = { id, input: pending[id]!.osPath };
      w.postMessage(task);
    };
    const lost = (w: Worker) => {
      const ids = inFlight.get(w);
      if (!ids || settled) return;
      inFlight.delete(w);
      for (const id of ids) {
        onOutcome(pending[id]!, {
          id,
          status: 'failed',
          reason:
            'processing stopped unexpectedly (the worker handling this file ran out of memory or crashed)',
          inputBytes: pending[id]!.bytes,
          verification: 'not-run',
        });
      }
      if (respawns-- > 0) start();
      else if (inFlight.size === 0) {
        // No thread left to do the work: what remains fails, with the reason, rather than waiting forever.
        for (; next < pending.length; next++) {
          onOutcome(pending[next]!, {
            id: next,
            status: 'failed',
            reason: 'not processed: no worker thread could be kept running',
            inputBytes: pending[next]!.bytes,
            verification: 'not-run',
          });
        }
      }
      finishIfDone();
    };
    const start = () => {
      const w = new Worker(script, {
        workerData: config,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      });
      inFlight.set(w, new Set());
      const unpacker = new OutcomeUnpacker();
      w.on('message', (packed: PackedOutcome) => {
        const o = unpacker.unpack(packed);
        inFlight.get(w)?.delete(o.id);
        if (settled) return;
        onOutcome(pending[o.id]!, o);
        feed(w);
      });
      w.on('error', () => lost(w));
      w.on('exit', () => lost(w));
      for (let k = 0; k < PER_WORKER; k++) feed(w);
    };
    const onAbort = () => settle(true);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) settle(true);
    else for (let i = 0; i < size; i++) start();
  });
}
