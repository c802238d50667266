import type { MessagePort, Worker } from 'node:worker_threads';
import type { InputEntry } from '../node/inputs.js';
import { type BatchResult, type ScanMode, scanBatch } from './scan-batch.js';
import type { BatchRequest } from './scan-worker.js';

/** Files per batch: enough that handing one to the other thread costs little beside scanning it. */
const BATCH = 32;
/**
 * A second thread costs tens of milliseconds to start, and its code warms up as slowly as this one's did: on
 * 2,000 CT files it saved this thread ~20 ms for 0.25 s more CPU and 45 MB more memory, on 20,000 a sixth
 * of this thread's time. So it is started once this many files have been found.
 */
const WORKER_AFTER = 4096;
/** Batches at the worker: one it scans and one waiting, so it never idles while this thread works. */
const AT_WORKER = 2;
/** Batches scanned here and held behind one the worker has not answered yet: the memory they hold is bounded. */
const MAX_HELD = 32;

interface Slot {
  readonly entries: InputEntry[];
  result?: BatchResult;
}

/**
 * Scans files in batches on this thread and, past WORKER_AFTER files, on a second one too, and hands the
 * results on in input order. The worker is given a batch whenever it has fewer than AT_WORKER; this thread
 * scans the rest, so the two share the work whatever their speeds.
 */
export class ParallelScan {
  private batch: InputEntry[] = [];
  /** Batches in input order, from the oldest not yet handed on. */
  private readonly queue: Slot[] = [];
  private readonly atWorker = new Map<number, Slot>();
  private nextId = 0;
  private found = 0;
  private worker: { readonly thread: Worker; readonly port: MessagePort } | undefined;
  private failed = false;
  private wake: (() => void) | undefined;

  /** `workerScript`: scan-worker's bundle, or undefined to scan on this thread alone. */
  constructor(
    private readonly mode: ScanMode,
    private readonly emit: (result: BatchResult) => Promise<void>,
    private readonly workerScript: URL | undefined,
    private readonly workerAfter = WORKER_AFTER,
  ) {}

  /** Batches the worker was given. */
  get workerBatches(): number {
    return this.nextId;
  }

  async add(entry: InputEntry): Promise<void> {
    this.batch.push(entry);
    if (++this.found === this.workerAfter) await this.startWorker();
    if (this.batch.length === BATCH) await this.dispatch();
  }

  /** Scans what is left and hands every result on. */
  async finish(): Promise<void> {
    if (this.batch.length > 0) await this.dispatch();
    while (this.atWorker.size > 0 && !this.failed) await this.answer();
    this.takeBack();
    await this.handOn();
  }

  /** Stops the worker; the scan must not go on after this. */
  async close(): Promise<void> {
    await this.worker?.thread.terminate();
    this.worker = undefined;
  }

  private async startWorker() {
    if (!this.workerScript) return;
    // Loaded only here: most scans never start a worker, and loading these is 2 ms of every start-up.
    const [{ availableParallelism }, { MessageChannel, Worker }] = await Promise.all([
      import('node:os'),
      import('node:worker_threads'),
    ]);
    if (availableParallelism() < 2) return;
    const { port1, port2 } = new MessageChannel();
    const thread = new Worker(this.workerScript, {
      workerData: { port: port2, mode: this.mode },
      transferList: [port2],
    });
    const fail = () => {
      this.failed = true;
      this.wake?.();
    };
    thread.on('error', fail);
    thread.on('exit', fail);
    port1.on('message', ({ id, texts, outcomes }: BatchResult & { id: number }) => {
      const slot = this.atWorker.get(id);
      if (!slot) return;
      this.atWorker.delete(id);
      slot.result = { texts, outcomes };
      this.wake?.();
    });
    this.worker = { thread, port: port1 };
  }

  /** The batches of a worker that failed, scanned here. */
  private takeBack() {
    for (const slot of this.atWorker.values()) slot.result = scanBatch(slot.entries, this.mode);
    this.atWorker.clear();
  }

  private async dispatch() {
    const slot: Slot = { entries: this.batch };
    this.batch = [];
    this.queue.push(slot);
    if (this.worker && !this.failed && this.atWorker.size < AT_WORKER) {
      const id = this.nextId++;
      this.atWorker.set(id, slot);
      this.worker.port.postMessage({ id, entries: slot.entries } satisfies BatchRequest);
    } else {
      slot.result = scanBatch(slot.entries, this.mode);
    }
    if (this.atWorker.size > 0) {
      // The worker's answers are delivered between turns of the event loop, not while this thread scans.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > MAX_HELD && this.atWorker.size > 0 && !this.failed) await this.answer();
    }
    if (this.failed) this.takeBack();
    await this.handOn();
  }

  private answer(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async handOn() {
    while (this.queue[0]?.result) await this.emit(this.queue.shift()!.result!);
  }
}
