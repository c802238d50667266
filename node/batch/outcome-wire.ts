import { AttributesText, renderReportPart } from '../reports/report-layout.js';
import type { ReportPart } from '../reports/types.js';
import type { FileOutcome, FileTask } from './process-file.js';

/** A file as the main thread hands it to a worker: its size tells the worker whether to answer first. */
export interface WorkerTask extends FileTask {
  readonly bytes: number;
}

/**
 * A file's outcome as it crosses from a worker thread to the main thread. A written file's report goes as
 * its shareable entry's part, rendered here (strings), without the per-attribute counts: as objects
 * (some sixty one-entry objects for a small CT) they were most of what cloning an outcome cost, and the
 * main thread spent more again rebuilding and stringifying them. The attributes' text is left out when it
 * is the one this worker sent last: the files of a series mostly have the same attributes, a few kilobytes
 * of text each. A worker's message is an array of these, in the order it finished the files.
 */
export type PackedOutcome =
  | Exclude<FileOutcome, Written>
  | (Omit<Written, 'reportPart'> & {
      readonly reportPart: Omit<ReportPart, 'attributes'> & { readonly attributes?: string };
    });

type Written = Extract<FileOutcome, { readonly status: 'written' }>;

/** The worker's side: one per worker, packing its outcomes in the order it sends them. */
export class OutcomePacker {
  private readonly attributes = new AttributesText();

  pack(outcome: FileOutcome): PackedOutcome {
    if (outcome.status !== 'written') return outcome;
    const same = this.attributes.next(outcome.report.attributes);
    const { attributes, ...rest } = renderReportPart(outcome.report, this.attributes.text);
    return {
      ...outcome,
      report: { ...outcome.report, attributes: [] },
      reportPart: same ? rest : { ...rest, attributes },
    };
  }
}

/** The main thread's side: one per worker, unpacking its outcomes in the order they arrive. */
export class OutcomeUnpacker {
  private lastAttributes: string | undefined;

  unpack(packed: PackedOutcome): FileOutcome {
    if (packed.status !== 'written') return packed;
    const part = packed.reportPart;
    if (part.attributes !== undefined) {
      this.lastAttributes = part.attributes;
      return packed as Written;
    }
    if (this.lastAttributes === undefined) {
      // Only a worker breaking the order of its own answers could cause this: the file fails, the batch goes on.
      return {
        id: packed.id,
        status: 'failed',
        reason: 'its report reached the batch incomplete (an internal error)',
        inputBytes: packed.inputBytes,
        verification: 'not-run',
        review: packed.tempPath,
      };
    }
    return { ...packed, reportPart: { ...part, attributes: this.lastAttributes } };
  }
}
