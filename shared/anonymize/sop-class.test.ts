import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCorpus, readCorpus } from '../../test/corpus.js';
import { part10, SECONDARY_CAPTURE, str } from '../../test/part10.js';
import { dciodvfyErrors, dcmdumpErrors, hasTool } from '../../test/tools.js';
import { DicomError } from '../dicom/errors.js';
import { metaText, topLevelText } from '../dicom/header.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { concatChunks } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { byAttribute } from './attribute-counts.js';
import { anonymize } from './engine.js';
import { keyFromBytes } from './key.js';

// Issue 9, left open: an invalid SOP Class UID was removed, leaving the Type 1 attribute absent.
const KEY = keyFromBytes(new Uint8Array(32).fill(0x3c));
const CT_FILE = 'cornerstonejs+dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm';
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const tmp = mkdtempSync(join(tmpdir(), 'deid-sop-class-'));

const run = (bytes: Uint8Array) =>
  anonymize(parseDicom(new MemorySource(bytes)), {
    profile: getPreset('basic'),
    key: KEY,
    toolVersion: '0.1.0',
  });

/** `bytes` with the value of `tag` (in the meta or the top-level dataset) overwritten by `fill`, same length. */
function spoilt(bytes: Uint8Array, tag: number, fill: string): Uint8Array {
  const parsed = parseDicom(new MemorySource(bytes));
  const el = [...parsed.meta, ...parsed.dataset.elements].find((e) => e.tag === tag)!;
  const out = bytes.slice();
  for (let i = 0; i < el.length; i++) out[el.valueStart + i] = fill.charCodeAt(i % fill.length);
  return out;
}

describe.runIf(hasCorpus)('a SOP Class UID that is not valid (real CT file)', () => {
  const ct = () => readCorpus(CT_FILE);

  it('the valid class of the file meta is written into the dataset, reported, and the output validates', () => {
    const input = spoilt(ct(), 0x00080016, 'CT.IMAGE');
    expect(topLevelText(parseDicom(new MemorySource(input)), 0x00080016)).toMatch(/^CT\.IMAGE/);
    const result = run(input);
    const out = concatChunks(result.chunks);
    const parsed = parseDicom(new MemorySource(out));
    expect(topLevelText(parsed, 0x00080016)).toBe(CT_IMAGE_STORAGE);
    expect(metaText(parsed, 0x00020002)).toBe(CT_IMAGE_STORAGE);
    expect(parsed.dataset.elements.filter((e) => e.tag === 0x00080016)).toHaveLength(1);
    expect(result.report.warnings.join('\n')).toMatch(
      /\(0008,0016\) was not a valid UID; the file meta's \(0002,0002\) was written/,
    );
    expect(byAttribute(result.report.attributes).get(0x00080016)).toEqual({ replaced: 1 });
    if (hasTool('dcmdump')) {
      const p = join(tmp, 'class-from-meta.dcm');
      writeFileSync(p, out);
      expect(dcmdumpErrors(p)).toEqual([]);
      if (hasTool('dciodvfy')) {
        // dciodvfy names the IOD from the class: a valid CT with no complaint about SOP Class UID.
        const errors = dciodvfyErrors(p);
        expect(errors.filter((l) => /SOPClassUID|SOP Class/i.test(l))).toEqual([]);
        const original = join(tmp, 'original.dcm');
        writeFileSync(original, ct());
        const before = new Set(dciodvfyErrors(original));
        expect(errors.filter((l) => !before.has(l) && !/Patient|Study|Date|Time|Name|ID/.test(l))).toEqual(
          [],
        );
      }
    }
  });

  it('with neither the dataset nor the meta valid, the file fails with a plain reason and no value', () => {
    const input = spoilt(spoilt(ct(), 0x00080016, 'X'), 0x00020002, 'Y');
    let error: unknown;
    try {
      run(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DicomError);
    expect((error as Error).message).toBe(
      'neither the dataset (0008,0016) nor the file meta (0002,0002) holds a valid SOP Class UID',
    );
  });

  it('a valid class in the dataset stays, and the meta agrees with it', () => {
    const out = concatChunks(run(spoilt(ct(), 0x00020002, 'Z')).chunks);
    const parsed = parseDicom(new MemorySource(out));
    expect(topLevelText(parsed, 0x00080016)).toBe(CT_IMAGE_STORAGE);
    expect(metaText(parsed, 0x00020002)).toBe(CT_IMAGE_STORAGE);
  });
});

describe('a dataset without SOP Class UID', () => {
  it('takes the valid class of its meta, in its place among the elements', () => {
    const bytes = part10(
      [str(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.3.1'), str(0x00100010, 'PN', 'DOE^JANE')],
      SECONDARY_CAPTURE,
    );
    const result = run(bytes);
    const parsed = parseDicom(new MemorySource(concatChunks(result.chunks)));
    expect(topLevelText(parsed, 0x00080016)).toBe(SECONDARY_CAPTURE);
    const tags = parsed.dataset.elements.map((e) => e.tag);
    expect(tags).toEqual([...tags].sort((a, b) => a - b));
    expect(result.report.warnings.join('\n')).toMatch(/\(0008,0016\) was missing/);
  });
});
