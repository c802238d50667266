import type { DicomElement, ParsedDicom } from './model.js';
import type { ByteSource } from './source.js';
import { readText } from './values.js';

const MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
const SOP_CLASS_UID = 0x00080016;
const MODALITY = 0x00080060;
const DIRECTORY_RECORD_SEQUENCE = 0x00041220;
export const BURNED_IN_ANNOTATION = 0x00280301;
export const RECOGNIZABLE_VISUAL_FEATURES = 0x00280302;

export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

// These facts end up in JSON reports, which carry no values: they are passed on only when they have the
// shape of the standard's codes, so a writer that put a name in Modality cannot leak it through them.
const UID_SHAPE = /^[0-9]+(\.[0-9]+)*$/;
const MODALITY_SHAPE = /^[A-Z0-9_]+$/;

function text(
  source: ByteSource,
  elements: readonly DicomElement[],
  tag: number,
  vr: string,
): string | undefined {
  const el = elements.find((e) => e.tag === tag);
  return el ? readText(source, el, vr, undefined).trim() : undefined;
}

const shaped = (value: string | undefined, shape: RegExp, max: number) =>
  value && value.length <= max && shape.test(value) ? value : undefined;

/** A top-level Code String such as Burned In Annotation, upper-cased, for decisions only: it may hold anything. */
export const topLevelCode = (parsed: ParsedDicom, tag: number): string | undefined =>
  text(parsed.source, parsed.dataset.elements, tag, 'CS')?.toUpperCase();

/** SOP Class UID from the dataset, else from the file meta (a DICOMDIR has it only there). */
export function sopClassUID(parsed: ParsedDicom): string | undefined {
  const uid =
    text(parsed.source, parsed.dataset.elements, SOP_CLASS_UID, 'UI') ??
    text(parsed.fileSource, parsed.meta, MEDIA_STORAGE_SOP_CLASS_UID, 'UI');
  return shaped(uid, UID_SHAPE, 64);
}

/** Modality as written, when it has the shape of a defined term (upper case, digits, underscore). */
export const modality = (parsed: ParsedDicom): string | undefined =>
  shaped(text(parsed.source, parsed.dataset.elements, MODALITY, 'CS'), MODALITY_SHAPE, 16);

/** A UID for a report: the transfer syntax a file declares may be anything when it is not a known one. */
export const reportableUID = (uid: string): string => shaped(uid, UID_SHAPE, 64) ?? '(invalid UID)';

/**
 * A DICOMDIR lists a file-set; it is not an image, but its directory records repeat patient names and IDs,
 * so it is scanned (and de-identified) like any other file.
 */
export function isDicomdir(parsed: ParsedDicom): boolean {
  const metaClass = text(parsed.fileSource, parsed.meta, MEDIA_STORAGE_SOP_CLASS_UID, 'UI');
  if (metaClass !== undefined) return metaClass === MEDIA_STORAGE_DIRECTORY;
  return parsed.dataset.elements.some((e) => e.tag === DIRECTORY_RECORD_SEQUENCE);
}
