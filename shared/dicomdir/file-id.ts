import { EncodeError } from '../dicom/errors.js';

/**
 * File IDs a DICOMDIR can reference: PS3.10 8.2 (and PS3.12's ISO 9660 media) allow at most 8 components
 * of 1 to 8 characters from A-Z, 0-9 and `_`. The batch must name the files it indexes this way.
 */
const FILE_ID_COMPONENT = /^[A-Z0-9_]{1,8}$/;
const MAX_FILE_ID_DEPTH = 8;

export const isFileId = (components: readonly string[]): boolean =>
  components.length >= 1 &&
  components.length <= MAX_FILE_ID_DEPTH &&
  components.every((c) => FILE_ID_COMPONENT.test(c));

/** 1-based position of a file in the tree of the file-set: the nth patient, their nth study, and so on. */
export interface FileIndex {
  readonly patient: number;
  readonly study: number;
  readonly series: number;
  readonly instance: number;
}

const component = (prefix: string, n: number): string => {
  const digits = String(n).padStart(4, '0');
  if (!Number.isInteger(n) || n < 1 || prefix.length + digits.length > 8) {
    throw new EncodeError(
      `a file-set index must be a whole number from 1 to ${10 ** (8 - prefix.length) - 1}`,
    );
  }
  return `${prefix}${digits}`;
};

/** `DEID/P0001/S0001/SE0001/I0001` as components; join with the platform's separator to make the path. */
export const fileIdFor = (index: FileIndex): string[] => [
  'DEID',
  component('P', index.patient),
  component('S', index.study),
  component('SE', index.series),
  component('I', index.instance),
];

/**
 * Numbers the files of a file-set in the order they are first seen: a new patient, study or series gets
 * the next number at its level. Only de-identified values go in, so the names reveal nobody.
 */
export class FileIdAllocator {
  private readonly patients = new Map<string, Level>();

  next(identity: {
    readonly patientId: string;
    readonly studyInstanceUID: string;
    readonly seriesInstanceUID: string;
  }): string[] {
    const patient = child(this.patients, identity.patientId);
    const study = child(patient.children, identity.studyInstanceUID);
    const series = child(study.children, identity.seriesInstanceUID);
    series.count++;
    return fileIdFor({ patient: patient.n, study: study.n, series: series.n, instance: series.count });
  }
}

interface Level {
  readonly n: number;
  readonly children: Map<string, Level>;
  count: number;
}

function child(levels: Map<string, Level>, key: string): Level {
  let level = levels.get(key);
  if (!level) {
    level = { n: levels.size + 1, children: new Map(), count: 0 };
    levels.set(key, level);
  }
  return level;
}
