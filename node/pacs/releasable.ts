import { topLevelText } from '../../shared/dicom/header.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { openInput } from '../file-source.js';
import { walkInputs } from '../inputs.js';

const PATIENT_IDENTITY_REMOVED = 0x00120062;

export type Unreleasable = 'not-dicom' | 'identified';

/**
 * Why a file must not be sent outside, or undefined when it may: only files our de-identification marked
 * (Patient Identity Removed YES, PS3.15 E.1.1) leave through push; anything else is refused, not sent.
 */
export function notReleasable(path: string): Unreleasable | undefined {
  let input: ReturnType<typeof openInput>;
  try {
    input = openInput(path);
  } catch {
    return 'not-dicom';
  }
  try {
    const parsed = parseDicom(input.source, { stopAtPixelData: true });
    return topLevelText(parsed, PATIENT_IDENTITY_REMOVED).toUpperCase() === 'YES' ? undefined : 'identified';
  } catch {
    return 'not-dicom';
  } finally {
    input.close();
  }
}

export interface ReleaseList {
  /** De-identified DICOM files, to send. */
  readonly send: string[];
  /** DICOM files without the de-identified mark: refused. */
  readonly refused: string[];
  /** Anything else (the batch's state files, notes): left alone. */
  skipped: number;
}

/** Sorts the files under `paths` into what push may send and what it must refuse. */
export async function releaseList(paths: readonly string[]): Promise<ReleaseList> {
  const list: ReleaseList = { send: [], refused: [], skipped: 0 };
  for await (const entry of walkInputs(paths)) {
    if (entry.kind !== 'file') continue;
    const why = notReleasable(entry.path);
    if (why === undefined) list.send.push(entry.path);
    else if (why === 'identified') list.refused.push(entry.path);
    else list.skipped++;
  }
  return list;
}
