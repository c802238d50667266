// Bundles scripts/synth (TypeScript importing shared/) with esbuild and imports it, so the bench and the
// sample writer run the same generator the tests check, without a TypeScript loader.

import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the bundle lands; the bench hashes it to tell whether a cached corpus is still what it would generate. */
export const SYNTH_BUNDLE = join(root, '.bench/build/synth.mjs');

export async function loadSynth() {
  await build({
    entryPoints: [join(root, 'scripts/synth/index.ts')],
    outfile: SYNTH_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
  return import(pathToFileURL(SYNTH_BUNDLE).href);
}
