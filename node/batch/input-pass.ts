import { DicomError } from '../../shared/dicom/errors.js';
import type { ByteSource } from '../../shared/dicom/source.js';
import type { FileSource } from '../file-source.js';
import { hashingRing, hashingThread, PIECE } from './sha256-thread.js';

/** Where bytes given to a copy lie in the ring of hashing buffers, so the output's hash can read them there. */
export interface RingPlace {
  readonly slot: number;
  readonly offset: number;
}

/**
 * A large input read once, front to back, in pieces aligned to PIECE: the ranges the writer copies from it
 * (the pixel value, and the many small values the engine kept in the header) are served from the piece
 * that holds them, and each piece goes to a hashing thread once the writer has moved past it. The audit's
 * SHA-256 of the input then costs no second read of the file, and runs on another core.
 */
export class InputPass {
  private readonly ring = hashingRing();
  private readonly hash = hashingThread('input');
  /** Bytes [0, pieceAt) of the input are in the hash; the next `piece.length` bytes are in `piece`. */
  private pieceAt = 0;
  private piece: Uint8Array = new Uint8Array(0);
  /** The ring buffer `piece` lies in, while it is held. */
  private slot: number | undefined;
  /** Bytes are in the thread's hash that no digest has taken yet. */
  private pending = false;

  constructor(private readonly input: FileSource) {}

  /** Whether a chunk's source is this input, so its copy can go through `copy`. */
  reads(source: ByteSource): boolean {
    return source === this.input;
  }

  /**
   * Gives the input's bytes [offset, offset + length) to `use`, piece by piece, valid during the call only;
   * with where they lie in the ring when they are in the current piece.
   */
  copy(offset: number, length: number, use: (bytes: Uint8Array, place?: RingPlace) => void): void {
    const end = offset + length;
    let at = offset;
    // A range the pass has moved past (copied twice, or out of file order) is read again as it is.
    for (const passed = Math.min(end, this.pieceAt); at < passed; at += PIECE)
      use(this.input.read(at, Math.min(PIECE, passed - at)));
    while (at < end) {
      while (at >= this.pieceAt + this.piece.length) this.nextPiece();
      const upTo = Math.min(end, this.pieceAt + this.piece.length);
      use(this.piece.subarray(at - this.pieceAt, upTo - this.pieceAt), {
        slot: this.slot!,
        offset: at - this.pieceAt,
      });
      at = upTo;
    }
  }

  /** The SHA-256 of the whole input, reading what no copy has read. */
  digest(): string {
    while (this.pieceAt + this.piece.length < this.input.size) this.nextPiece();
    this.handOver();
    this.pieceAt = this.input.size;
    this.piece = new Uint8Array(0);
    this.pending = false;
    return this.hash.digest();
  }

  /** Leaves the hash for the next file clean when this one stops before its digest. */
  abandon(): void {
    if (this.slot !== undefined) this.ring.release(this.slot);
    this.slot = undefined;
    if (this.pending) this.hash.discard();
    this.pending = false;
  }

  /** The current piece goes to the hash, and its buffer back to the ring once hashed. */
  private handOver() {
    if (this.slot === undefined) return;
    this.hash.submit(this.slot, 0, this.piece.length);
    this.ring.release(this.slot);
    this.slot = undefined;
  }

  /** Hands the current piece to the hash and reads the one after it. */
  private nextPiece() {
    this.handOver();
    this.pieceAt += this.piece.length;
    const at = this.pieceAt;
    // A range past the end the file had when it was opened: the file changed under the batch.
    if (at >= this.input.size)
      throw new DicomError('truncated', `the file ended at byte ${at} while being read (was it changed?)`);
    this.slot = this.ring.acquire();
    this.piece = this.ring
      .view(this.slot)
      .subarray(0, Math.min(this.input.size, (Math.floor(at / PIECE) + 1) * PIECE) - at);
    this.input.readInto(this.piece, at);
    this.pending = true;
  }
}
