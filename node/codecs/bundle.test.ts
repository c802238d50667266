import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import { CORPUS_DIR, hasCorpus, readCorpus } from '../../test/corpus.js';
import { decodeFrame } from '../app-image.js';

const ROOT = join(import.meta.dirname, '../..');
const { bundleOptions, copyCodecWasm, IMPORT_META_URL } = (await import(
  pathToFileURL(join(ROOT, 'scripts/build.mjs')).href
)) as {
  bundleOptions(format: 'cjs' | 'esm'): object;
  copyCodecWasm(bundleDir: string): void;
  IMPORT_META_URL: object;
};

const FILES = [
  'Enet4+dicom-test-files/data/WG04/J2KR/CT1_J2KR',
  'chafey+DICOMHTJ2K/test/fixtures/htj2k/CT1_JPH',
  'Enet4+dicom-test-files/data/WG04/JLSL/MR3_JLSL',
  'Enet4+dicom-test-files/data/WG04/JPLL/MR4_JPLL',
];

// The preview handler's decoding, bundled the way scripts/build.mjs bundles the app's main process and run
// by plain Node from a folder with no node_modules: the WebAssembly must come from codecs/ beside it.
describe.skipIf(!hasCorpus)('codecs in the bundled main process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deid-codec-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decode like the sources do, with the WebAssembly copied beside the bundle', async () => {
    const probe = join(dir, 'probe.cjs');
    await build({
      ...bundleOptions('cjs'),
      ...IMPORT_META_URL,
      sourcemap: false,
      stdin: {
        resolveDir: join(ROOT, 'node'),
        sourcefile: 'probe.ts',
        loader: 'ts',
        contents: `
          import { readFileSync } from 'node:fs';
          import { createHash } from 'node:crypto';
          import { parseDicom } from '../shared/dicom/parse.js';
          import { MemorySource } from '../shared/dicom/source.js';
          import { decodeFrame } from './app-image.js';
          const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(process.argv[2]))));
          decodeFrame(parsed, 0).then((frame) =>
            console.log(frame.kind + ' ' + createHash('sha256').update(frame.data).digest('hex')));`,
      },
      outfile: probe,
    });
    const run = (file: string) =>
      execFileSync(process.execPath, [probe, join(CORPUS_DIR, file)], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();

    expect(() => run(FILES[0]!)).toThrow(/openjpegwasm_decode\.wasm/);
    copyCodecWasm(dir);
    for (const file of FILES) {
      const frame = await decodeFrame(parseDicom(new MemorySource(readCorpus(file))), 0);
      const { createHash } = await import('node:crypto');
      expect(run(file), file).toBe(`${frame.kind} ${createHash('sha256').update(frame.data).digest('hex')}`);
    }
  });
});
