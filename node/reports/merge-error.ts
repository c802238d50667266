import { openSync } from 'node:fs';
import { ReportableError } from '../../shared/errors.js';

/** Why the reports of shards cannot be combined: plain words, no value from them. */
export class MergeError extends ReportableError {
  override readonly name = 'MergeError';
}

/** A shard's file opened to read; the merge refused, in `refusal`'s words, when it cannot be. */
export function openOrRefuse(path: string, refusal: () => MergeError): number {
  try {
    return openSync(path, 'r');
  } catch {
    throw refusal();
  }
}
