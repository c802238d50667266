import type { ParsedDicom } from './model.js';
import { readText } from './values.js';
import { effectiveVR } from './walk.js';

const MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
const SOP_CLASS_UID = 0x00080016;
const MODALITY = 0x00080060;
const DIRECTORY_RECORD_SEQUENCE = 0x00041220;
export const BURNED_IN_ANNOTATION = 0x00280301;
export const RECOGNIZABLE_VISUAL_FEATURES = 0x00280302;

export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** Every element sopClassUID, modality and isDicomdir read, for callers that remember what they gave. */
export const HEADER_FACT_TAGS: readonly number[] = [
  SOP_CLASS_UID,
  MEDIA_STORAGE_SOP_CLASS_UID,
  MODALITY,
  DIRECTORY_RECORD_SEQUENCE,
];

// These facts end up in JSON reports, which carry no values: they are passed on only when they have the
// shape of the standard's codes, so a writer that put a name in Modality cannot leak it through them.
const UID_SHAPE = /^[0-9]+(\.[0-9]+)*$/;
const MODALITY_SHAPE = /^[A-Z0-9_]+$/;

/** A top-level value of the dataset as text, trimmed, with its dictionary VR; '' when absent. */
export function topLevelText(parsed: ParsedDicom, tag: number, charset?: string): string {
  const el = parsed.dataset.elements.find((e) => e.tag === tag);
  return el ? readText(parsed.source, el, effectiveVR(el), charset).trim() : '';
}

/** A File Meta Information value (group 0002) as text; '' when absent. */
export function metaText(parsed: ParsedDicom, tag: number): string {
  const el = parsed.meta.find((e) => e.tag === tag);
  return el ? readText(parsed.fileSource, el, effectiveVR(el), undefined).trim() : '';
}

const shaped = (value: string | undefined, shape: RegExp, max: number) =>
  value && value.length <= max && shape.test(value) ? value : undefined;

/** A top-level Code String such as Burned In Annotation, upper-cased, for decisions only: it may hold anything. */
export const topLevelCode = (parsed: ParsedDicom, tag: number): string | undefined =>
  topLevelText(parsed, tag).toUpperCase() || undefined;

/** SOP Class UID from the dataset, else from the file meta (a DICOMDIR has it only there). */
export function sopClassUID(parsed: ParsedDicom): string | undefined {
  const uid = topLevelText(parsed, SOP_CLASS_UID) || metaText(parsed, MEDIA_STORAGE_SOP_CLASS_UID);
  return shaped(uid, UID_SHAPE, 64);
}

/** Modality as written, when it has the shape of a defined term (upper case, digits, underscore). */
export const modality = (parsed: ParsedDicom): string | undefined =>
  shaped(topLevelText(parsed, MODALITY), MODALITY_SHAPE, 16);

/** A UID for a report: the transfer syntax a file declares may be anything when it is not a known one. */
export const reportableUID = (uid: string): string => shaped(uid, UID_SHAPE, 64) ?? '(invalid UID)';

/**
 * A DICOMDIR lists a file-set; it is not an image, and its directory records repeat patient names and IDs:
 * it is scanned like any other file, but never copied (a fresh one is written for the outputs on request).
 */
export function isDicomdir(parsed: ParsedDicom): boolean {
  const metaClass = metaText(parsed, MEDIA_STORAGE_SOP_CLASS_UID);
  if (metaClass) return metaClass === MEDIA_STORAGE_DIRECTORY;
  return parsed.dataset.elements.some((e) => e.tag === DIRECTORY_RECORD_SEQUENCE);
}
