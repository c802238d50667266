import { ReportableError } from '../../shared/errors.js';

/** Why the reports of shards cannot be combined: plain words, no value from them. */
export class MergeError extends ReportableError {
  override readonly name = 'MergeError';
}
