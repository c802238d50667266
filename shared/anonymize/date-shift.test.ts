import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATE_SHIFT } from '../profile/index.js';
import { patientShiftDays, shiftDA, shiftDT } from './date-shift.js';
import { keyFromBytes } from './key.js';

const key = keyFromBytes(new Uint8Array(32).fill(1));
const otherKey = keyFromBytes(new Uint8Array(32).fill(2));

/** Day number of a YYYYMMDD date, computed independently of the module under test. */
const dayOf = (s: string) => {
  const d = new Date(0);
  d.setUTCFullYear(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
  return Math.round(d.getTime() / 86_400_000);
};

describe('shiftDA', () => {
  it.each([
    ['20200115', -10, '20200105'],
    ['20200115', 0, '20200115'],
    ['20200115', 20, '20200204'],
    // Month ends and year ends.
    ['20200131', 1, '20200201'],
    ['20200430', 1, '20200501'],
    ['20201231', 1, '20210101'],
    ['20210101', -1, '20201231'],
    // Leap years: 2020 and 2000 are, 2021 and 1900 are not.
    ['20200301', -1, '20200229'],
    ['20210301', -1, '20210228'],
    ['20000301', -1, '20000229'],
    ['19000301', -1, '19000228'],
    ['20200229', 1, '20200301'],
    ['20200229', 366, '20210301'],
    ['20200229', -3650, '20100303'],
    // Legacy YYYY.MM.DD is read and written in the current form.
    ['2020.01.15', -1, '20200114'],
  ])('%s shifted by %i days is %s', (input, days, expected) => {
    expect(shiftDA(input, days)).toBe(expected);
  });

  it('shifts both ends of a range and keeps open ends open', () => {
    expect(shiftDA('20200101-20200201', -10)).toBe('20191222-20200122');
    expect(shiftDA('-20200201', -10)).toBe('-20200122');
    expect(shiftDA('20200101-', -10)).toBe('20191222-');
  });

  it('keeps the precision of partial dates (YYYY, YYYYMM), shifting from the first day of the period', () => {
    expect(shiftDA('202003', -1)).toBe('202002');
    expect(shiftDA('202003', 0)).toBe('202003');
    expect(shiftDA('2020', 0)).toBe('2020');
    expect(shiftDA('2020', -1)).toBe('2019');
    expect(shiftDA('2020', 365)).toBe('2020');
    expect(shiftDA('2020', 366)).toBe('2021');
  });

  it('reads years below 100 as themselves, not as 19xx', () => {
    expect(shiftDA('00500101', 1)).toBe('00500102');
  });

  it.each([
    '20201301',
    '20200001',
    '20200100',
    '20200132',
    '20200230',
    '20210229',
    '19000229',
    '20200431',
    '2020011',
    '2020-01-15',
    'abcdefgh',
    '20200101-20200201-20200301',
    '20200101 20200201',
  ])('%s is not a date: undefined', (input) => {
    expect(shiftDA(input, -10)).toBeUndefined();
  });

  it('moves every valid date by exactly the shift (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1850-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        fc.integer({ min: -4000, max: 4000 }),
        (date, days) => {
          const s = date.toISOString().slice(0, 10).replace(/-/g, '');
          const shifted = shiftDA(s, days);
          expect(shifted).toMatch(/^\d{8}$/);
          expect(dayOf(shifted!) - dayOf(s)).toBe(days);
          // Shifting back gives the original.
          expect(shiftDA(shifted!, -days)).toBe(s);
        },
      ),
    );
  });
});

