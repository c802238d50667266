/** The shape shared by the Cornerstone codec decoders (OpenJPEG, OpenJPH, CharLS). */
export interface Decoder<Info> {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): Info;
  decode(): void;
  delete(): void;
}

/** Runs one decode in codec memory, which `read` must copy out of; the decoder is always freed. */
export function runDecoder<Info, T>(
  decoder: Decoder<Info>,
  compressed: Uint8Array,
  read: (info: Info, decoded: Uint8Array, decoder: Decoder<Info>) => T,
): T {
  try {
    decoder.getEncodedBuffer(compressed.length).set(compressed);
    decoder.decode();
    return read(decoder.getFrameInfo(), decoder.getDecodedBuffer(), decoder);
  } finally {
    decoder.delete();
  }
}
