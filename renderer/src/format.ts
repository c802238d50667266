import type { FileStatus } from '../../shared/ipc/contract.js';

/**
 * A DICOM date (YYYYMMDD) as YYYY-MM-DD; empty stays empty. Anything else (`***`, `0095.07.24`, a 30th of
 * February) is "invalid date": a raw value must never look like a date it is not.
 */
export function formatDate(date: string): string {
  if (date === '') return '';
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!match) return 'invalid date';
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const real = year >= 1800 && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  return real ? `${match[1]}-${match[2]}-${match[3]}` : 'invalid date';
}

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
