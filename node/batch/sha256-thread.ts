import { Worker } from 'node:worker_threads';

/** Bytes per piece: large sequential reads, few jobs (1,024 per GB). */
export const PIECE = 1024 * 1024;
// Shared by a worker's two hashes: the input piece being copied, the output's buffer being filled, and
// enough more that reading the next piece seldom waits for the hashing of the last (6 MB per worker).
const SLOTS = 6;
// Jobs a thread may have waiting: many small ranges of one piece become one copied job each.
const JOBS = 256;
// A piece hashes in a few milliseconds: a thread silent for this long is gone, and waiting on would hang.
const STALL_MS = 60_000;
// Below this, bytes are copied into the hash's own buffer: one job per kept header value would cost more.
const BY_REFERENCE = 64 * 1024;

// control[SUBMITTED]: jobs handed to the thread; control[HASHED]: jobs it has finished; control[FAILED]: 1
// when the last digest's hash had thrown. A job is (slot, offset, length); a negative length ends the hash.
const SUBMITTED = 0;
const HASHED = 1;
const FAILED = 2;

// The thread's source inline rather than a file of its own: the batch worker is one bundle, run from dist
// by the CLI and the app and from source by the tests, and an inline thread needs no path in any of them.
// Jobs cross through shared memory and a futex, not messages: a posted message per piece cost the
// reading thread more than the copy it announced.
const THREAD = `
const { workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { control, jobs, slots, digest } = workerData;
const views = slots.map((s) => new Uint8Array(s));
const out = new Uint8Array(digest);
let hash = createHash('sha256');
let failed = false;
for (let next = 0; ; ) {
  Atomics.wait(control, ${SUBMITTED}, next, 1000);
  for (const upTo = Atomics.load(control, ${SUBMITTED}); next < upTo; next++) {
    const j = (next % ${JOBS}) * 3;
    const slot = Atomics.load(jobs, j);
    const offset = Atomics.load(jobs, j + 1);
    const length = Atomics.load(jobs, j + 2);
    try {
      if (length < 0) {
        Atomics.store(control, ${FAILED}, failed ? 1 : 0);
        if (!failed) out.set(hash.digest());
        hash = createHash('sha256');
        failed = false;
      } else if (!failed) hash.update(views[slot].subarray(offset, offset + length));
    } catch {
      failed = true;
    }
    Atomics.store(control, ${HASHED}, next + 1);
    Atomics.notify(control, ${HASHED});
  }
}
`;

/**
 * The buffers a worker's hashes read from: an input piece read into one is hashed for the input and, where
 * the output copies it, for the output too, in place. A buffer is given out again only when no hash still
 * has a job on it and nobody holds it.
 */
export class SlotRing {
  readonly slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(PIECE));
  private readonly views = this.slots.map((slot) => new Uint8Array(slot));
  private readonly held = new Array<boolean>(SLOTS).fill(false);
  private readonly uses: Array<Array<{ thread: Sha256Thread; generation: number; job: number }>> = Array.from(
    { length: SLOTS },
    () => [],
  );
  private cursor = 0;

  /** A buffer to fill, held until `release`: no hash reads it any more. */
  acquire(): number {
    for (let i = 0; i < SLOTS; i++) {
      const slot = (this.cursor + i) % SLOTS;
      if (this.held[slot]) continue;
      this.cursor = slot + 1;
      for (const use of this.uses[slot]!) use.thread.waitForJob(use.generation, use.job);
      this.uses[slot] = [];
      this.held[slot] = true;
      return slot;
    }
    throw new Error('every hashing buffer is held');
  }

  release(slot: number): void {
    this.held[slot] = false;
  }

  view(slot: number): Uint8Array {
    return this.views[slot]!;
  }

  /** A hash has a job on the slot: the slot is not refilled before that job is done. */
  used(slot: number, thread: Sha256Thread, generation: number, job: number): void {
    this.uses[slot]!.push({ thread, generation, job });
  }
}

/**
 * A SHA-256 computed on another thread: while a batch worker reads and writes a large file, the input's
 * hash for the audit and the output's hash run on the core one file leaves idle. Bytes arrive either in
 * a ring buffer (`submit`: hashed in place) or copied into the hash's own buffer (`update`); both keep
 * their order. The thread is started on first use and kept for the worker's later files; it never holds
 * the process.
 */
export class Sha256Thread {
  private control = new Int32Array(new SharedArrayBuffer(12));
  private readonly jobs = new Int32Array(new SharedArrayBuffer(JOBS * 12));
  private readonly digestBytes = new SharedArrayBuffer(32);
  private worker: Worker | undefined;
  /** Bumped when the thread is replaced: jobs of the old one are never waited for. */
  private generation = 0;
  private submitted = 0;
  /** The buffer `update` copies into, its bytes [from, filled) not yet handed to the thread. */
  private own: { slot: number; from: number; filled: number } | undefined;

