import { type MessagePort, workerData } from 'node:worker_threads';
import type { InputEntry } from '../node/inputs.js';
import { type ScanMode, scanBatch } from './scan-batch.js';

/** A batch for the scan's second thread; the answer carries the same `id`. */
export interface BatchRequest {
  readonly id: number;
  readonly entries: readonly InputEntry[];
}

const { port, mode } = workerData as { port: MessagePort; mode: ScanMode };

port.on('message', ({ id, entries }: BatchRequest) => {
  // Paths that are bytes arrive as plain Uint8Arrays: the same bytes, seen as Buffers again.
  const local = entries.map((e) =>
    typeof e.osPath === 'string'
      ? e
      : { ...e, osPath: Buffer.from(e.osPath.buffer, e.osPath.byteOffset, e.osPath.byteLength) },
  );
  port.postMessage({ id, ...scanBatch(local, mode) });
});
