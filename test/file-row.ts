import type { FileRow } from '../shared/ipc/contract.js';

/** A scanned DICOM row of the app's file list, as tests of its counts and filters need one. */
export const fileRow = (id: number, over: Partial<FileRow> = {}): FileRow => ({
  id,
  name: `${id}.dcm`,
  patient: 'P',
  study: 'S',
  studyKey: 's',
  series: 'R',
  seriesKey: 'r',
  date: '',
  modality: 'US',
  phiCount: 3,
  burnedIn: 'none',
  status: 'scanned',
  ...over,
});
