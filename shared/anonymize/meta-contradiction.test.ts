import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { str } from '../../test/part10.js';
import { dcmdumpErrors, hasPydicom, hasTool, pydicomErrors } from '../../test/tools.js';
import { asciiBytes, encodeHeader, encodeNumbers } from '../dicom/encode.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, type Syntax } from '../dicom/transfer-syntax.js';
import { readNumbers, readText } from '../dicom/values.js';
import { concatChunks, encodeFileMeta, encodeNewDataset, type NewElement } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { anonymize } from './engine.js';
import { keyFromBytes } from './key.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x12));
const tmp = mkdtempSync(join(tmpdir(), 'deid-meta-'));
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const EXPLICIT_LE_UID = '1.2.840.10008.1.2.1';
const EXPLICIT_BE_UID = '1.2.840.10008.1.2.2';
// A stand-in JPEG stream: readers copy fragments, they do not decode them.
const FRAGMENT = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 0xff, 0xd9);

/** A Part 10 file whose meta declares `declaredUID` over a dataset actually written in `actual`. */
function contradicting(declaredUID: string, actual: Syntax, encapsulated: boolean): Uint8Array {
  const elements: NewElement[] = [
    str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    str(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.12.1'),
    str(0x00100010, 'PN', 'DOE^JANE'),
    str(0x00100020, 'LO', 'PAT-12'),
    str(0x00280004, 'CS', 'MONOCHROME2'),
    { tag: 0x00280010, vr: 'US', value: encodeNumbers('US', [2], actual) },
    { tag: 0x00280011, vr: 'US', value: encodeNumbers('US', [3], actual) },
    { tag: 0x00280100, vr: 'US', value: encodeNumbers('US', [8], actual) },
    { tag: 0x00281050, vr: 'DS', value: asciiBytes('40') },
    ...(encapsulated ? [] : [{ tag: PIXEL_DATA, vr: 'OB', value: Uint8Array.of(1, 2, 3, 4, 5, 6) }]),
  ];
  const pixels = encapsulated
    ? concatChunks([
        encodeHeader(PIXEL_DATA, 'OB', 0xffffffff, actual),
        encodeHeader(0xfffee000, '', 0, actual),
        encodeHeader(0xfffee000, '', FRAGMENT.length, actual),
        FRAGMENT,
        encodeHeader(0xfffee0dd, '', 0, actual),
      ])
    : new Uint8Array(0);
  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    str(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    str(0x00020003, 'UI', '1.2.826.0.1.3680043.9.7777.12.1'),
    str(0x00020010, 'UI', declaredUID),
  ]);
  const preamble = new Uint8Array(132);
  preamble.set(asciiBytes('DICM'), 128);
  return concatChunks([preamble, meta, encodeNewDataset(elements, actual), pixels]);
}

function deidentify(bytes: Uint8Array, name: string) {
  const parsed = parseDicom(new MemorySource(bytes));
  expect(parsed.declaredTransferSyntaxUID, 'the input contradicts its meta').toBeDefined();
  const result = anonymize(parsed, { profile: getPreset('basic'), key: KEY, toolVersion: '0.1.0' });
  const out = concatChunks(result.chunks);
  const path = join(tmp, name);
  writeFileSync(path, out);
  const parsedOut = parseDicom(new MemorySource(out));
  const declared = readText(
    parsedOut.fileSource,
    parsedOut.meta.find((e) => e.tag === 0x00020010)!,
    'UI',
    '',
  );
  return { parsed, parsedOut, path, declared };
}

const top = (p: ReturnType<typeof parseDicom>, tag: number) => p.dataset.elements.find((e) => e.tag === tag)!;

describe('item 12: file meta that contradicts the dataset', () => {
  const cases = [
    ['JPEG Baseline declared over implicit VR', JPEG_BASELINE, IMPLICIT_LE, true, JPEG_BASELINE],
    ['Explicit VR LE declared over implicit VR', EXPLICIT_LE_UID, IMPLICIT_LE, false, EXPLICIT_LE_UID],
    ['Explicit VR BE declared over explicit VR LE', EXPLICIT_BE_UID, EXPLICIT_LE, false, EXPLICIT_LE_UID],
    ['Explicit VR LE declared over explicit VR BE', EXPLICIT_LE_UID, EXPLICIT_BE, false, EXPLICIT_BE_UID],
  ] as const;
  for (const [name, declaredUID, actual, encapsulated, expectedUID] of cases) {
    it(`${name}: the output's meta and dataset agree, and its values are intact`, () => {
      const file = `${name.replace(/\W+/g, '-')}.dcm`;
      const { parsed, parsedOut, path, declared } = deidentify(
        contradicting(declaredUID, actual, encapsulated),
        file,
      );
      expect(declared).toBe(expectedUID);
      // Read back by what its meta says, without the parser having to second-guess it.
      expect(parsedOut.declaredTransferSyntaxUID).toBeUndefined();
      expect(parsedOut.warnings).toEqual([]);
      for (const tag of [0x00280010, 0x00280011, 0x00280100]) {
        expect(readNumbers(parsedOut.source, top(parsedOut, tag), 'US', parsedOut.dataset.syntax)).toEqual(
          readNumbers(parsed.source, top(parsed, tag), 'US', parsed.dataset.syntax),
        );
      }
      expect(readText(parsedOut.source, top(parsedOut, 0x00281050), 'DS', '')).toBe('40');
      const pixIn = top(parsed, PIXEL_DATA);
      const pixOut = top(parsedOut, PIXEL_DATA);
      expect(
        Buffer.compare(
          parsedOut.source.read(pixOut.valueStart, pixOut.end - pixOut.valueStart),
          parsed.source.read(pixIn.valueStart, pixIn.end - pixIn.valueStart),
        ),
      ).toBe(0);
      if (hasTool('dcmdump')) expect(dcmdumpErrors(path)).toEqual([]);
      if (hasPydicom()) expect(pydicomErrors([path])).toEqual([]);
    });
  }
});
