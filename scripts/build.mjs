#!/usr/bin/env node
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Bundles the Node-side entry points (CLI, batch worker, Electron main and preload) with esbuild.
// Runs on `npm install` (prepare), so `npx dicom-deid` works right after installing.
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const entries = [
  { entryPoints: ['cli/dicom-deid.ts'], outfile: 'dist/cli/dicom-deid.js', format: 'esm' },
  // Beside the CLI so both resolve it as ./batch-worker.js; the app's main passes its path explicitly.
  { entryPoints: ['electron/services/batch/worker.ts'], outfile: 'dist/cli/batch-worker.js', format: 'esm' },
  // Electron loads main and preload as CommonJS; the sandboxed preload can require nothing but 'electron'.
  {
    entryPoints: ['electron/main/main.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    external: ['electron'],
  },
  {
    entryPoints: ['electron/preload/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  },
];

await Promise.all(
  entries.map((e) =>
    build({
      ...common,
      ...e,
      ...(e.format === 'esm'
        ? {
            banner: {
              js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
            },
          }
        : {}),
    }),
  ),
);
