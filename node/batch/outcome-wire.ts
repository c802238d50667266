import { renderReportPart } from '../reports/report-layout.js';
import type { FileOutcome, FileTask } from './process-file.js';

/** A file as the main thread hands it to a worker: its size tells the worker whether to answer first. */
export interface WorkerTask extends FileTask {
  readonly bytes: number;
}

/**
 * A file's outcome as it crosses from a worker thread to the main thread. A written file's report goes as
 * its shareable entry's part, rendered here (two strings), without the per-attribute counts: as objects
 * (some sixty one-entry objects for a small CT) they were most of what cloning an outcome cost, and the
 * main thread spent more again rebuilding and stringifying them. A worker's message is an array of these,
 * in the order it finished the files.
 */
export type PackedOutcome = FileOutcome;

/** The worker's side. */
export function packOutcome(outcome: FileOutcome): PackedOutcome {
  if (outcome.status !== 'written') return outcome;
  return {
    ...outcome,
    report: { ...outcome.report, attributes: new Map() },
    reportPart: renderReportPart(outcome.report),
  };
}
