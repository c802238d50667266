/** Value representations and the facts about them that encoding depends on (PS3.5 6.2, 7.1.2). */
export const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
] as const;
export type VR = (typeof VRS)[number];

const VR_SET: ReadonlySet<string> = new Set(VRS);
export const isVR = (s: string): s is VR => VR_SET.has(s);

const VR_BY_CODE: ReadonlyMap<number, VR> = new Map(
  VRS.map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]),
);

/** The VR whose two bytes, first byte high, are `code`: the one shared string, not a new one per element. */
export const vrOfCode = (code: number): VR | undefined => VR_BY_CODE.get(code);

/** Explicit VR encoding uses a 2-byte reserved field and a 4-byte length for these. */
const LONG_HEADER: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'UC',
  'UN',
  'UR',
  'UT',
  'SV',
  'UV',
]);
export const hasLongHeader = (vr: string): boolean => LONG_HEADER.has(vr);

/** Character strings whose bytes depend on Specific Character Set (PS3.5 6.1.2.3). */
const CHARSET_TEXT: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);
export const usesCharset = (vr: string): boolean => CHARSET_TEXT.has(vr);

/** Every string VR, charset-dependent or plain ASCII. */
const STRING: ReadonlySet<string> = new Set([
  ...CHARSET_TEXT,
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'TM',
  'UI',
  'UR',
]);
export const isStringVR = (vr: string): boolean => STRING.has(vr);

/** Multi-valued with backslash separators, unlike ST/LT/UT/UR which take the whole value as one. */
export const isMultiValuedString = (vr: string): boolean =>
  isStringVR(vr) && vr !== 'ST' && vr !== 'LT' && vr !== 'UT' && vr !== 'UR';

/** Fixed-size binary numbers and the size of one value; byte order depends on the transfer syntax. */
export const BINARY_SIZE: Readonly<Record<string, number>> = {
  AT: 4,
  FD: 8,
  FL: 4,
  SL: 4,
  SS: 2,
  SV: 8,
  UL: 4,
  US: 2,
  UV: 8,
  OD: 8,
  OF: 4,
  OL: 4,
  OV: 8,
  OW: 2,
};

/** Values are padded to even length: UI with NUL, other strings with a space, binary with NUL. */
export const paddingByte = (vr: string): number => (isStringVR(vr) && vr !== 'UI' ? 0x20 : 0x00);
