import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { IMPLEMENTATION_CLASS_UID } from '../anonymize/engine.js';
import { asciiBytes, encodeNumbers } from '../dicom/encode.js';
import { EncodeError } from '../dicom/errors.js';
import { MEDIA_STORAGE_DIRECTORY } from '../dicom/header.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { encodeFileMeta, encodeNewDataset, type NewElement } from '../dicom/write.js';
import { isFileId } from './file-id.js';

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** The de-identified facts of one written file, as the DICOMDIR lists it. */
export interface DicomdirEntry {
  /** Path of the file relative to the DICOMDIR, as components (see fileIdFor). */
  readonly fileId: readonly string[];
  readonly patientId: string;
  readonly patientName: string;
  readonly studyInstanceUID: string;
  /** Only when the profile retained them; absent type 1 keys get placeholders (see PLACEHOLDER_DATE). */
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly studyId?: string;
  readonly seriesInstanceUID: string;
  readonly modality: string;
  readonly seriesNumber?: string;
  readonly sopClassUID: string;
  readonly sopInstanceUID: string;
  readonly transferSyntaxUID: string;
  readonly instanceNumber?: string;
}

export interface DicomdirOptions {
  /** File-set ID (0004,1130): up to 16 of A-Z, 0-9, `_` and space. */
  readonly fileSetId?: string;
  /** The DICOMDIR's own SOP Instance UID; by default derived from the listed instances, so it is stable. */
  readonly fileSetUID?: string;
  readonly toolVersion?: string;
}

const SPECIFIC_CHARACTER_SET = 0x00080005;
const NEXT_RECORD = 0x00041400;
const IN_USE = 0x00041410;
const LOWER_LEVEL = 0x00041420;
const RECORD_TYPE = 0x00041430;
const ROOT_FIRST = 0x00041200;
const ROOT_LAST = 0x00041202;
const DIRECTORY_RECORD_SEQUENCE = 0x00041220;
const PREAMBLE_AND_PREFIX = 132;

const UID = /^[0-9]+(\.[0-9]+)*$/;
const PRINTABLE = /^[^\\\x00-\x1f\x7f]*$/;
const ASCII = /^[\x20-\x7e]*$/;
const FIELDS: ReadonlyArray<[keyof DicomdirEntry, RegExp, number]> = [
  ['patientId', PRINTABLE, 64],
  ['patientName', PRINTABLE, 64],
  ['studyInstanceUID', UID, 64],
  ['studyDate', /^\d{8}$/, 8],
  ['studyTime', /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/, 14],
  ['studyId', PRINTABLE, 16],
  ['seriesInstanceUID', UID, 64],
  ['modality', /^[A-Z0-9_ ]*$/, 16],
  ['seriesNumber', /^[+-]?\d+$/, 12],
  ['sopClassUID', UID, 64],
  ['sopInstanceUID', UID, 64],
  ['transferSyntaxUID', UID, 64],
  ['instanceNumber', /^[+-]?\d+$/, 12],
];

/** Errors name the field and the entry's position, never the value (it may be a site's pseudonym). */
function validate(entry: DicomdirEntry, n: number) {
  if (!isFileId(entry.fileId)) {
    throw new EncodeError(`entry ${n}: the file ID must be 1-8 components of 1-8 characters A-Z, 0-9, _`);
  }
  for (const [field, shape, max] of FIELDS) {
    const value = entry[field] as string | undefined;
    if (value !== undefined && (value.length > max || !shape.test(value))) {
      throw new EncodeError(`entry ${n}: ${field} is not a valid value for a DICOMDIR record`);
    }
  }
}

const text = (tag: number, vr: string, value: string | undefined): NewElement => ({
  tag,
  vr,
  value: value === undefined ? new Uint8Array(0) : utf8ToBytes(value),
});
const ul = (tag: number, n: number): NewElement => ({
  tag,
  vr: 'UL',
  value: encodeNumbers('UL', [n], EXPLICIT_LE),
});
const us = (tag: number, n: number): NewElement => ({
  tag,
  vr: 'US',
  value: encodeNumbers('US', [n], EXPLICIT_LE),
});

