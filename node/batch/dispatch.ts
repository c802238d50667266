import { PixelTools } from './pixel-pass.js';
import { type PoolTask, runInThisThread, runInWorkers, type TaskSource } from './pool.js';
import { type FileOutcome, processFileTimed, type WorkerConfig } from './process-file.js';

/**
 * The batch's middle stage: hands the fed tasks to `workers` threads running `script`, or, with no
 * workers, processes them one after another in this thread; each outcome goes to `onOutcome` as it comes.
 */
export async function dispatch<T extends PoolTask>(
  config: WorkerConfig,
  source: TaskSource<T>,
  workers: number,
  script: string | undefined,
  signal: AbortSignal,
  onOutcome: (task: T, outcome: FileOutcome) => void,
): Promise<void> {
  if (workers > 0) {
    await runInWorkers(script, config, source, workers, signal, onOutcome);
    return;
  }
  const tools = new PixelTools();
  try {
    await runInThisThread(
      source,
      signal,
      (task) => processFileTimed({ id: task.id, input: task.osPath }, config, tools),
      onOutcome,
    );
  } finally {
    await tools.close();
  }
}
