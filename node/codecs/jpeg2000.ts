import { runDecoder } from './emscripten.js';
import { checkSize, type FrameLayout, lazy, type Pixels, typed } from './types.js';
import { wasmBinary } from './wasm.js';

const openjpeg = lazy(async () => {
  const { default: factory } = await import('@cornerstonejs/codec-openjpeg/decodewasmjs');
  // OpenJPEG reports its progress ("[INFO] Start to read j2k main header") on standard output.
  return factory({ wasmBinary: wasmBinary('openjpegwasm_decode.wasm'), print: () => {} });
});

const openjph = lazy(async () => {
  const { default: factory } = await import('@cornerstonejs/codec-openjph');
  return factory({ wasmBinary: wasmBinary('openjphjs.wasm'), print: () => {} });
});

interface Info {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

const read = (codec: string, layout: FrameLayout) => (info: Info, decoded: Uint8Array) => {
  checkSize(codec, layout, { width: info.width, height: info.height, components: info.componentCount });
  // The codestream's multiple-component transform (YBR_ICT / YBR_RCT) is undone by the decoder: this is RGB.
  return typed(decoded, info.bitsPerSample, info.isSigned);
};

/** JPEG 2000 Part 1 codestreams (PS3.5 A.4.4), with OpenJPEG. */
export async function decodeJpeg2000(compressed: Uint8Array, layout: FrameLayout): Promise<Pixels> {
  const codec = await openjpeg();
  return runDecoder(new codec.J2KDecoder(), compressed, read('JPEG 2000', layout));
}

/** High-Throughput JPEG 2000 codestreams (PS3.5 A.4.11), with OpenJPH. */
export async function decodeHtj2k(compressed: Uint8Array, layout: FrameLayout): Promise<Pixels> {
  const codec = await openjph();
  return runDecoder(new codec.HTJ2KDecoder(), compressed, read('HTJ2K', layout));
}
