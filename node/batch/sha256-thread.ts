import { Worker } from 'node:worker_threads';

/** Bytes per piece: large sequential reads, few messages (1,024 per GB). */
export const PIECE = 1024 * 1024;
// Enough pieces that reading the next one seldom waits for the hashing of the last; 4 MB per thread, so a
// worker's two threads add little to the peak memory of a batch that streams its large files.
const SLOTS = 4;
// A piece hashes in a few milliseconds: a thread silent for this long is gone, and waiting on would hang.
const STALL_MS = 60_000;

// control[HASHED]: pieces (and digests) the thread has finished; control[FAILED]: 1 when the last digest's
// hash had thrown.
const HASHED = 0;
const FAILED = 1;

// The thread's source inline rather than a file of its own: the batch worker is one bundle, run from dist
// by the CLI and the app and from source by the tests, and an inline thread needs no path in any of them.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { control, slots, digest } = workerData;
const views = slots.map((s) => new Uint8Array(s));
const out = new Uint8Array(digest);
let hash = createHash('sha256');
let failed = false;
parentPort.on('message', ([slot, length]) => {
  try {
    if (length < 0) {
      Atomics.store(control, ${FAILED}, failed ? 1 : 0);
      if (!failed) out.set(hash.digest());
      hash = createHash('sha256');
      failed = false;
    } else if (!failed) hash.update(views[slot].subarray(0, length));
  } catch {
    failed = true;
  }
  Atomics.add(control, ${HASHED}, 1);
  Atomics.notify(control, ${HASHED});
});
`;

/**
 * A SHA-256 computed on another thread from buffers this one fills: while a batch worker reads and writes
 * a large file, the input's hash for the audit and the output's hash run on the core one file leaves idle.
 * Bytes arrive either in place (fill `buffer()`, hand it over with `submit`: a buffer is given out again
 * only once the thread has hashed it, so the caller may keep reading it until it asks for the next one)
 * or copied (`update`), not both for one hash. The thread is started on first use and kept for the
 * worker's later files; it never holds the process.
 */
export class Sha256Thread {
  private control = new Int32Array(new SharedArrayBuffer(8));
  private readonly slots = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(PIECE));
  private readonly views = this.slots.map((slot) => new Uint8Array(slot));
  private readonly digestBytes = new SharedArrayBuffer(32);
  private worker: Worker | undefined;
  private submitted = 0;
  /** Bytes `update` has copied into the current buffer. */
  private filled = 0;

  constructor(private readonly stallMs = STALL_MS) {}

  /** The next buffer to fill (PIECE bytes), once the thread is done with what it held before. */
  buffer(): Uint8Array {
    this.waitFor(this.submitted - SLOTS + 1);
    return this.views[this.submitted % SLOTS]!;
  }

  /** Hands the first `length` bytes of the buffer last given out to the thread, to add to the hash. */
  submit(length: number): void {
    this.post(length);
  }

  /** Adds bytes that are not in one of the buffers, by copying them into the next ones. */
  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(PIECE - this.filled, bytes.length - at);
      this.buffer().set(bytes.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === PIECE) this.submitFilled();
    }
  }

  /** The hex SHA-256 of everything submitted since the last digest; the next bytes start a new hash. */
  digest(): string {
    this.submitFilled();
    this.post(-1);
    this.waitFor(this.submitted);
    if (Atomics.load(this.control, FAILED) === 1) throw new Error('the hashing thread failed');
    return Buffer.from(this.digestBytes).toString('hex');
  }

  /** Drops what was submitted since the last digest (a file that failed half-way). */
  discard(): void {
    this.filled = 0;
    if (this.worker) this.post(-1);
  }

  private submitFilled() {
    if (this.filled > 0) this.post(this.filled);
    this.filled = 0;
  }

  private post(length: number) {
    if (!this.worker) {
      this.worker = new Worker(THREAD, {
        eval: true,
        workerData: { control: this.control, slots: this.slots, digest: this.digestBytes },
      });
      this.worker.unref();
    }
    this.worker.postMessage([this.submitted % SLOTS, length]);
    this.submitted++;
  }

  private waitFor(pieces: number) {
    for (let seen = Atomics.load(this.control, HASHED); seen < pieces; ) {
      if (Atomics.wait(this.control, HASHED, seen, this.stallMs) === 'timed-out') {
        this.restart();
        throw new Error('the hashing thread stopped answering');
      }
      seen = Atomics.load(this.control, HASHED);
    }
  }

  /** A fresh thread, with counters of its own, for the files after one whose thread stalled. */
  private restart() {
    void this.worker?.terminate();
    this.worker = undefined;
    this.control = new Int32Array(new SharedArrayBuffer(8));
    this.submitted = 0;
    this.filled = 0;
  }
}

// A batch worker's two: the input's hash and the output's, reused file after file, since a worker
// processes one file at a time.
const threads = {
  input: undefined as Sha256Thread | undefined,
  output: undefined as Sha256Thread | undefined,
};

/** This thread's hashing thread for a large file's input or output hash. */
export function hashingThread(use: keyof typeof threads): Sha256Thread {
  threads[use] ??= new Sha256Thread();
  return threads[use];
}