describe('shiftDT', () => {
  it.each([
    ['20200115123456', -10, '20200105123456'],
    ['20200115123456.123456', -10, '20200105123456.123456'],
    ['20200115123456.1', -10, '20200105123456.1'],
    ['20200115123456.123456+0100', -10, '20200105123456.123456+0100'],
    ['20200115123456-0500', -10, '20200105123456-0500'],
    ['20200101000000+1400', -1, '20191231000000+1400'],
    ['20200115-0500', -10, '20200105-0500'],
    ['2020011512', -10, '2020010512'],
    ['202001', -1, '201912'],
    ['2020', 0, '2020'],
    ['20200229235959.999999', 1, '20200301235959.999999'],
  ])('%s shifted by %i days is %s', (input, days, expected) => {
    expect(shiftDT(input, days)).toBe(expected);
  });

  it.each([
    ['20200115-20200116', '20200105-20200106'],
    ['20200115120000-20200116120000', '20200105120000-20200106120000'],
    ['-20200116', '-20200106'],
    ['20200115-', '20200105-'],
    ['20200115120000+0100-20200116', '20200105120000+0100-20200106'],
    // Both ends carry a UTC offset: every date part moves, every offset stays.
    ['20200115120000-0500-20200116120000-0500', '20200105120000-0500-20200106120000-0500'],
    ['20200115120000.5-0500-', '20200105120000.5-0500-'],
    ['-20200116120000+0100', '-20200106120000+0100'],
    // Year ranges: "-2021" is no UTC offset (hours 20), so this is a range of years.
    ['2020-2021', '2019-2020'],
  ])('range %s → %s', (input, expected) => {
    const days = -10;
    const shifted = shiftDT(input, days);
    expect(shifted).toBe(expected);
  });

  it('never leaves an original date of a range with offsets in the output', () => {
    const shifted = shiftDT('20200115120000-0500-20200116120000-0500', -10)!;
    expect(shifted).not.toContain('20200115');
    expect(shifted).not.toContain('20200116');
  });

  it.each([
    '20200230',
    '20201301120000',
    '20200115250000x',
    '2020011512345',
    '20200115123456.1234567',
    '20200115123456+01',
    'abc',
    '-',
    '20200115-20200116-20200117',
  ])('%s is not a DT: undefined', (input) => {
    expect(shiftDT(input, -10)).toBeUndefined();
  });

  it('keeps time and offset of any valid DT and moves its date by exactly the shift (property)', () => {
    const time = fc.tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
    );
    const offset = fc.option(
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 12 }), fc.constantFrom(0, 30, 45)),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        time,
        fc.option(fc.stringMatching(/^\.\d{1,6}$/), { nil: undefined }),
        offset,
        fc.integer({ min: -3650, max: 3650 }),
        (date, [h, m, s], frac, off, days) => {
          const p2 = (n: number) => String(n).padStart(2, '0');
          const ymd = date.toISOString().slice(0, 10).replace(/-/g, '');
          const suffix = `${p2(h)}${p2(m)}${p2(s)}${frac ?? ''}${off ? `${off[0]}${p2(off[1])}${p2(off[2])}` : ''}`;
          const shifted = shiftDT(ymd + suffix, days);
          expect(shifted).toBeDefined();
          expect(shifted!.slice(8)).toBe(suffix);
          expect(dayOf(shifted!.slice(0, 8)) - dayOf(ymd)).toBe(days);
          // As a closed range, both ends move by the same days.
          const range = shiftDT(`${ymd}${suffix}-${ymd}${suffix}`, days);
          expect(range).toBe(`${shifted}-${shifted}`);
        },
      ),
    );
  });
});

describe('patientShiftDays', () => {
  it('is within the configured range and identical for the same patient', () => {
    for (const range of [DEFAULT_DATE_SHIFT, { minDays: -30, maxDays: -1 }, { minDays: 5, maxDays: 5 }]) {
      for (let i = 0; i < 200; i++) {
        const d = patientShiftDays(key, `patient-${i}`, range);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(range.minDays);
        expect(d).toBeLessThanOrEqual(range.maxDays);
        expect(patientShiftDays(key, `patient-${i}`, range)).toBe(d);
      }
    }
    expect(patientShiftDays(key, 'x', { minDays: 5, maxDays: 5 })).toBe(5);
  });

  it('differs between patients and between keys (not a constant offset)', () => {
    const shifts = new Set(
      Array.from({ length: 100 }, (_, i) => patientShiftDays(key, `p${i}`, DEFAULT_DATE_SHIFT)),
    );
    expect(shifts.size).toBeGreaterThan(90);
    let differ = 0;
    for (let i = 0; i < 50; i++) {
      if (
        patientShiftDays(key, `p${i}`, DEFAULT_DATE_SHIFT) !==
        patientShiftDays(otherKey, `p${i}`, DEFAULT_DATE_SHIFT)
      )
        differ++;
    }
    expect(differ).toBeGreaterThan(45);
  });

  it('spreads over the whole range', () => {
    const range = { minDays: -10, maxDays: 10 };
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => patientShiftDays(key, `q${i}`, range)));
    expect(seen.size).toBe(21);
  });
});
