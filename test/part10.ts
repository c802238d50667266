import { asciiBytes } from '../shared/dicom/encode.js';
import { EXPLICIT_LE } from '../shared/dicom/transfer-syntax.js';
import { concatChunks, encodeFileMeta, encodeNewDataset, type NewElement } from '../shared/dicom/write.js';

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A string element, ASCII only (every test value here is). */
export const str = (tag: number, vr: string, value: string): NewElement => ({
  tag,
  vr,
  value: asciiBytes(value),
});

/** A Part 10 file (preamble, DICM, meta) around `elements`, in Explicit VR Little Endian. */
export function part10(elements: readonly NewElement[], sopClassUID = CT_IMAGE_STORAGE): Uint8Array {
  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    str(0x00020002, 'UI', sopClassUID),
    str(0x00020003, 'UI', '2.25.1234'),
    str(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
  ]);
  const preamble = new Uint8Array(132);
  preamble.set(asciiBytes('DICM'), 128);
  return concatChunks([preamble, meta, encodeNewDataset(elements, EXPLICIT_LE)]);
}
