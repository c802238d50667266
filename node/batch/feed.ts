import { errorText } from '../../shared/errors.js';
import type { RunHalt } from './halt.js';
import type { PassedOver, Pending } from './plan.js';
import type { TaskSource } from './pool.js';
import type { RunTally } from './progress.js';
import type { StageTimer } from './stage-clock.js';
import { Wakeup } from './wakeup.js';

/** An input on its way to the pool: `id` is its place among this run's inputs, from 0. */
export type Queued = Pending & { readonly id: number };

// How many inputs may be between the walk and the commit: the queue for the workers, the files in flight
// and those finished and waiting for the ones before them or for their group's commit. Enough to keep the
// workers busy behind a slow file; small enough that what they hold (a few kB each) stays bounded.
export const WINDOW = 256;

/** Where the walk sends what it finds: work for the pool goes through the feed's queue, the rest straight on. */
export interface FeedSink {
  passedOver(seq: number, item: PassedOver): void;
}

/**
 * The batch's first stage: walks the planned inputs and queues their work for the pool, which takes it as
 * its threads are free. The walk pauses while WINDOW inputs are between it and the commit, so memory does
 * not grow with the number of inputs.
 */
export class Feed implements TaskSource<Queued> {
  private readonly queue: Queued[] = [];
  private wakePool = () => {};
  private readonly walkMayGo = new Wakeup();
  // In-thread, one file at a time: the next is handed out once the last has reached the commit, so a
  // cancel stops the batch right after the file it came with.
  private handedOut = 0;

  constructor(
    private readonly tally: RunTally,
    private readonly halt: RunHalt,
    private readonly sink: FeedSink,
    /** How many inputs reached the commit; set for a pool that works one file at a time. */
    private readonly oneAtATime?: () => number,
  ) {}

  take(): Queued | undefined {
    if (this.oneAtATime && this.oneAtATime() < this.handedOut) return undefined;
    const task = this.queue.shift();
    if (task) this.handedOut = task.id + 1;
    return task;
  }

  get waiting(): number {
    return this.queue.length;
  }

  get ended(): boolean {
    return this.halt.halted || (!this.tally.walking && this.queue.length === 0);
  }

  onReady(wake: () => void): void {
    this.wakePool = wake;
  }

  /** The commit made room, or the run halts: the walk and the pool look again. */
  wake(): void {
    this.walkMayGo.wake();
    this.wakePool();
  }

  /** Walks to the end of the inputs (or until the run halts); a walk that fails stops the run. */
  async walk(planned: AsyncIterable<Pending | PassedOver>, timed: StageTimer): Promise<void> {
    const { tally, halt } = this;
    let began = performance.now();
    try {
      for await (const item of planned) {
        if (halt.halted) break;
        const seq = tally.found(item.bytes);
        if ('status' in item) this.sink.passedOver(seq, item);
        else {
          this.queue.push({ ...item, id: seq });
          this.wakePool();
        }
        timed('walk', began);
        while (tally.total - tally.done >= WINDOW && !halt.halted) await this.walkMayGo.wait();
        began = performance.now();
      }
      timed('walk', began);
    } catch (e) {
      halt.stop(`the inputs could not be listed: ${errorText(e)}`);
    } finally {
      tally.walkEnded();
      this.wakePool();
    }
  }
}
