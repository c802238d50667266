import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCorpus, readableCorpusFiles } from '../../test/corpus.js';
import { dcmdumpErrors, hasPydicom, hasTool, pydicomErrors } from '../../test/tools.js';
import { isDicomdir } from '../dicom/header.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { concatChunks } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { anonymize } from './engine.js';
import { keyFromBytes } from './key.js';

const key = keyFromBytes(new Uint8Array(32).fill(9));
const tmp = mkdtempSync(join(tmpdir(), 'deid-valid-'));

/**
 * Every output of the public corpus, inputs that dcmdump itself stumbles on included, is DICOM that two
 * independent readers parse: dcmtk's dcmdump and pydicom.
 */
describe.skipIf(!hasCorpus)('every de-identified corpus file is valid DICOM to independent readers', () => {
  const outputs: Array<{ input: string; path: string }> = [];
  for (const [i, f] of readableCorpusFiles().entries()) {
    const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))));
    if (isDicomdir(parsed)) continue;
    const result = anonymize(parsed, { profile: getPreset('basic'), key, toolVersion: '0.1.0' });
    const path = join(tmp, `${i}.dcm`);
    writeFileSync(path, concatChunks(result.chunks));
    outputs.push({ input: f.path, path });
  }

  it.skipIf(!hasTool('dcmdump'))('dcmdump reads every output without an error', () => {
    const failing = outputs.flatMap((o) => {
      const errors = dcmdumpErrors(o.path);
      return errors.length > 0 ? [`${o.input}: ${errors[0]}`] : [];
    });
    expect(failing).toEqual([]);
  });

  it.skipIf(!hasPydicom())('pydicom reads every output and decodes every element', () => {
    const byPath = new Map(outputs.map((o) => [o.path, o.input]));
    const failing = pydicomErrors(outputs.map((o) => o.path)).map((line) => {
      const [path, error] = line.split(': ');
      return `${byPath.get(path ?? '') ?? path}: ${error}`;
    });
    expect(failing).toEqual([]);
  });
});
