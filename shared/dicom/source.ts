/**
 * Random access to the bytes of one input. The parser asks for small windows around element headers and
 * never for a large value, so a file-backed source can inspect a 1 GB multi-frame file without reading it.
 */
export interface ByteSource {
  readonly size: number;
  /** A view covering at least [offset, offset + minLength) clipped to `size`; `base` is the offset of its byte 0. */
  window(offset: number, minLength: number): { readonly bytes: Uint8Array; readonly base: number };
  /** Exactly the bytes [offset, offset + length) clipped to `size`. */
  read(offset: number, length: number): Uint8Array;
}

/** The whole input already in memory: windows are free. */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }
  window() {
    return { bytes: this.bytes, base: 0 };
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(offset, Math.min(this.size, offset + length));
  }
}
