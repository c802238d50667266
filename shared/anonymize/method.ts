import { latin1 } from '../dicom/charset.js';
import { asciiBytes } from '../dicom/encode.js';
import { metaText, topLevelText } from '../dicom/header.js';
import type { ParsedDicom } from '../dicom/model.js';
import { isUid } from '../dicom/validate.js';
import type { NewElement } from '../dicom/write.js';
import { methodCodes } from '../profile/options.js';
import type { Profile } from '../profile/profile.js';
import { PROFILE_EDITION } from '../profile/table.js';
import { DUMMY_TEXTS } from './dummy.js';

export const TOOL_NAME = 'dicom-deid';
/** Our Implementation Class UID (PS3.7 D.3.3.2), a fixed 2.25 UID so outputs say which tool wrote them. */
export const IMPLEMENTATION_CLASS_UID = '2.25.190839223093410254178442307361094116521';

const PATIENT_IDENTITY_REMOVED = 0x00120062;
const DEIDENTIFICATION_METHOD = 0x00120063;
const DEIDENTIFICATION_METHOD_CODE_SEQUENCE = 0x00120064;
const LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;

/** The attributes that record the de-identification; an input's own (already de-identified) go. */
export const METHOD_TAGS: ReadonlySet<number> = new Set([
  PATIENT_IDENTITY_REMOVED,
  DEIDENTIFICATION_METHOD,
  DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
  LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED,
]);

/** The method attributes a run writes, with their values as lower-case text for the residual check. */
export interface RecordedMethod {
  readonly elements: readonly NewElement[];
  /** What the engine itself writes in every output (these values and the dummies): never a residue. */
  readonly writtenTexts: readonly string[];
}

const recorded = new WeakMap<Profile, Map<string, RecordedMethod>>();

/**
 * The method attributes for a file of this profile, made once per profile, tool version and whether the
 * file's pixels were cleaned (code 113101 says so only where they were): the same for every file.
 */
export function recordedMethod(
  profile: Profile,
  pixelsCleaned: boolean,
  toolVersion: string,
): RecordedMethod {
  let ofProfile = recorded.get(profile);
  if (!ofProfile) {
    ofProfile = new Map();
    recorded.set(profile, ofProfile);
  }
  const key = `${pixelsCleaned}\u0000${toolVersion}`;
  let method = ofProfile.get(key);
  if (!method) {
    const applied = pixelsCleaned
      ? profile
      : { ...profile, options: profile.options.filter((o) => o !== 'cleanPixelData') };
    const elements = methodAttributes(applied, toolVersion);
    const writtenTexts = [
      ...DUMMY_TEXTS,
      ...elements.flatMap((e) => ('value' in e ? [latin1(e.value)] : [])),
    ].map((w) => w.toLowerCase());
    method = { elements, writtenTexts };
    ofProfile.set(key, method);
  }
  return method;
}

/** What was done, as PS3.15 E.1.1 asks: Patient Identity Removed, the method and its CID 7050 codes. */
export function methodAttributes(profile: Profile, toolVersion: string): NewElement[] {
  const longitudinal = profile.options.includes('retainLongFullDates')
    ? 'UNMODIFIED'
    : profile.options.includes('retainLongModifiedDates')
      ? 'MODIFIED'
      : 'REMOVED';
  return [
    { tag: PATIENT_IDENTITY_REMOVED, vr: 'CS', value: asciiBytes('YES') },
    {
      tag: DEIDENTIFICATION_METHOD,
      vr: 'LO',
      value: asciiBytes(
        `${TOOL_NAME} ${toolVersion}; PS3.15 ${PROFILE_EDITION} ${profile.base}`.slice(0, 64),
      ),
    },
    {
      tag: DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
      vr: 'SQ',
      items: methodCodes(profile.options).map((c) => [
        { tag: 0x00080100, vr: 'SH', value: asciiBytes(c.value) },
        { tag: 0x00080102, vr: 'SH', value: asciiBytes(c.scheme) },
        { tag: 0x00080104, vr: 'LO', value: asciiBytes(c.meaning.slice(0, 64)) },
      ]),
    },
    { tag: LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, vr: 'CS', value: asciiBytes(longitudinal) },
  ];
}

/** A new File Meta Information group for the de-identified instance (PS3.10 7.1). */
export function fileMeta(
  parsed: ParsedDicom,
  sopInstanceUID: string,
  transferSyntaxUID: string,
  toolVersion: string,
): NewElement[] {
  // A damaged SOP Class UID (one whose length swallowed what followed) is not copied, not even in part.
  const sopClass = [topLevelText(parsed, 0x00080016), metaText(parsed, 0x00020002)].find(isUid) ?? '';
  return [
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: 'UI', value: asciiBytes(sopClass) },
    { tag: 0x00020003, vr: 'UI', value: asciiBytes(sopInstanceUID) },
    { tag: 0x00020010, vr: 'UI', value: asciiBytes(isUid(transferSyntaxUID) ? transferSyntaxUID : '') },
    { tag: 0x00020012, vr: 'UI', value: asciiBytes(IMPLEMENTATION_CLASS_UID) },
    { tag: 0x00020013, vr: 'SH', value: asciiBytes(`DICOMDEID_${toolVersion}`.slice(0, 16)) },
  ];
}
