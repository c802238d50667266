import { parentPort, workerData } from 'node:worker_threads';
import { OutcomePacker, type PackedOutcome, type WorkerTask } from './outcome-wire.js';
import { PixelTools } from './pixel-pass.js';
import { type FileOutcome, failureReason, processFileTimed, type WorkerConfig } from './process-file.js';

// A batch worker thread: takes file tasks one at a time, in order (they share the thread's input buffer
// and pixel tools), and answers with their outcomes, several to a message (see holdOutcome).
const config = workerData as WorkerConfig;
const tools = new PixelTools();
const packer = new OutcomePacker();
const tasks: WorkerTask[] = [];
let held: PackedOutcome[] = [];
let running = false;

parentPort?.on('message', (task: WorkerTask) => {
  tasks.push(task);
  if (!running) void run();
});

async function run() {
  running = true;
  for (let task = tasks.shift(); task; task = tasks.shift()) {
    let outcome: FileOutcome;
    try {
      outcome = await processFileTimed(task, config, tools);
    } catch (e) {
      // processFile answers every file itself; this is for what escapes it, so the queue goes on.
      outcome = failedTask(task, e);
    }
    held.push(packer.pack(outcome));
    // A file's work rarely yields to the event loop: the tasks sent meanwhile are let in before deciding.
    if (tasks.length === 0) await new Promise((turn) => setImmediate(turn));
    if (!holdOutcome(held.length, tasks[0])) {
      parentPort?.postMessage(held);
      held = [];
    }
  }
  running = false;
}

/**
 * Whether the outcomes finished so far wait for the next file's. Each message wakes the main thread, and on
 * a loaded machine the worker then loses its core: 1.6–2 ms of wall time in postMessage per small file
 * (corpus c, 2 workers), against 0.1 ms to serialize the outcome; 8 to a message cut it to 0.35 ms a file.
 * They wait only while the worker has a next file that is small, and never more than HOLD_OUTCOMES of
 * them, so the main thread still hears in time to send more (pool.ts keeps PER_WORKER tasks in flight).
 */
const holdOutcome = (count: number, next: WorkerTask | undefined): boolean =>
  next !== undefined && count < HOLD_OUTCOMES && next.bytes <= HOLD_BEFORE_BYTES;

const HOLD_OUTCOMES = 8;
const HOLD_BEFORE_BYTES = 4 * 1024 * 1024;

const failedTask = (task: WorkerTask, e: unknown): FileOutcome => ({
  id: task.id,
  status: 'failed',
  reason: failureReason(e),
  inputBytes: 0,
  verification: 'not-run',
});
