import { Worker } from 'node:worker_threads';
import type { OsPath } from '../inputs.js';
import { OutcomeUnpacker, type PackedOutcome, type WorkerTask } from './outcome-wire.js';
import type { FileOutcome, WorkerConfig } from './process-file.js';
import { BatchSetupError } from './site.js';

/** What the pool needs of an input: its id in the run, what opens it, its size for a lost worker's outcome. */
export interface PoolTask {
  readonly id: number;
  readonly osPath: OsPath;
  readonly bytes: number;
}

/**
 * Where the pool takes its tasks from as they come (the walk streams them): `take` gives the next one
 * or undefined when none is ready yet; the source calls the `wake` it was given once more may be ready.
 */
export interface TaskSource<T> {
  take(): T | undefined;
  /** How many tasks take() would give now. */
  readonly waiting: number;
  /** No task will come any more. */
  readonly ended: boolean;
  onReady(wake: () => void): void;
}

// A worker's heap cap: a hostile file that makes the engine balloon kills its worker, not the batch.
const WORKER_HEAP_MB = 1024;
// A worker's young generation: V8 lets it grow to 48 MB per thread, which small files never need (their
// garbage dies young either way); capped, two workers on 20,000 small files peaked 40-55 MB lower.
const WORKER_YOUNG_MB = 8;
// Tasks per worker in flight: a worker answers up to eight small files in one message (worker.ts), and
// still has files to work on while the main thread takes the message and hands it more.
export const PER_WORKER = 12;

/**
 * Feeds tasks to a pool of worker threads; resolves true when cancelled. A worker that dies (out of
 * memory, a crash) fails the files it held with a reason and is replaced; the batch goes on.
 */
export function runInWorkers<T extends PoolTask>(
  script: string | undefined,
  config: WorkerConfig,
  source: TaskSource<T>,
  size: number,
  signal: AbortSignal | undefined,
  onOutcome: (task: T, outcome: FileOutcome) => void,
): Promise<boolean> {
  if (!script) throw new BatchSetupError('no worker script given for a threaded batch');
  return new Promise((resolvePool) => {
    let settled = false;
    // Threads start as work arrives (a run with nothing left to do starts none), up to `size`.
    let started = 0;
    // Replacements are bounded: a worker that cannot even start must not be restarted forever.
    let respawns = 4 * size;
    // Set when no thread can be kept running: what remains fails, with the reason, rather than wait forever.
    let noWorkers = false;
    const inFlight = new Map<Worker, Map<number, T>>();
    const active = () => [...inFlight.values()].reduce((n, tasks) => n + tasks.size, 0);
    const settle = (cancelled: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // Terminating mid-write is safe: partial files live only in the temporary folder, removed next.
      void Promise.all([...inFlight.keys()].map((w) => w.terminate())).then(() => resolvePool(cancelled));
    };
    const finishIfDone = () => {
      if (active() === 0 && (signal?.aborted || source.ended)) settle(signal?.aborted ?? false);
    };
    const feed = (w: Worker) => {
      const held = inFlight.get(w)!;
      while (held.size < PER_WORKER && !signal?.aborted) {
        const task = source.take();
        if (!task) break;
        held.set(task.id, task);
        w.postMessage({ id: task.id, input: task.osPath, bytes: task.bytes } satisfies WorkerTask);
      }
      finishIfDone();
    };
    const failRest = () => {
      for (let task = source.take(); task; task = source.take()) {
        onOutcome(task, {
          id: task.id,
          status: 'failed',
          reason: 'not processed: no worker thread could be kept running',
          inputBytes: task.bytes,
          verification: 'not-run',
        });
      }
      finishIfDone();
    };
    const lost = (w: Worker) => {
      const held = inFlight.get(w);
      if (!held || settled) return;
      inFlight.delete(w);
      for (const task of held.values()) {
        onOutcome(task, {
          id: task.id,
          status: 'failed',
          reason:
            'processing stopped unexpectedly (the worker handling this file ran out of memory or crashed)',
          inputBytes: task.bytes,
          verification: 'not-run',
        });
      }
      if (respawns-- > 0) start();
      else if (inFlight.size === 0) {
        noWorkers = true;
        failRest();
      }
      finishIfDone();
    };
    const start = () => {
      const w = new Worker(script, {
        workerData: config,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      });
      inFlight.set(w, new Map());
      const unpacker = new OutcomeUnpacker();
      w.on('message', (message: readonly PackedOutcome[]) => {
        for (const o of message) {
          // Every outcome through the unpacker, in order: a later one may refer to this one's text.
          const outcome = unpacker.unpack(o);
          const held = inFlight.get(w);
          const task = held?.get(o.id);
          held?.delete(o.id);
          if (settled) return;
          if (task) onOutcome(task, outcome);
        }
        feed(w);
      });
      w.on('error', () => lost(w));
      w.on('exit', () => lost(w));
      feed(w);
    };
    const wake = () => {
      if (settled) return;
      if (noWorkers) return failRest();
      for (const w of inFlight.keys()) feed(w);
      for (; started < size && source.waiting > 0; started++) start();
      finishIfDone();
    };
    source.onReady(wake);
    const onAbort = () => settle(true);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) settle(true);
    else wake();
  });
}

/**
 * Processes the tasks one after another in this thread (tests, tiny batches), giving the event loop a turn
 * before each, so the walk goes on while files are processed.
 */
export async function runInThisThread<T extends PoolTask>(
  source: TaskSource<T>,
  signal: AbortSignal | undefined,
  process: (task: T) => Promise<FileOutcome>,
  onOutcome: (task: T, outcome: FileOutcome) => void,
): Promise<void> {
  let wake: () => void = () => {};
  source.onReady(() => wake());
  while (!signal?.aborted) {
    await new Promise((turn) => setImmediate(turn));
    const task = source.take();
    if (task) onOutcome(task, await process(task));
    else if (source.ended) return;
    else await new Promise<void>((ready) => (wake = ready));
  }
}