/** One directory record: its keys, the records one level down, and where it and its next sibling lie. */
interface DirRecord {
  readonly keys: readonly NewElement[];
  readonly children: DirRecord[];
  offset: number;
  next: number;
}

type Key = readonly [tag: number, vr: string, value: string | undefined];

function record(type: string, keys: readonly Key[]): DirRecord {
  // Pseudonyms from a site crosswalk may be non-ASCII; such a record declares UTF-8 for itself.
  const utf8 = keys.some(([, , value]) => value !== undefined && !ASCII.test(value));
  const all: Key[] = [[RECORD_TYPE, 'CS', type], ...keys];
  if (utf8) all.push([SPECIFIC_CHARACTER_SET, 'CS', 'ISO_IR 192']);
  return { keys: all.map(([tag, vr, value]) => text(tag, vr, value)), children: [], offset: 0, next: 0 };
}

const numeric = (a: string | undefined, b: string | undefined) => Number(a ?? 0) - Number(b ?? 0);
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function childOf(index: Map<string, DirRecord>, parent: DirRecord, key: string, make: () => DirRecord) {
  let r = index.get(key);
  if (!r) {
    r = make();
    index.set(key, r);
    parent.children.push(r);
  }
  return r;
}

// Keys a directory record requires (type 1) that the profile may have removed from the files get neutral
// stand-ins, as dcmmkdir --invent does: a 1900 date, midnight, and the record's place among its siblings.
const PLACEHOLDER_DATE = '19000101';
const PLACEHOLDER_TIME = '000000';
const ordinal = (parent: DirRecord) => String(parent.children.length + 1);

/** PATIENT → STUDY → SERIES → IMAGE, sorted, so the same files give the same DICOMDIR in any order. */
function tree(entries: readonly DicomdirEntry[]): DirRecord {
  const sorted = [...entries].sort(
    (a, b) =>
      byKey(a.patientId, b.patientId) ||
      byKey(a.studyInstanceUID, b.studyInstanceUID) ||
      numeric(a.seriesNumber, b.seriesNumber) ||
      byKey(a.seriesInstanceUID, b.seriesInstanceUID) ||
      numeric(a.instanceNumber, b.instanceNumber) ||
      byKey(a.sopInstanceUID, b.sopInstanceUID),
  );
  const root: DirRecord = { keys: [], children: [], offset: 0, next: 0 };
  const index = new Map<string, DirRecord>();
  const instances = new Set<string>();
  const fileIds = new Set<string>();
  for (const e of sorted) {
    const fileId = e.fileId.join('\\');
    if (instances.has(e.sopInstanceUID)) throw new EncodeError('a SOP Instance UID is listed twice');
    if (fileIds.has(fileId)) throw new EncodeError('a file ID is listed twice');
    instances.add(e.sopInstanceUID);
    fileIds.add(fileId);
    const patient = childOf(index, root, `P\0${e.patientId}`, () =>
      record('PATIENT', [
        [0x00100010, 'PN', e.patientName],
        [0x00100020, 'LO', e.patientId],
      ]),
    );
    const study = childOf(index, patient, `S\0${e.patientId}\0${e.studyInstanceUID}`, () =>
      record('STUDY', [
        [0x00080020, 'DA', e.studyDate || PLACEHOLDER_DATE],
        [0x00080030, 'TM', e.studyTime || PLACEHOLDER_TIME],
        [0x00080050, 'SH', undefined],
        [0x00081030, 'LO', undefined],
        [0x0020000d, 'UI', e.studyInstanceUID],
        [0x00200010, 'SH', e.studyId || ordinal(patient)],
      ]),
    );
    const series = childOf(
      index,
      study,
      `E\0${e.patientId}\0${e.studyInstanceUID}\0${e.seriesInstanceUID}`,
      () =>
        record('SERIES', [
          [0x00080060, 'CS', e.modality || 'OT'],
          [0x0020000e, 'UI', e.seriesInstanceUID],
          [0x00200011, 'IS', e.seriesNumber || ordinal(study)],
        ]),
    );
    series.children.push(
      record('IMAGE', [
        [0x00041500, 'CS', fileId],
        [0x00041510, 'UI', e.sopClassUID],
        [0x00041511, 'UI', e.sopInstanceUID],
        [0x00041512, 'UI', e.transferSyntaxUID],
        [0x00200013, 'IS', e.instanceNumber || ordinal(series)],
      ]),
    );
  }
  return root;
}

