import { parentPort, workerData } from 'node:worker_threads';
import { type FileTask, processFileTimed, type WorkerConfig } from './process-file.js';

// A batch worker thread: takes file tasks one at a time and answers with their outcome.
const config = workerData as WorkerConfig;
parentPort?.on('message', (task: FileTask) => {
  parentPort?.postMessage(processFileTimed(task, config));
});
