import type { RunProgress } from '../../shared/ipc/contract.js';
import type { BatchFileResult } from './commit.js';

export interface ProgressHooks {
  onProgress?(p: RunProgress): void;
  onFile?(r: BatchFileResult): void;
}

/**
 * A run's counters, in one place: what the walk found so far, what was committed, and how; told to the
 * caller's hooks as each input is committed.
 */
export class RunTally {
  readonly counts = { written: 0, skipped: 0, failed: 0, held: 0, accepted: 0, verificationFailed: 0 };
  readonly heldReasons = new Set<string>();
  previouslyWritten = 0;
  /** Inputs committed (announced), and their bytes. */
  done = 0;
  bytesDone = 0;
  /** Found by the walk so far (this shard's inputs); final once `walking` is false. */
  total = 0;
  bytesTotal = 0;
  walking = true;

  constructor(
    private readonly started: number,
    private readonly hooks: ProgressHooks,
  ) {}

  /** The walk found an input: its place among this run's inputs, from 0. */
  found(bytes: number): number {
    this.bytesTotal += bytes;
    return this.total++;
  }

  walkEnded(): void {
    this.walking = false;
    this.report();
  }

  /** An input committed: counted, handed to onFile, and progress told. */
  announce(r: BatchFileResult, bytes: number): void {
    const { counts } = this;
    counts[r.status]++;
    if (r.outcome?.verification === 'failed') counts.verificationFailed++;
    if (r.status === 'written' && r.outcome?.status === 'written' && r.outcome.pixels.status === 'accepted')
      counts.accepted++;
    if (r.outcome?.status === 'held') this.heldReasons.add(r.outcome.reason);
    if (r.alreadyWritten) this.previouslyWritten++;
    this.done++;
    this.bytesDone += bytes;
    this.hooks.onFile?.(r);
    this.report();
  }

  private report(): void {
    const { onProgress } = this.hooks;
    if (!onProgress) return;
    const { done, total, walking } = this;
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    onProgress({
      done,
      total,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      filesPerSecond: rate,
      // Unknown while the walk still finds inputs: the total is only what it found so far.
      etaSeconds: rate > 0 && !walking ? (total - done) / rate : null,
      ...(walking ? { counting: true } : {}),
      ...this.counts,
    });
  }
}
