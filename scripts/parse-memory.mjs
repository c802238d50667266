#!/usr/bin/env node
// Memory cost of the parse tree and of de-identifying a file of many small sequence items (issue 9,
// item 22): bytes of heap per element after parsing, and the peak heap of a whole anonymize, against the
// file's size.
//
//   node --expose-gc scripts/parse-memory.mjs [items=1000000] [--write file.dcm] [--json]
//
// `--write` also saves the file, to measure the command line end to end on it; `--json` prints the
// numbers as one JSON line (for the regression test in shared/anonymize/many-items.test.ts).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, '.bench/build/parse-memory.mjs');
await build({
  stdin: {
    contents: `
      export { parseDicom } from './shared/dicom/parse.js';
      export { MemorySource } from './shared/dicom/source.js';
      export { anonymize } from './shared/anonymize/engine.js';
      export { keyFromBytes } from './shared/anonymize/key.js';
      export { getPreset } from './shared/profile/index.js';
      export { asciiBytes, encodeHeader } from './shared/dicom/encode.js';
      export { EXPLICIT_LE } from './shared/dicom/transfer-syntax.js';
      export { concatChunks, encodeFileMeta, encodeNewDataset } from './shared/dicom/write.js';
    `,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const m = await import(pathToFileURL(bundle).href);
if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');

const items = Number(process.argv[2] ?? 1_000_000);
const json = process.argv.includes('--json');
const log = json ? () => {} : console.log;
const str = (tag, vr, text) => ({ tag, vr, value: m.asciiBytes(text) });

// One Referenced SOP Instance UID per item: 8 (item) + 8 (header) + 36 (value) = 52 bytes an item.
function makeFile() {
  const head = m.encodeNewDataset(
    [
      str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
      str(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.22.1'),
      str(0x00100010, 'PN', 'DOE^JANE'),
      str(0x00100020, 'LO', 'PAT-22'),
    ],
    m.EXPLICIT_LE,
  );
  const item = m.concatChunks([
    m.encodeHeader(0xfffee000, '', 44, m.EXPLICIT_LE),
    m.encodeHeader(0x00081155, 'UI', 36, m.EXPLICIT_LE),
    m.asciiBytes('1.2.826.0.1.3680043.9.7777.22.123456'),
  ]);
  const meta = m.encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    str(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    str(0x00020003, 'UI', '1.2.826.0.1.3680043.9.7777.22.1'),
    str(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
  ]);
  const seqHeader = m.encodeHeader(0x00081115, 'SQ', 0xffffffff, m.EXPLICIT_LE);
  const delim = m.encodeHeader(0xfffee0dd, '', 0, m.EXPLICIT_LE);
  const size = 132 + meta.length + head.length + seqHeader.length + items * item.length + delim.length;
  const out = new Uint8Array(size);
  out.set(m.asciiBytes('DICM'), 128);
  let at = 132;
  for (const part of [meta, head, seqHeader]) {
    out.set(part, at);
    at += part.length;
  }
  for (let i = 0; i < items; i++, at += item.length) out.set(item, at);
  out.set(delim, at);
  return out;
}

const heap = () => {
  global.gc();
  // Typed arrays' bytes live outside the JS heap.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

const bytes = makeFile();
const rssBefore = process.resourceUsage().maxRSS * 1024;
const writeAt = process.argv.indexOf('--write');
if (writeAt > 0) writeFileSync(process.argv[writeAt + 1], bytes);
const source = new m.MemorySource(bytes);
const before = heap();
const parsed = m.parseDicom(source);
const tree = heap() - before;
const elements = items * 2; // each item and the element it holds
log(`file: ${mb(bytes.length)}, ${items} items`);
log(`parse tree: ${mb(tree)} = ${(tree / elements).toFixed(1)} bytes per element or item`);
const peakParsed = process.resourceUsage().maxRSS * 1024;
log(`peak resident memory after parsing ${mb(peakParsed)}`);

// A whole de-identification, the parse tree above still alive (as in a worker): what its result keeps,
// and the process's peak resident memory, which the garbage it makes on the way counts in.
const start = heap();
const result = m.anonymize(parsed, {
  profile: m.getPreset('basic'),
  key: m.keyFromBytes(new Uint8Array(32).fill(1)),
  toolVersion: '0',
});
const kept = heap() - start;
log(`anonymize: ${result.chunks.length} output chunks; its result keeps ${mb(kept)}`);
const peak = process.resourceUsage().maxRSS * 1024;
log(`peak resident memory ${mb(peak)} = ${(peak / bytes.length).toFixed(1)}× the file`);
// What parsing and de-identifying added to the process at its peak, beyond the file itself.
const grown = (peak - rssBefore) / elements;
log(`peak growth over the file in memory: ${grown.toFixed(0)} bytes per element or item`);
if (json) {
  console.log(
    JSON.stringify({
      fileBytes: bytes.length,
      elements,
      treeBytesPerElement: tree / elements,
      keptBytesPerElement: kept / elements,
      peakGrowthBytesPerElement: grown,
      peakTimesFile: peak / bytes.length,
    }),
  );
}
