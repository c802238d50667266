import { ReportableError } from '../errors.js';
/** Inputs the engine declines by design (not failures): the batch reports them as skipped, with this reason. */
export class SkippedInput extends ReportableError {
  constructor(
    readonly code: 'dicomdir',
    message: string,
  ) {
    super(message);
    this.name = 'SkippedInput';
  }
}

export const isSkippedInput = (e: unknown): e is SkippedInput => e instanceof SkippedInput;
