import { runDecoder } from './emscripten.js';
import { checkSize, type FrameLayout, lazy, type Pixels, typed } from './types.js';
import { wasmBinary } from './wasm.js';

const charls = lazy(async () => {
  const { default: factory } = await import('@cornerstonejs/codec-charls/decodewasmjs');
  return factory({ wasmBinary: wasmBinary('charlswasm_decode.wasm'), print: () => {} });
});

/** Planes one after another (CharLS interleave mode "none") to pixel-interleaved samples. */
function interleave(planes: Pixels, samples: number): Pixels {
  const count = planes.length / samples;
  const out = new (planes.constructor as new (length: number) => Pixels)(planes.length);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < count; i++) out[i * samples + s] = planes[s * count + i]!;
  }
  return out;
}

/** JPEG-LS, lossless and near-lossless (PS3.5 A.4.3), with CharLS. */
export async function decodeJpegLs(compressed: Uint8Array, layout: FrameLayout): Promise<Pixels> {
  const codec = await charls();
  const decoder = new codec.JpegLSDecoder();
  const planar = { value: false };
  const pixels = runDecoder(decoder, compressed, (info, decoded) => {
    checkSize('JPEG-LS', layout, { width: info.width, height: info.height, components: info.componentCount });
    planar.value = info.componentCount > 1 && decoder.getInterleaveMode() === 0;
    return typed(decoded, info.bitsPerSample, layout.pixelRepresentation === 1);
  });
  return planar.value ? interleave(pixels, layout.samplesPerPixel) : pixels;
}
