#!/usr/bin/env node
// Bundles scripts/pacs-bench/run.ts (TypeScript importing the tests' Orthanc launcher and the synthetic
// corpus generator) with esbuild and runs it: the transfer benchmark of issue 13.
//
//   node scripts/bench-pacs.mjs [--quick] [--runs N]      (after `npm run build`)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, '.bench/build/pacs-bench.mjs');
await build({
  entryPoints: [join(root, 'scripts/pacs-bench/run.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [bundle, '--root', root, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
