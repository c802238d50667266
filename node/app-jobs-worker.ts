import { parentPort } from 'node:worker_threads';
import { type Job, replyTo } from './app-jobs.js';

// The app's reading worker: jobs run concurrently (their file reads overlap), each answered by its id.
parentPort?.on('message', ({ id, job }: { id: number; job: Job }) => {
  void replyTo(id, job).then((reply) => parentPort?.postMessage(reply));
});