/** Records depth first, each followed by its subtree: the usual order of a Directory Record Sequence. */
function flatten(r: DirRecord, out: DirRecord[] = []): DirRecord[] {
  for (const c of r.children) {
    out.push(c);
    flatten(c, out);
  }
  return out;
}

const itemElements = (r: DirRecord): NewElement[] => [
  ul(NEXT_RECORD, r.next),
  us(IN_USE, 0xffff),
  ul(LOWER_LEVEL, r.children[0]?.offset ?? 0),
  ...r.keys,
];

/** `2.25.<first 128 bits of a SHA-256>`, the UUID-derived form of PS3.5 B.2. */
function derivedUid(seed: string): string {
  const digest = sha256(utf8ToBytes(seed));
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(digest[i]!);
  return `2.25.${n}`;
}

/**
 * A Media Storage Directory (PS3.3 F, PS3.10) listing `entries`, as the bytes of a Part 10 file named
 * DICOMDIR at the root of the file-set. Everything in it comes from the entries and options, which the
 * caller takes from de-identified outputs; an input DICOMDIR is never a source.
 */
export function buildDicomdir(entries: readonly DicomdirEntry[], options: DicomdirOptions = {}): Uint8Array {
  for (const [i, e] of entries.entries()) validate(e, i + 1);
  const fileSetId = options.fileSetId ?? 'DEID';
  if (!/^[A-Z0-9_ ]{0,16}$/.test(fileSetId)) {
    throw new EncodeError('the file-set ID must be up to 16 of A-Z, 0-9, _');
  }
  const instances = entries.map((e) => e.sopInstanceUID).sort();
  const fileSetUID = options.fileSetUID ?? derivedUid(`dicomdir\0${instances.join('\0')}`);
  if (!UID.test(fileSetUID) || fileSetUID.length > 64) {
    throw new EncodeError('the file-set UID is not a valid UID');
  }

  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: 'UI', value: asciiBytes(MEDIA_STORAGE_DIRECTORY) },
    { tag: 0x00020003, vr: 'UI', value: asciiBytes(fileSetUID) },
    { tag: 0x00020010, vr: 'UI', value: asciiBytes(EXPLICIT_VR_LITTLE_ENDIAN) },
    { tag: 0x00020012, vr: 'UI', value: asciiBytes(IMPLEMENTATION_CLASS_UID) },
    ...(options.toolVersion
      ? [{ tag: 0x00020013, vr: 'SH', value: asciiBytes(`DICOMDEID_${options.toolVersion}`.slice(0, 16)) }]
      : []),
  ]);

  const root = tree(entries);
  const records = flatten(root);
  const dataset = (items: NewElement[][]): NewElement[] => [
    text(0x00041130, 'CS', fileSetId),
    ul(ROOT_FIRST, root.children[0]?.offset ?? 0),
    ul(ROOT_LAST, root.children.at(-1)?.offset ?? 0),
    us(0x00041212, 0),
    { tag: DIRECTORY_RECORD_SEQUENCE, vr: 'SQ', items },
  ];

  // Offsets count bytes from the start of the file (PS3.3 F.3.2.1). They are fixed-size UL values, so the
  // layout measured with zeros in them is the final one.
  let at = PREAMBLE_AND_PREFIX + meta.length + encodeNewDataset(dataset([]), EXPLICIT_LE).length;
  for (const r of records) {
    r.offset = at;
    at += 8 + encodeNewDataset(itemElements(r), EXPLICIT_LE).length;
  }
  for (const r of [root, ...records]) {
    for (const [i, child] of r.children.entries()) child.next = r.children[i + 1]?.offset ?? 0;
  }

  const body = encodeNewDataset(dataset(records.map(itemElements)), EXPLICIT_LE);
  const file = new Uint8Array(PREAMBLE_AND_PREFIX + meta.length + body.length);
  file.set([0x44, 0x49, 0x43, 0x4d], 128);
  file.set(meta, PREAMBLE_AND_PREFIX);
  file.set(body, PREAMBLE_AND_PREFIX + meta.length);
  return file;
}
