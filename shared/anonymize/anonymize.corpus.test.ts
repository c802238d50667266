import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCorpus, readableCorpusFiles } from '../../test/corpus.js';
import { dcmdumpErrors, hasTool } from '../../test/tools.js';
import { isDicomdir } from '../dicom/header.js';
import type { Dataset, DicomElement } from '../dicom/model.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { concatChunks } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { anonymize } from './engine.js';
import { isSkippedInput } from './errors.js';
import { keyFromBytes } from './key.js';

const key = keyFromBytes(new Uint8Array(32).fill(7));
const tmp = mkdtempSync(join(tmpdir(), 'deid-corpus-'));

// Identifying attributes whose original bytes must not survive the Basic Profile anywhere in the output.
const IDENTIFYING = new Map<number, string>([
  [0x00100010, 'PatientName'],
  [0x00100020, 'PatientID'],
  [0x00100030, 'PatientBirthDate'],
  [0x00101000, 'OtherPatientIDs'],
  [0x00101040, 'PatientAddress'],
  [0x00102154, 'PatientTelephoneNumbers'],
  [0x00080080, 'InstitutionName'],
  [0x00080081, 'InstitutionAddress'],
  [0x00080090, 'ReferringPhysicianName'],
  [0x00081050, 'PerformingPhysicianName'],
  [0x00081070, 'OperatorsName'],
  [0x00080050, 'AccessionNumber'],
  [0x0020000d, 'StudyInstanceUID'],
  [0x0020000e, 'SeriesInstanceUID'],
  [0x00080018, 'SOPInstanceUID'],
  [0x00200052, 'FrameOfReferenceUID'],
]);
// Values that stand for "no one" (already de-identified inputs) and our own placeholders.
const PLACEHOLDER = /^(anonymi[sz]ed|anonymous|anon|unknown|none|patient|test|^\s*)$/i;
// What we write ourselves (dummies, the method description): an original equal to a part of these is no leak.
const WRITTEN_BY_US = ['19000101000000', 'ANONYMIZED', 'ANONYMOUS', 'dicom-deid 0.1.0; PS3.15 2026d basic'];
// Short digit strings turn up by chance inside the 38-digit decimals of remapped UIDs.
const tooCommon = (text: string) => /^\d{1,7}$/.test(text) || WRITTEN_BY_US.some((w) => w.includes(text));

function originalValues(
  source: MemorySource,
  ds: Dataset,
  out: Array<{ keyword: string; bytes: Uint8Array }>,
) {
  for (const el of ds.elements) {
    if (el.items) for (const item of el.items) originalValues(source, item, out);
    const keyword = IDENTIFYING.get(el.tag);
    if (!keyword || el.items || el.length === 0xffffffff) continue;
    let bytes = source.read(el.valueStart, el.length);
    while (bytes.length && (bytes[bytes.length - 1] === 0x20 || bytes[bytes.length - 1] === 0))
      bytes = bytes.subarray(0, -1);
    const text = Buffer.from(bytes).toString('latin1');
    if (bytes.length < 4 || PLACEHOLDER.test(text.replace(/\^/g, '')) || tooCommon(text)) continue;
    out.push({ keyword, bytes });
  }
}

const files = readableCorpusFiles();

describe.skipIf(!hasCorpus)('anonymize every corpus file with the Basic Profile', () => {
  it('declines DICOMDIRs, whose records and file IDs repeat identities', () => {
    const dirs = files.filter((f) =>
      isDicomdir(parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))))),
    );
    expect(dirs.length).toBeGreaterThanOrEqual(3);
    for (const f of dirs) {
      const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))));
      let thrown: unknown;
      try {
        anonymize(parsed, { profile: getPreset('basic'), key, toolVersion: '0.1.0' });
      } catch (e) {
        thrown = e;
      }
      expect(isSkippedInput(thrown)).toBe(true);
    }
  });
  for (const f of files) {
    it(f.path, () => {
      const bytes = new Uint8Array(readFileSync(f.abs));
      const source = new MemorySource(bytes);
      const parsed = parseDicom(source);
      if (isDicomdir(parsed)) return;
      const result = anonymize(parsed, { profile: getPreset('basic'), key, toolVersion: '0.1.0' });
      const out = concatChunks(result.chunks);

      // Output reads back, and the same input gives the same bytes.
      const again = parseDicom(new MemorySource(out));
      expect(
        Buffer.compare(
          concatChunks(anonymize(parsed, { profile: getPreset('basic'), key, toolVersion: '0.1.0' }).chunks),
          out,
        ),
      ).toBe(0);

      // No original identifying value anywhere in the output bytes (deflated outputs: in the inflated dataset).
      const haystack = Buffer.from(
        again.source === again.fileSource ? out : again.source.read(0, again.source.size),
      );
      const originals: Array<{ keyword: string; bytes: Uint8Array }> = [];
      originalValues(parsed.source as MemorySource, parsed.dataset, originals);
      for (const o of originals) {
        expect(haystack.includes(Buffer.from(o.bytes)), `${o.keyword} survived`).toBe(false);
      }

      // Pixel data comes out byte for byte, unless Clean Pixel Data cleaned it (shared/pixels tests that),
      // up to the end of its last fragment: a file that ended without the sequence delimiter gets one.
      const pixIn = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA);
      const pixOut = again.dataset.elements.find((e) => e.tag === PIXEL_DATA);
      if (pixIn) {
        expect(pixOut).toBeDefined();
        const contentEnd = (el: DicomElement) => {
          const last = el.fragments?.[el.fragments.length - 1];
          return last ? last.valueStart + last.length : el.end;
        };
        const a = parsed.source.read(pixIn.start, contentEnd(pixIn) - pixIn.start);
        const b = again.source.read(pixOut!.start, contentEnd(pixOut!) - pixOut!.start);
        if (result.pixels.status === 'cleaned') expect(b.length).toBe(a.length);
        else expect(Buffer.compare(a, b)).toBe(0);
      }

      if (hasTool('dcmdump') && f.dcmdumpStatus.startsWith('ok')) {
        const p = join(tmp, 'out.dcm');
        writeFileSync(p, out);
        expect(dcmdumpErrors(p)).toEqual([]);
      }
    });
  }
});
