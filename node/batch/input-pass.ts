import type { ByteSource } from '../../shared/dicom/source.js';
import type { FileSource } from '../file-source.js';
import { PIECE, Sha256Thread } from './sha256-thread.js';

// One hashing thread per batch worker, reused file after file: a worker processes one file at a time.
let thread: Sha256Thread | undefined;
function hashingThread(): Sha256Thread {
  thread ??= new Sha256Thread();
  return thread;
}

/**
 * A large input read once, front to back: the ranges the writer copies from it are read in pieces aligned
 * to PIECE and handed to a hashing thread on their way to the output, and the bytes no range copies (the
 * header the engine re-encoded) are read for the hash alone. The audit's SHA-256 of the input then costs
 * no second read of the file, and runs on another core while this one writes and hashes the output.
 */
export class InputPass {
  private readonly hash = hashingThread();
  /** Bytes [0, hashedTo) of the input are in the hash. */
  private hashedTo = 0;
  /** Bytes are in the thread's hash that no digest has taken yet. */
  private pending = false;

  constructor(private readonly input: FileSource) {}

  /** Whether a chunk's source is this input, so its copy can go through `copy`. */
  reads(source: ByteSource): boolean {
    return source === this.input;
  }

  /** Gives the input's bytes [offset, offset + length) to `use`, piece by piece, valid during the call only. */
  copy(offset: number, length: number, use: (bytes: Uint8Array) => void): void {
    const end = offset + length;
    // A range the hash has passed already (copied twice, or out of file order) is read again as it is.
    for (let at = offset; at < Math.min(end, this.hashedTo); at += PIECE)
      use(this.input.read(at, Math.min(PIECE, Math.min(end, this.hashedTo) - at)));
    if (end <= this.hashedTo) return;
    this.hashUpTo(offset);
    this.hashUpTo(end, use);
  }

  /** The SHA-256 of the whole input, reading what no copy has read. */
  digest(): string {
    this.hashUpTo(this.input.size);
    this.pending = false;
    return this.hash.digest();
  }

  /** Leaves the hash for the next file clean when this one stops before its digest. */
  abandon(): void {
    if (this.pending) this.hash.discard();
    this.pending = false;
  }

  private hashUpTo(end: number, use?: (bytes: Uint8Array) => void) {
    while (this.hashedTo < end) {
      const at = this.hashedTo;
      const piece = this.hash.buffer().subarray(0, Math.min(end, (Math.floor(at / PIECE) + 1) * PIECE) - at);
      this.input.readInto(piece, at);
      this.hash.submit(piece.length);
      this.pending = true;
      use?.(piece);
      this.hashedTo += piece.length;
    }
  }
}
