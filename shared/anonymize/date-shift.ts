import { type AnonymizationKey, keyedDigest } from './key.js';

export interface DateShiftRange {
  readonly minDays: number;
  readonly maxDays: number;
}

/** The patient's offset in days: derived from the key and the patient, identical in every file and run. */
export function patientShiftDays(key: AnonymizationKey, patientKey: string, range: DateShiftRange): number {
  const d = keyedDigest(key, 'date-shift', patientKey);
  const n = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
  const span = range.maxDays - range.minDays + 1;
  return range.minDays + (n % span);
}

const MS_PER_DAY = 86_400_000;

/** Shifts one YYYY[MM[DD]] date keeping its precision; undefined when it is not a date. */
function shiftDatePart(text: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  const day = m[3] ? Number(m[3]) : 1;
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const t = Date.UTC(year, month - 1, day) + days * MS_PER_DAY;
  const d = new Date(t);
  const yyyy = String(d.getUTCFullYear()).padStart(4, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return m[3] ? `${yyyy}${mm}${dd}` : m[2] ? `${yyyy}${mm}` : yyyy;
}

/** DA: single dates, ranges (`A-B`, `-B`, `A-`) and the legacy `YYYY.MM.DD` form. */
export function shiftDA(value: string, days: number): string | undefined {
  const one = (s: string) => (s === '' ? '' : shiftDatePart(s.replace(/\./g, ''), days));
  const parts = value.trim().split('-');
  if (parts.length > 2) return undefined;
  const shifted = parts.map(one);
  return shifted.some((s) => s === undefined) ? undefined : shifted.join('-');
}

/** DT: the date part moves, the time of day and the UTC offset suffix stay; ranges as for DA. */
export function shiftDT(value: string, days: number): string | undefined {
  const one = (s: string): string | undefined => {
    if (s === '') return '';
    const m = /^(\d{4,8})(.*)$/.exec(s);
    if (!m) return undefined;
    const datePart = m[1]!.length > 8 ? m[1]!.slice(0, 8) : m[1]!;
    const shifted = shiftDatePart(datePart, days);
    return shifted === undefined ? undefined : shifted + m[1]!.slice(datePart.length) + m[2]!;
  };
  // A '-' may also start a UTC offset (e.g. 20200101120000-0500): split ranges only on a '-' followed by a date.
  const range = /^(.*?\d)-(\d{4}.*)?$/.exec(value.trim());
  const parts = range && !/^\d{4}$/.test(range[2] ?? '') ? [range[1]!, range[2] ?? ''] : [value.trim()];
  if (parts.length === 1 && /^-\d{4}/.test(value.trim())) parts.unshift('');
  const shifted = parts.map(one);
  return shifted.some((s) => s === undefined) ? undefined : shifted.join('-');
}
