import type { Chunk } from '../dicom/write.js';

/**
 * Where re-encoded frames wait for the writer. An encapsulated value's fragment lengths and offset table
 * come before its frames, so every cleaned frame is encoded before the first byte is written; the edge
 * keeps them out of memory (a file in the run's temporary folder) and the engine holds only the ranges.
 */
export interface FrameSpill {
  /** Keeps a copy of `bytes` (the caller may reuse them) and returns the chunk that streams it back. */
  put(bytes: Uint8Array): Chunk;
}

/** No spill: the frames stay in memory, for callers that write small files or none (the app's preview). */
export const IN_MEMORY: FrameSpill = { put: (bytes) => bytes };
