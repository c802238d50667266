import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkInputs } from '../node/inputs.js';
import type { JsonFile, JsonReport } from '../shared/scan/report.js';
import { CORPUS_DIR, hasCorpus } from '../test/corpus.js';
import type { BatchResult, ScanMode } from './scan-batch.js';
import { ParallelScan } from './scan-parallel.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const dir = mkdtempSync(join(tmpdir(), 'deid-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two encodings of one CT with GE private groups: implicit and explicit VR (a few kB of JSON each).
const ORIGINALS = ['CT1_UNC.implicit_little_endian.dcm', 'CT1_UNC.explicit_big_endian.dcm'].map((name) =>
  join(CORPUS_DIR, 'cornerstonejs+dicomParser', 'testImages', name),
);
const SERIES = 4;
const COPIES = 12;
const many = join(dir, 'many');

function scanJson(...inputs: string[]): JsonReport {
  const r = spawnSync(process.execPath, [CLI, 'scan', '--json', ...inputs], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as JsonReport;
}

const withoutPath = ({ path: _, ...file }: JsonFile) => file;

describe.skipIf(!hasCorpus)('dicom-deid scan of a folder of many files', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    for (let s = 1; s <= SERIES; s++) {
      const series = join(many, `series-${s}`);
      mkdirSync(series, { recursive: true });
      for (let c = 0; c < COPIES; c++) {
        for (const [k, original] of ORIGINALS.entries())
          copyFileSync(original, join(series, `${String(c).padStart(2, '0')}-${k}.dcm`));
      }
      writeFileSync(join(series, 'notes.txt'), 'not an image\n');
    }
  }, 120_000);

  it('writes one JSON document, every file in listing order, each as its file scanned alone', () => {
    const alone = ORIGINALS.map((original) => withoutPath(scanJson(original).files[0]!));
    const report = scanJson(many);
    // Several 64 kB pieces of output: nothing is lost or doubled where one ends and the next begins.
    expect(JSON.stringify(report).length).toBeGreaterThan(4 * 64 * 1024);
    const expected = Array.from({ length: SERIES }, (_, s) => [
      ...Array.from({ length: COPIES }, (_, c) =>
        ORIGINALS.map((_, k) => join(many, `series-${s + 1}`, `${String(c).padStart(2, '0')}-${k}.dcm`)),
      ).flat(),
      join(many, `series-${s + 1}`, 'notes.txt'),
    ]).flat();
    expect(report.files.map((f) => f.path)).toEqual(expected);
    for (const file of report.files) {
      if (file.path.endsWith('.txt')) expect(file.status).toBe('not-dicom');
      else expect(withoutPath(file)).toEqual(alone[Number(file.path.at(-5))]);
    }
    expect(report.summary).toMatchObject({
      files: expected.length,
      ok: SERIES * COPIES * ORIGINALS.length,
      notDicom: SERIES,
      errors: 0,
    });
  });

  /** Every file of `many` through ParallelScan: its texts and outcomes in the order they were handed on. */
  async function scanInParallel(mode: ScanMode, workerScript: URL | undefined, workerAfter?: number) {
    const results: BatchResult[] = [];
    const scan = new ParallelScan(mode, async (r) => void results.push(r), workerScript, workerAfter);
    try {
      for await (const entry of walkInputs([many])) await scan.add(entry);
      await scan.finish();
    } finally {
      await scan.close();
    }
    return {
      texts: results.flatMap((r) => r.texts),
      outcomes: results.flatMap((r) => r.outcomes),
      workerBatches: scan.workerBatches,
    };
  }

  it('shares the files with a second thread and hands on the same results in the same order', async () => {
    const worker = pathToFileURL(join(ROOT, 'dist', 'cli', 'scan-worker.js'));
    for (const mode of ['json', 'table', 'summary'] as const) {
      const alone = await scanInParallel(mode, undefined);
      const shared = await scanInParallel(mode, worker, 1);
      expect(shared.workerBatches, mode).toBeGreaterThan(0);
      expect(shared.texts, mode).toEqual(alone.texts);
      expect(shared.outcomes, mode).toEqual(alone.outcomes);
      expect(alone.outcomes).toHaveLength(SERIES * (COPIES * ORIGINALS.length + 1));
    }
  });

  it("scans a failed worker's batches itself", async () => {
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'process.exit(3);\n');
    const alone = await scanInParallel('json', undefined);
    const fallen = await scanInParallel('json', pathToFileURL(broken), 1);
    expect(fallen.workerBatches).toBeGreaterThan(0);
    expect(fallen.texts).toEqual(alone.texts);
    expect(fallen.outcomes).toEqual(alone.outcomes);
  });
});
