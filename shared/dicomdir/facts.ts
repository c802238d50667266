import { topLevelText } from '../dicom/header.js';
import type { ParsedDicom } from '../dicom/model.js';
import type { DicomdirEntry } from './build.js';

/** De-identified header values of an output that a DICOMDIR's records repeat. */
export type DirectoryFacts = Omit<
  DicomdirEntry,
  'fileId' | 'patientId' | 'studyInstanceUID' | 'seriesInstanceUID' | 'sopInstanceUID' | 'transferSyntaxUID'
>;

/** What a DICOMDIR record repeats of a written output, read from the output itself (de-identified). */
export function directoryFacts(parsed: ParsedDicom): DirectoryFacts {
  const text = (tag: number) => topLevelText(parsed, tag) || undefined;
  const optional = (name: string, value: string | undefined) => (value ? { [name]: value } : {});
  return {
    patientName: text(0x00100010) ?? '',
    modality: text(0x00080060) ?? '',
    sopClassUID: text(0x00080016) ?? '',
    ...optional('studyDate', text(0x00080020)),
    ...optional('studyTime', text(0x00080030)),
    ...optional('studyId', text(0x00200010)),
    ...optional('seriesNumber', text(0x00200011)),
    ...optional('instanceNumber', text(0x00200013)),
  };
}
