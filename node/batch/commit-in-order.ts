import { errorText } from '../../shared/errors.js';
import { type Announce, type CommitStage, PlaceError } from './commit.js';
import type { Queued } from './feed.js';
import type { RunHalt } from './halt.js';
import { InOrder } from './in-order.js';
import type { PassedOver } from './plan.js';
import { type FileOutcome, unlinkQuietly } from './process-file.js';
import type { RunTally } from './progress.js';
import type { StageTimer } from './stage-clock.js';
import { Wakeup } from './wakeup.js';

/** What waits for the commit: an input passed over by the walk, or one the pool finished. */
export type Finished =
  | { readonly passed: PassedOver }
  | { readonly task: Queued; readonly outcome: FileOutcome };

/**
 * When a group is committed: once this many inputs are staged, or this long after the previous group's
 * commit began, whichever comes first (and at once when nothing more can come). A commit costs one sync of
 * the private records; without a bound, a group was whatever finished during the previous sync (two or
 * three small files), so a run of 20,000 small files paid ~8,000 syncs. Both bounds keep the window of
 * inputs between walk and commit (WINDOW) from filling while a group gathers.
 */
export const GROUP_FILES = 128;
export const GROUP_MS = 25;

/**
 * The batch's last stage as the main thread runs it: takes the finished inputs back in input order, stages
 * them in the commit's group as they come (named, their records appended), and commits the group (one
 * sync, then the moves into place). A write that fails here (a full disk under the audit or the state, the
 * output folder's disk) stops the run with the reason instead of going on without a record.
 */
export class CommitInOrder {
  private readonly finished = new InOrder<Finished>();
  private readonly mayGo = new Wakeup();
  /** Hands a committed (or dropped) input to the tally. */
  private readonly announce: Announce;

  constructor(
    private readonly committer: CommitStage,
    private readonly tally: RunTally,
    private readonly halt: RunHalt,
    /** Commit each input at once (one file at a time in this thread: the next waits for it). */
    private readonly eachAtOnce: boolean,
    /** Told after each group: room was made between the walk and the commit. */
    private readonly committed: () => void,
  ) {
    this.announce = tally.announce.bind(tally);
  }

  /** An input finished (or passed over) out of order: `seq` is its place among this run's inputs. */
  put(seq: number, item: Finished): void {
    this.finished.put(seq, item);
    this.mayGo.wake();
  }

  /** Inputs handed on to the commit so far, in input order. */
  get taken(): number {
    return this.finished.taken;
  }

  wake(): void {
    this.mayGo.wake();
  }

  /** Runs until every input the walk found is committed, or the run halts. */
  async run(timed: StageTimer): Promise<void> {
    const { committer, tally, halt, announce } = this;
    let lastCommit = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const commit = async () => {
      try {
        await committer.commit(announce);
      } catch (e) {
        committer.discard(announce);
        halt.stop(whyStopped(e));
      }
      lastCommit = performance.now();
      this.committed();
    };
    try {
      for (;;) {
        const ready = halt.halted ? [] : this.finished.takeReady();
        const began = performance.now();
        for (const item of ready) await this.stage(item, commit);
        const ending = halt.halted || (!tally.walking && this.finished.taken === tally.total);
        const due =
          this.eachAtOnce || committer.staged >= GROUP_FILES || performance.now() - lastCommit >= GROUP_MS;
        const commits = committer.staged > 0 && (ending || due);
        if (commits) await commit();
        if (commits || ready.length > 0) timed('commit', began);
        if (ending) return;
        if (committer.staged > 0 && timer === undefined) {
          const wait = Math.max(0, GROUP_MS - (performance.now() - lastCommit));
          timer = setTimeout(() => {
            timer = undefined;
            this.mayGo.wake();
          }, wait);
        }
        if (ready.length === 0 || committer.staged > 0) await this.mayGo.wait();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** One input into the group; the group is committed first when the input must wait for it. */
  private async stage(item: Finished, commit: () => Promise<void>): Promise<void> {
    const { committer, halt } = this;
    try {
      if (halt.stopped !== undefined) return dropped(item);
      if ('passed' in item) {
        const { bytes, taken, ...r } = item.passed;
        committer.pass({ ...r, output: r.output ?? null }, bytes, taken);
        return;
      }
      const { task, outcome } = item;
      if (!committer.add(task, outcome)) {
        await commit();
        if (halt.stopped !== undefined) return dropped(item);
        committer.add(task, outcome);
      }
      if (outcome.status !== 'written' && outcome.diskFull) {
        await commit();
        halt.stop(outcome.reason);
      }
    } catch (e) {
      committer.discard(this.announce);
      halt.stop(whyStopped(e));
    }
  }
}

/** Why a commit that failed stops the run: an output that could not be moved, or a record not written. */
const whyStopped = (e: unknown): string =>
  e instanceof PlaceError ? e.message : `a record could not be written: ${errorText(e)}`;

/** A finished input met after the run stopped: its output is never moved into place. */
function dropped(item: Finished): void {
  if ('outcome' in item && item.outcome.status === 'written') unlinkQuietly(item.outcome.tempPath);
}
