import { describe, expect, it } from 'vitest';
import { OPTION_COLUMNS } from '../standard/profile-table.generated.js';
import {
  ALL_OPTIONS,
  assertValidOptions,
  BASIC_PROFILE_CODE,
  findOptionConflict,
  isOptionKey,
  methodCodes,
  OPTION_INFO,
  sortOptions,
} from './options.js';

describe('options', () => {
  it('are the ten Table E.1-1 option columns in column order, then Clean Pixel Data', () => {
    expect(ALL_OPTIONS).toEqual([
      'retainSafePrivate',
      'retainUIDs',
      'retainDeviceIdentity',
      'retainInstitutionIdentity',
      'retainPatientCharacteristics',
      'retainLongFullDates',
      'retainLongModifiedDates',
      'cleanDescriptors',
      'cleanStructuredContent',
      'cleanGraphics',
      'cleanPixelData',
    ]);
    expect(isOptionKey('retainUIDs')).toBe(true);
    expect(isOptionKey('RetainUIDs')).toBe(false);
  });

  it('each carry a one-line label and explanation and their CID 7050 code', () => {
    const values = new Set<string>();
    for (const key of ALL_OPTIONS) {
      const info = OPTION_INFO[key];
      expect(info.label.length).toBeGreaterThan(0);
      expect(info.explanation).not.toContain('\n');
      expect(info.explanation.length).toBeLessThan(160);
      expect(info.code.scheme).toBe('DCM');
      values.add(info.code.value);
    }
    expect([...values].sort()).toEqual([
      '113101',
      '113103',
      '113104',
      '113105',
      '113106',
      '113107',
      '113108',
      '113109',
      '113110',
      '113111',
      '113112',
    ]);
    expect(OPTION_INFO.retainUIDs.code).toEqual(OPTION_COLUMNS[1].cid7050Code);
    expect(OPTION_INFO.retainLongModifiedDates.code.meaning).toBe(
      'Retain Longitudinal Temporal Information Modified Dates Option',
    );
  });

  it('list the Basic Profile code first, then applied options in table order', () => {
    expect(BASIC_PROFILE_CODE).toEqual({
      scheme: 'DCM',
      value: '113100',
      meaning: 'Basic Application Confidentiality Profile',
    });
    expect(methodCodes([]).map((c) => c.value)).toEqual(['113100']);
    expect(methodCodes(['cleanDescriptors', 'retainUIDs']).map((c) => c.value)).toEqual([
      '113100',
      '113110',
      '113105',
    ]);
  });

  it('sort into table order without duplicates', () => {
    expect(sortOptions(['cleanGraphics', 'retainUIDs', 'cleanGraphics'])).toEqual([
      'retainUIDs',
      'cleanGraphics',
    ]);
  });

  it('reject full dates together with modified dates', () => {
    const both = new Set(['retainLongFullDates', 'retainLongModifiedDates'] as const);
    expect(findOptionConflict(both)).toEqual(['retainLongFullDates', 'retainLongModifiedDates']);
    expect(() => assertValidOptions(both)).toThrow(/retainLongFullDates and retainLongModifiedDates/);
    expect(
      findOptionConflict(new Set(ALL_OPTIONS.filter((k) => k !== 'retainLongFullDates'))),
    ).toBeUndefined();
  });
});
