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
} as const;

/**
 * Reads a codec's WebAssembly. Bundled (dist/electron/main.cjs, where the build defines import.meta.url),
 * it is in codecs/ beside the bundle, since node_modules is not shipped; run from the sources (tests, the
 * e2e harness), it comes from the package.
 */
export function wasmBinary(name: keyof typeof WASM_FILES): Uint8Array {
  const here = fileURLToPath(import.meta.url);
  const path = here.endsWith('.ts')
    ? createRequire(here).resolve(WASM_FILES[name])
    : join(dirname(here), 'codecs', name);
  return readFileSync(path);
}
