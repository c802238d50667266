import { ReportableError } from '../errors.js';
import { OPTION_COLUMNS } from '../standard/profile-table.generated.js';

/** One of the ten option columns of Table E.1-1: options that change what happens to attributes. */
export type TableOptionKey = (typeof OPTION_COLUMNS)[number]['key'];

/**
 * A PS3.15 Annex E profile option: the ten table columns, then Clean Pixel Data (E.3.1), which changes the
 * pixels rather than any attribute and so has no column.
 */
export type OptionKey = TableOptionKey | 'cleanPixelData';

/** A coded concept as written into De-identification Method Code Sequence (0012,0064). */
export interface CodedConcept {
  readonly scheme: string;
  readonly value: string;
  readonly meaning: string;
}

export const TABLE_OPTIONS: ReadonlyArray<TableOptionKey> = OPTION_COLUMNS.map((column) => column.key);

/** Table E.1-1 column order then Clean Pixel Data: the order options are listed and exported in. */
export const ALL_OPTIONS: ReadonlyArray<OptionKey> = [...TABLE_OPTIONS, 'cleanPixelData'];

/** CID 7050 code that every de-identified instance carries, whichever options were applied. */
export const BASIC_PROFILE_CODE: CodedConcept = {
  scheme: 'DCM',
  value: '113100',
  meaning: 'Basic Application Confidentiality Profile',
};

export interface OptionInfo {
  readonly key: OptionKey;
  /** Short switch label. */
  readonly label: string;
  /** One plain-English line for radiographers: what turning the option on keeps or changes. */
  readonly explanation: string;
  readonly code: CodedConcept;
}

const TEXT: Readonly<Record<OptionKey, { label: string; explanation: string }>> = {
  retainSafePrivate: {
    label: 'Keep safe private tags',
    explanation:
      'Keep the manufacturer-specific fields that DICOM lists as safe (such as dose and scan timing); all other private fields are still removed.',
  },
  retainUIDs: {
    label: 'Keep original UIDs',
    explanation:
      'Keep the original study, series and image UIDs so results can be matched back to the source images; anyone with the PACS can do the same.',
  },
  retainDeviceIdentity: {
    label: 'Keep scanner identity',
    explanation:
      'Keep the station name, serial numbers and calibration details of the scanner and its parts.',
  },
  retainInstitutionIdentity: {
    label: 'Keep hospital identity',
    explanation: 'Keep the name and address of the hospital and department that did the examination.',
  },
  retainPatientCharacteristics: {
    label: 'Keep patient characteristics',
    explanation:
      "Keep the patient's sex, age, height, weight and similar details that matter for the images; names and IDs are still removed.",
  },
  retainLongFullDates: {
    label: 'Keep real dates',
    explanation:
      'Keep every date and time unchanged, so follow-up scans line up, but the real dates can help identify the patient.',
  },
  retainLongModifiedDates: {
    label: 'Shift dates',
    explanation:
      'Move every date and time by the same number of days for each patient, so intervals between scans stay right but real dates are hidden.',
  },
  cleanDescriptors: {
    label: 'Clean descriptions',
    explanation:
      'Keep free-text descriptions such as study description and protocol name, after removing anything that identifies the patient or staff.',
  },
  cleanStructuredContent: {
    label: 'Clean structured reports',
    explanation:
      'Keep structured content such as SR measurements and acquisition context, after removing identifying entries.',
  },
  cleanGraphics: {
    label: 'Clean graphics',
    explanation:
      'Keep overlays and graphic annotations on the images, after removing identifying text in them.',
  },
  cleanPixelData: {
    label: 'Clean pixel data',
    explanation:
      'Black out the parts of images where devices or people put patient details; images with text that cannot be cleaned are held.',
  },
};

/** CID 7050 code of the Clean Pixel Data Option (PS3.16), written only when pixels were in fact cleaned. */
const CLEAN_PIXEL_DATA_CODE: CodedConcept = {
  scheme: 'DCM',
  value: '113101',
  meaning: 'Clean Pixel Data Option',
};

export const OPTION_INFO: Readonly<Record<OptionKey, OptionInfo>> = Object.fromEntries([
  ...OPTION_COLUMNS.map((column) => [
    column.key,
    { key: column.key, ...TEXT[column.key], code: column.cid7050Code },
  ]),
  ['cleanPixelData', { key: 'cleanPixelData', ...TEXT.cleanPixelData, code: CLEAN_PIXEL_DATA_CODE }],
]) as Record<OptionKey, OptionInfo>;

const OPTION_KEYS: ReadonlySet<string> = new Set(ALL_OPTIONS);

export const isOptionKey = (name: string): name is OptionKey => OPTION_KEYS.has(name);

// Full dates keep the real dates and Modified Dates shifts them: applying both has no meaning, and
// Table E.1-1 gives them opposite codes (K versus C) on the same 169 rows.
const EXCLUSIVE_PAIRS: ReadonlyArray<readonly [OptionKey, OptionKey]> = [
  ['retainLongFullDates', 'retainLongModifiedDates'],
];

/** The first pair of selected options that must not be combined, or undefined when the set is valid. */
export function findOptionConflict(
  options: ReadonlySet<OptionKey>,
): readonly [OptionKey, OptionKey] | undefined {
  return EXCLUSIVE_PAIRS.find(([a, b]) => options.has(a) && options.has(b));
}

/** Throws when the options cannot be applied together; the message names both options. */
export function assertValidOptions(options: ReadonlySet<OptionKey>): void {
  const conflict = findOptionConflict(options);
  if (conflict) throw new ReportableError(`options ${conflict[0]} and ${conflict[1]} cannot be combined`);
}

/** Basic Profile code followed by each applied option's code, in table order. */
export function methodCodes(options: Iterable<OptionKey>): CodedConcept[] {
  const selected = new Set(options);
  return [
    BASIC_PROFILE_CODE,
    ...ALL_OPTIONS.filter((key) => selected.has(key)).map((key) => OPTION_INFO[key].code),
  ];
}

/** Table order, no duplicates: the canonical form stored in a Profile. */
export const sortOptions = (options: Iterable<OptionKey>): OptionKey[] => {
  const selected = new Set(options);
  return ALL_OPTIONS.filter((key) => selected.has(key));
};
