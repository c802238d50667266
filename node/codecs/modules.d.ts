// The codec packages ship no type declarations: these cover the parts we call.

/** An Emscripten module factory: resolves once the WebAssembly is compiled. */
type EmscriptenFactory<M> = (options: {
  wasmBinary: Uint8Array;
  /** Where the codec's standard output goes (console.log unless given). */
  print?: (text: string) => void;
}) => Promise<M>;

interface EmscriptenDecoder<Info> {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): Info;
  decode(): void;
  delete(): void;
}

interface J2KFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenFactory<{ J2KDecoder: new () => EmscriptenDecoder<J2KFrameInfo> }>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjph' {
  const factory: EmscriptenFactory<{ HTJ2KDecoder: new () => EmscriptenDecoder<J2KFrameInfo> }>;
  export default factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenFactory<{
    JpegLSDecoder: new () => EmscriptenDecoder<Omit<J2KFrameInfo, 'isSigned'>> & {
      /** 0: planes one after another, 1: line by line, 2: pixel by pixel. */
      getInterleaveMode(): number;
    };
  }>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
