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
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year); // Date.UTC would read years 0-99 as 1900-1999
  // A day the month does not have (20210229, 20200431) is not a date.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const d = new Date(date.getTime() + days * MS_PER_DAY);
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

/** One DT value: YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]] and an optional UTC offset &ZZXX (hours 00-14). */
const DT_VALUE =
  /^\d{4}(?:\d{2}(?:\d{2}(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?)?)?(?:[+-](?:0\d|1[0-4])[0-5]\d)?$/;

/** DT: the date part moves, the time of day and the UTC offset suffix stay; ranges as for DA. */
export function shiftDT(value: string, days: number): string | undefined {
  const one = (s: string): string | undefined => {
    if (s === '') return '';
    if (!DT_VALUE.test(s)) return undefined;
    const n = Math.min(8, /^\d+/.exec(s)![0].length);
    const shifted = shiftDatePart(s.slice(0, n), days);
    return shifted === undefined ? undefined : shifted + s.slice(n);
  };
  const v = value.trim();
  if (DT_VALUE.test(v)) return one(v);
  // A '-' may also start a UTC offset (20200101120000-0500): a range splits where both sides are DT values.
  for (let i = v.indexOf('-'); i !== -1; i = v.indexOf('-', i + 1)) {
    const a = v.slice(0, i);
    const b = v.slice(i + 1);
    if ((a || b) && (a === '' || DT_VALUE.test(a)) && (b === '' || DT_VALUE.test(b))) {
      const [sa, sb] = [one(a), one(b)];
      return sa === undefined || sb === undefined ? undefined : `${sa}-${sb}`;
    }
  }
  return undefined;
}
