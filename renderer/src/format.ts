import type { FileStatus } from '../../shared/ipc/contract.js';

/** YYYYMMDD as YYYY-MM-DD; anything else as it is. */
export const formatDate = (date: string): string =>
  /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : date;

export const STATUS_LABEL: Readonly<Record<FileStatus, string>> = {
  waiting: 'Reading…',
  scanned: 'Ready',
  'not-dicom': 'Not DICOM',
  unreadable: 'Cannot be read',
  written: 'Done',
  skipped: 'Skipped',
  failed: 'Failed',
  held: 'Held for review',
};

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