  constructor(
    private readonly ring: SlotRing = new SlotRing(),
    private readonly stallMs = STALL_MS,
  ) {}

  /** Hands bytes [offset, offset + length) of a ring buffer to the thread, to add to the hash in place. */
  submit(slot: number, offset: number, length: number): void {
    if (length === 0) return;
    this.handOverOwn();
    this.post(slot, offset, length);
  }

  /** Adds bytes, copied into a buffer of the ring this hash holds. */
  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      this.own ??= { slot: this.ring.acquire(), from: 0, filled: 0 };
      const own = this.own;
      const n = Math.min(PIECE - own.filled, bytes.length - at);
      this.ring.view(own.slot).set(bytes.subarray(at, at + n), own.filled);
      own.filled += n;
      at += n;
      if (own.filled === PIECE) this.handOverOwn();
    }
  }

  /** Adds bytes: in place when they lie in a ring buffer and are worth a job of their own, else copied. */
  add(bytes: Uint8Array, at?: { readonly slot: number; readonly offset: number }): void {
    if (at && bytes.length >= BY_REFERENCE) this.submit(at.slot, at.offset, bytes.length);
    else this.update(bytes);
  }

  /** The hex SHA-256 of everything added since the last digest; the next bytes start a new hash. */
  digest(): string {
    this.handOverOwn();
    this.post(0, 0, -1);
    this.waitForJob(this.generation, this.submitted - 1);
    if (Atomics.load(this.control, FAILED) === 1) throw new Error('the hashing thread failed');
    return Buffer.from(this.digestBytes).toString('hex');
  }

  /** Drops what was added since the last digest (a file that failed half-way). */
  discard(): void {
    if (this.own) this.ring.release(this.own.slot);
    this.own = undefined;
    if (this.worker) this.post(0, 0, -1);
  }

  /** Waits until the thread has done job `job` of generation `generation` (at once for a replaced thread). */
  waitForJob(generation: number, job: number): void {
    if (generation !== this.generation) return;
    for (let seen = Atomics.load(this.control, HASHED); seen <= job; ) {
      if (Atomics.wait(this.control, HASHED, seen, this.stallMs) === 'timed-out') {
        this.restart();
        throw new Error('the hashing thread stopped answering');
      }
      seen = Atomics.load(this.control, HASHED);
    }
  }

  /** The copied bytes not yet handed over go to the thread; the buffer is let go once full. */
  private handOverOwn() {
    const own = this.own;
    if (!own) return;
    if (own.filled > own.from) this.post(own.slot, own.from, own.filled - own.from);
    own.from = own.filled;
    if (own.filled === PIECE) {
      this.ring.release(own.slot);
      this.own = undefined;
    }
  }

  private post(slot: number, offset: number, length: number) {
    if (!this.worker) {
      this.worker = new Worker(THREAD, {
        eval: true,
        workerData: {
          control: this.control,
          jobs: this.jobs,
          slots: this.ring.slots,
          digest: this.digestBytes,
        },
      });
      this.worker.unref();
    }
    // A full queue waits for the thread to take the oldest job.
    this.waitForJob(this.generation, this.submitted - JOBS);
    const job = this.submitted;
    const j = (job % JOBS) * 3;
    Atomics.store(this.jobs, j, slot);
    Atomics.store(this.jobs, j + 1, offset);
    Atomics.store(this.jobs, j + 2, length);
    if (length > 0) this.ring.used(slot, this, this.generation, job);
    this.submitted++;
    Atomics.store(this.control, SUBMITTED, this.submitted);
    Atomics.notify(this.control, SUBMITTED);
  }

  /** A fresh thread, with counters of its own, for the files after one whose thread stalled. */
  private restart() {
    void this.worker?.terminate();
    this.worker = undefined;
    this.generation++;
    this.control = new Int32Array(new SharedArrayBuffer(12));
    this.submitted = 0;
    if (this.own) this.ring.release(this.own.slot);
    this.own = undefined;
  }
}

// A batch worker's two hashes share one ring: the input's and the output's, reused file after file, since
// a worker processes one file at a time.
let ring: SlotRing | undefined;
const threads = {
  input: undefined as Sha256Thread | undefined,
  output: undefined as Sha256Thread | undefined,
};

/** This thread's ring of hashing buffers. */
export function hashingRing(): SlotRing {
  ring ??= new SlotRing();
  return ring;
}

/** This thread's hashing thread for a large file's input or output hash. */
export function hashingThread(use: keyof typeof threads): Sha256Thread {
  threads[use] ??= new Sha256Thread(hashingRing());
  return threads[use];
}
