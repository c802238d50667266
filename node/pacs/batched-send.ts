import { type OutgoingInstance, readOutgoing, sendBatches } from './part10.js';

export type StoreStatus = 'sent' | 'failed' | 'not-accepted';
export interface StoreResult {
  readonly path: string;
  readonly status: StoreStatus;
  /** Plain words: status codes and transfer syntax UIDs only. */
  readonly reason?: string;
}

export interface Outgoing {
  readonly path: string;
  readonly instance: OutgoingInstance;
}

/**
 * The send loop C-STORE and STOW-RS share: files in batches bounded by count and size, each read for
 * sending (one that cannot be read is failed on its own), each batch handed to `send` in one exchange, and
 * every file's result reported as it is known, in order.
 */
export async function sendInBatches(
  paths: readonly string[],
  maxFiles: number,
  send: (batch: readonly Outgoing[]) => Promise<readonly StoreResult[]>,
  onResult?: (r: StoreResult) => void,
  beforeBatch?: () => void,
): Promise<StoreResult[]> {
  const results: StoreResult[] = [];
  const report = (r: StoreResult) => {
    results.push(r);
    onResult?.(r);
  };
  for (const group of sendBatches(paths, maxFiles)) {
    beforeBatch?.();
    const batch: Outgoing[] = [];
    for (const path of group) {
      try {
        batch.push({ path, instance: readOutgoing(path) });
      } catch {
        report({ path, status: 'failed', reason: 'the file could not be read as DICOM' });
      }
    }
    if (batch.length > 0) for (const r of await send(batch)) report(r);
  }
  return results;
}
