import { asciiBytes, encodeNumbers } from '../dicom/encode.js';
import type { Syntax } from '../dicom/transfer-syntax.js';
import { BINARY_SIZE } from '../dicom/vr.js';

/** Action D: a non-empty value valid for the VR that says nothing about anyone. */
const TEXT_DUMMY: Readonly<Record<string, string>> = {
  AE: 'ANONYMOUS',
  AS: '000Y',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UR: 'urn:anonymized',
  UT: 'ANONYMIZED',
};

/** Every dummy we write, so the residual check never mistakes our own values for what was removed. */
export const DUMMY_TEXTS: readonly string[] = [...new Set(Object.values(TEXT_DUMMY))];

/** The dummy of a string VR as text (for previews); undefined for binary VRs. */
export const dummyText = (vr: string): string | undefined => TEXT_DUMMY[vr];

export function dummyValue(vr: string, syntax: Syntax): Uint8Array {
  const text = TEXT_DUMMY[vr];
  if (text) return asciiBytes(text);
  if (BINARY_SIZE[vr]) return encodeNumbers(vr, [0], syntax);
  // OB, UN and anything else: two zero bytes are a valid non-empty value.
  return new Uint8Array(2);
}
