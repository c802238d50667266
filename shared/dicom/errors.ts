import { CodedError, ReportableError } from '../errors.js';

/**
 * Why a file could not be read. Messages name offsets, tags and sizes only: never a value read from the
 * file, because these messages end up in logs and reports that must stay free of PHI.
 */
export type DicomErrorCode = 'not-dicom' | 'empty' | 'truncated' | 'malformed' | 'unsupported' | 'too-large';

export class DicomError extends CodedError<DicomErrorCode> {
  override readonly name = 'DicomError';
}

export const isDicomError = (e: unknown): e is DicomError => e instanceof DicomError;

/** A value we were asked to write cannot be encoded (too long for its VR, not ASCII, a duplicate tag...). */
export class EncodeError extends ReportableError {
  override readonly name = 'EncodeError';
}
