import { ACTION_NAMES, type ActionName, type FileReport } from '../../shared/anonymize/engine.js';
import type { FileOutcome, FileTask } from './process-file.js';

/** A file as the main thread hands it to a worker: its size tells the worker whether to answer first. */
export interface WorkerTask extends FileTask {
  readonly bytes: number;
}

/**
 * A file's outcome as it crosses from a worker thread to the main thread. Its per-attribute counts (some
 * sixty one-entry objects for a small CT) were most of what cloning it cost on both sides, so they travel
 * as [label, action, count] numbers in a plain array (cloned as compactly as a typed one, without a buffer
 * each), and each label (a tag and a keyword, nothing from the file) is sent once per worker, with the
 * first outcome that uses it. A worker's message is an array of them, in the order it finished the files.
 */
export interface PackedOutcome {
  readonly outcome: FileOutcome;
  /** The written file's attribute counts: label number, action number, count; in the report's order. */
  readonly counts?: readonly number[];
  /** Labels this worker had not sent before, numbered on from the last. */
  readonly newLabels?: readonly string[];
}

const actionNumber = new Map<string, number>(ACTION_NAMES.map((a, i) => [a, i]));

/** The worker's side: one per thread, for the life of the thread. */
export class OutcomePacker {
  private readonly labelNumbers = new Map<string, number>();

  pack(outcome: FileOutcome): PackedOutcome {
    if (outcome.status !== 'written') return { outcome };
    const newLabels: string[] = [];
    const counts: number[] = [];
    for (const [label, byAction] of Object.entries(outcome.report.attributes)) {
      let n = this.labelNumbers.get(label);
      if (n === undefined) {
        n = this.labelNumbers.size;
        this.labelNumbers.set(label, n);
        newLabels.push(label);
      }
      for (const [action, count] of Object.entries(byAction))
        counts.push(n, actionNumber.get(action)!, count);
    }
    return {
      outcome: { ...outcome, report: { ...outcome.report, attributes: {} } },
      counts,
      ...(newLabels.length > 0 ? { newLabels } : {}),
    };
  }
}

/** The main thread's side: one per worker, fed that worker's messages in the order they came. */
export class OutcomeUnpacker {
  private readonly labels: string[] = [];

  unpack(packed: PackedOutcome): FileOutcome {
    if (packed.newLabels) this.labels.push(...packed.newLabels);
    const { outcome, counts } = packed;
    if (!counts || outcome.status !== 'written') return outcome;
    const attributes: Record<string, Partial<Record<ActionName, number>>> = {};
    for (let i = 0; i < counts.length; i += 3) {
      const label = this.labels[counts[i]!]!;
      const byAction = attributes[label] ?? {};
      byAction[ACTION_NAMES[counts[i + 1]!]!] = counts[i + 2]!;
      attributes[label] = byAction;
    }
    const report: FileReport = { ...outcome.report, attributes };
    return { ...outcome, report };
  }
}
