import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The WebAssembly the codecs need, by the name scripts/build.mjs copies it under (codecs/ beside the
 * bundle), and the package export it comes from.
 */
export const WASM_FILES = {
  'openjpegwasm_decode.wasm': '@cornerstonejs/codec-openjpeg/decodewasm',
  'openjphjs.wasm': '@cornerstonejs/codec-openjph/wasm',
  'charlswasm_decode.wasm': '@cornerstonejs/codec-charls/decodewasm',
  'dcmjs-native-codecs.wasm': 'dcmjs-codecs/build/dcmjs-native-codecs.wasm',
} as const;

/**
 * Where a codec's WebAssembly is. Bundled (dist/electron/main.cjs, where the build defines import.meta.url),
 * it is in codecs/ beside the bundle, since node_modules is not shipped; run from the sources (tests, the
 * e2e harness), it comes from the package.
 */
export function wasmPath(name: keyof typeof WASM_FILES): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts')
    ? createRequire(here).resolve(WASM_FILES[name])
    : join(dirname(here), 'codecs', name);
}

export const wasmBinary = (name: keyof typeof WASM_FILES): Uint8Array => readFileSync(wasmPath(name));
