#!/usr/bin/env node
// Frames per second of the pixel codecs' clean cycle, per transfer syntax, on one 512 × 512 16-bit (12 stored)
// MONOCHROME2 frame and one 640 × 480 8-bit RGB frame: decode + fill a rectangle + re-encode (lossless
// syntaxes) or compressed-domain cleaning (lossy JPEG). Also the preview's Cornerstone decoders next to the
// cleaning codecs' decoders, which is what chose dcmjs-codecs. The codecs are bundled as the CLI bundles them
// (WebAssembly copied beside the bundle) and run in this one process, frame after frame.
//
//   node scripts/bench-codecs.mjs [--seconds S]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleOptions, copyCodecWasm, IMPORT_META_URL } from './build.mjs';

const root = join(import.meta.dirname, '..');
const out = join(root, '.bench/build');
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(args.seconds);

// CommonJS, as the app's main process is bundled: the Cornerstone decoders need __dirname.
await build({
  ...bundleOptions('cjs'),
  ...IMPORT_META_URL,
  sourcemap: false,
  stdin: {
    resolveDir: join(root, 'node/codecs'),
    sourcefile: 'bench-entry.ts',
    loader: 'ts',
    contents: `
      export { loadPixelCodecs } from './pixel-codecs.js';
      export { decodeFrame } from './index.js';
      export { nativeDicom, compressedFrames, parse } from '../../../test/pixels.js';`,
  },
  outfile: join(out, 'codecs-bench.cjs'),
});
copyCodecWasm(out);
const { loadPixelCodecs, decodeFrame, nativeDicom, compressedFrames, parse } = createRequire(import.meta.url)(
  join(out, 'codecs-bench.cjs'),
);

const started = performance.now();
const codecs = await loadPixelCodecs();
console.log(`WebAssembly compiled in ${(performance.now() - started).toFixed(0)} ms`);

const layout = (over) => ({
  rows: 512,
  columns: 512,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 12,
  highBit: 11,
  pixelRepresentation: 0,
  planarConfiguration: 0,
  photometricInterpretation: 'MONOCHROME2',
  numberOfFrames: 1,
  ...over,
});
const LAYOUTS = {
  '512x512 16-bit': layout({}),
  '640x480 RGB': layout({
    rows: 480,
    columns: 640,
    samplesPerPixel: 3,
    bitsAllocated: 8,
    bitsStored: 8,
    highBit: 7,
    photometricInterpretation: 'RGB',
  }),
};

/** A textured frame: smooth gradients, edges and noise, like an image with burned-in text. */
function frame(l) {
  const bytes = l.bitsAllocated / 8;
  const samples = new Uint8Array(l.rows * l.columns * l.samplesPerPixel * bytes);
  const max = 2 ** l.bitsStored - 1;
  let seed = 7;
  for (let i = 0; i < samples.length / bytes; i++) {
    const p = Math.floor(i / l.samplesPerPixel);
    const x = p % l.columns;
    const y = Math.floor(p / l.columns);
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const v = Math.min(
      max,
      Math.round(((x + y) / (l.rows + l.columns)) * max * 0.7 + ((x >> 5) % 2 ? max * 0.2 : 0) + (seed % 17)),
    );
    samples[i * bytes] = v & 0xff;
    if (bytes === 2) samples[i * bytes + 1] = v >> 8;
  }
  return samples;
}

const RECT = { x: 40, y: 30, width: 200, height: 48 };
function fill(l, samples) {
  const bytes = l.bitsAllocated / 8;
  for (let y = RECT.y; y < RECT.y + RECT.height; y++) {
    const at = (y * l.columns + RECT.x) * l.samplesPerPixel * bytes;
    samples.fill(0, at, at + RECT.width * l.samplesPerPixel * bytes);
  }
}

/** The original compressed frame: lossless ones by the codec itself, lossy JPEG by dcmtk's dcmcjpeg. */
function compressed(syntax, l, samples) {
  if (!syntax.endsWith('.50') && !syntax.endsWith('.51')) return codecs.forSyntax(syntax).encode(samples, l);
  const dir = mkdtempSync(join(tmpdir(), 'bench-codecs-'));
  try {
    writeFileSync(join(dir, 'in.dcm'), nativeDicom(l, [samples]));
    execFileSync('dcmcjpeg', [
      syntax.endsWith('.50') ? '+eb' : '+ee',
      join(dir, 'in.dcm'),
      join(dir, 'out.dcm'),
    ]);
    return compressedFrames(parse(new Uint8Array(readFileSync(join(dir, 'out.dcm')))))[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function rate(run) {
  run(); // warm
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    run();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const SYNTAXES = {
  'RLE Lossless': '1.2.840.10008.1.2.5',
  'JPEG baseline (compressed-domain)': '1.2.840.10008.1.2.4.50',
  'JPEG extended 12-bit (compressed-domain)': '1.2.840.10008.1.2.4.51',
  'JPEG lossless SV1': '1.2.840.10008.1.2.4.70',
  'JPEG-LS lossless': '1.2.840.10008.1.2.4.80',
  'JPEG 2000 lossless': '1.2.840.10008.1.2.4.90',
  'HTJ2K lossless': '1.2.840.10008.1.2.4.201',
};

const rows = [];
for (const [name, syntax] of Object.entries(SYNTAXES)) {
  for (const [size, l] of Object.entries(LAYOUTS)) {
    if (syntax.endsWith('.50') && l.bitsAllocated > 8) continue;
    if (syntax.endsWith('.51') && l.bitsAllocated === 8) continue;
    const codec = codecs.forSyntax(syntax);
    const original = compressed(syntax, l, frame(l));
    const clean =
      codec.kind === 'compressed-domain'
        ? () => codec.redact(original, l, [RECT])
        : () => {
            const samples = codec.decode(original, l);
            fill(l, samples);
            codec.encode(samples, l, original);
          };
    const decodeOnly = codec.kind === 'lossless' ? rate(() => codec.decode(original, l)) : undefined;
    let preview;
    if (['.80', '.90', '.201'].some((s) => syntax.endsWith(s))) {
      const start = performance.now();
      let n = 0;
      while (performance.now() - start < seconds * 1000) {
        await decodeFrame(syntax, original, l);
        n++;
      }
      preview = (n * 1000) / (performance.now() - start);
    }
    rows.push({
      syntax: name,
      frame: size,
      'compressed kB': (original.length / 1024).toFixed(0),
      'clean frames/s': rate(clean).toFixed(1),
      'decode frames/s (dcmjs-codecs)': decodeOnly?.toFixed(1) ?? '',
      'decode frames/s (Cornerstone)': preview?.toFixed(1) ?? '',
    });
  }
}
console.table(rows);
