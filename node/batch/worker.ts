import { parentPort, workerData } from 'node:worker_threads';
import { OutcomePacker } from './outcome-wire.js';
import { PixelTools } from './pixel-pass.js';
import {
  type FileOutcome,
  type FileTask,
  failureReason,
  processFileTimed,
  type WorkerConfig,
} from './process-file.js';

// A batch worker thread: takes file tasks one at a time, in order (they share the thread's input buffer
// and pixel tools), and answers with their outcome.
const config = workerData as WorkerConfig;
const tools = new PixelTools();
const packer = new OutcomePacker();
let queue = Promise.resolve();
parentPort?.on('message', (task: FileTask) => {
  queue = queue
    .then(() => processFileTimed(task, config, tools))
    // processFile answers every file itself; this is for what escapes it, so the queue goes on.
    .catch((e: unknown) => failedTask(task, e))
    .then((outcome) => parentPort?.postMessage(packer.pack(outcome)));
});

const failedTask = (task: FileTask, e: unknown): FileOutcome => ({
  id: task.id,
  status: 'failed',
  reason: failureReason(e),
  inputBytes: 0,
  verification: 'not-run',
});
