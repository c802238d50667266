/**
 * The kinds of identifier a project crosswalk maps, and their names for a person: the same words in the
 * app's lookup and the command line's.
 */
export type MappingKind = 'patient' | 'study' | 'series' | 'instance' | 'uid';

export const MAPPING_KINDS: readonly MappingKind[] = ['patient', 'study', 'series', 'instance', 'uid'];

/** Words for a person: what kind of identifier a row maps. */
export const KIND_WORDS: Readonly<Record<MappingKind, string>> = {
  patient: 'Patient ID',
  study: 'Study Instance UID',
  series: 'Series Instance UID',
  instance: 'SOP Instance UID',
  uid: 'other UID',
};
