#!/usr/bin/env node
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/** esbuild options by output format; ES modules get `require`. */
export function bundleOptions(format) {
  return format === 'esm'
    ? {
        ...common,
        format,
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
      }
    : { ...common, format };
}

/**
 * For CommonJS bundles that read files beside themselves (the image codecs' WebAssembly): `import.meta.url`
 * is the bundle's own URL. "use strict" first, as esbuild would put it, so the banner keeps strict mode on.
 */
export const IMPORT_META_URL = {
  define: { 'import.meta.url': '__import_meta_url' },
  banner: {
    js: "'use strict';\nconst __import_meta_url = require('node:url').pathToFileURL(__filename).href;",
  },
};

// Loaded from node_modules, not bundled: its WebAssembly is found beside its own script.
const SQLITE = 'node-sqlite3-wasm';
// Loaded from node_modules too: the text reader starts its worker script and WebAssembly by path, and the
// language data package is found by require.resolve.
const OCR = ['tesseract.js', '@tesseract.js-data/eng'];

const entries = [
  // dcmjs-dimse stays in node_modules: bundled, its old `new Buffer()` calls would print Node's deprecation
  // warning on every network command, as if they were ours. dcmjs with it, so that the copy whose loggers
  // we silence is the one dcmjs-dimse uses.
  // Split into chunks, so a command loads its own code only: a `scan` compiles a quarter of the bundle.
  // The chunks sit beside the entry, where the code that finds its workers and codecs by its own URL expects.
  {
    // The scan's second thread shares the chunks of the command's own code.
    entryPoints: ['cli/dicom-deid.ts', 'cli/scan-worker.ts'],
    outdir: 'dist/cli',
    splitting: true,
    chunkNames: '[name]-[hash]',
    metafile: true,
    format: 'esm',
    external: [SQLITE, 'dcmjs-dimse', 'dcmjs', ...OCR],
  },
  // Beside the CLI so both resolve it as ./batch-worker.js; the app's main passes its path explicitly.
  {
    entryPoints: ['node/batch/worker.ts'],
    outfile: 'dist/cli/batch-worker.js',
    format: 'esm',
    external: OCR,
  },
  // The app's reading worker (scan, inspect, frames): beside main and bundled like it, so the codecs (whose
  // Emscripten loaders expect CommonJS) and their WebAssembly are found the same way.
  {
    entryPoints: ['node/app-jobs-worker.ts'],
    outfile: 'dist/electron/app-worker.cjs',
    format: 'cjs',
    external: OCR,
    ...IMPORT_META_URL,
  },
  // Electron loads main and preload as CommonJS; the sandboxed preload can require nothing but 'electron'.
  {
    entryPoints: ['electron/main/main.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    external: ['electron', SQLITE, ...OCR],
    ...IMPORT_META_URL,
  },
  {
    entryPoints: ['electron/preload/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  },
];

/**
 * The image codecs' WebAssembly, copied to `<bundle folder>/codecs/`, where node/codecs/wasm.ts
 * reads it on first use (node_modules is not shipped). Names as in WASM_FILES there.
 */
export function copyCodecWasm(bundleDir) {
  const wasm = {
    'openjpegwasm_decode.wasm': '@cornerstonejs/codec-openjpeg/decodewasm',
    'openjphjs.wasm': '@cornerstonejs/codec-openjph/wasm',
    'charlswasm_decode.wasm': '@cornerstonejs/codec-charls/decodewasm',
    'dcmjs-native-codecs.wasm': 'dcmjs-codecs/build/dcmjs-native-codecs.wasm',
  };
  const codecDir = join(bundleDir, 'codecs');
  mkdirSync(codecDir, { recursive: true });
  const resolve = createRequire(join(root, 'package.json')).resolve;
  for (const [name, specifier] of Object.entries(wasm))
    writeAtomically(join(codecDir, name), readFileSync(resolve(specifier)));
}

/**
 * Tests rebuild the bundle while other tests run it: a file is replaced whole (temporary name, rename) and
 * only when its bytes change, so a reader never loads half of one.
 */
function writeAtomically(path, bytes) {
  try {
    if (Buffer.compare(readFileSync(path), bytes) === 0) return;
  } catch {
    // Not there yet.
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

/** Chunks of earlier builds (named by their content's hash) that this build no longer wrote. */
function removeStaleChunks(results) {
  const written = new Set(
    results.flatMap((r) => Object.keys(r.metafile?.outputs ?? {})).map((path) => join(root, path)),
  );
  const dir = join(root, 'dist/cli');
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name) && !written.has(path)) rmSync(path, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await Promise.all(
    entries.map(({ format, ...entry }) => build({ ...bundleOptions(format), ...entry, write: false })),
  );
  for (const file of results.flatMap((r) => r.outputFiles)) writeAtomically(file.path, file.contents);
  removeStaleChunks(results);
  // The app's main process previews frames; the CLI and its batch worker clean them.
  copyCodecWasm(join(root, 'dist/electron'));
  copyCodecWasm(join(root, 'dist/cli'));
}
