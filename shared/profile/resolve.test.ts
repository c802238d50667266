import { describe, expect, it } from 'vitest';
import { PROFILE_ROWS, type ProfileRow } from '../standard/profile-table.generated.js';
import { findOptionConflict, TABLE_OPTIONS, type TableOptionKey } from './options.js';
import { describeAction, type ResolvedAction, resolveAction } from './resolve.js';
import { profileRowFor } from './table.js';

const SINGLE: ReadonlyArray<ResolvedAction> = ['D', 'Z', 'X', 'K', 'C', 'U', 'KEEP_SEQUENCE_REMAP'];

const action = (tag: number, ...options: TableOptionKey[]) =>
  resolveAction(profileRowFor(tag)!, new Set(options));

// Every subset of the ten options that may be applied together (768 of 1024).
const VALID_OPTION_SETS: ReadonlyArray<ReadonlySet<TableOptionKey>> = Array.from(
  { length: 1 << TABLE_OPTIONS.length },
  (_, bits) => new Set(TABLE_OPTIONS.filter((_, i) => bits & (1 << i))),
).filter((set) => !findOptionConflict(set));

describe('resolveAction spot checks', () => {
  it.each<[string, number, TableOptionKey[], ResolvedAction]>([
    ['Patient Name', 0x00100010, [], 'Z'],
    ['Patient ID (Z/D)', 0x00100020, [], 'D'],
    ['Institution Name (X/Z/D)', 0x00080080, [], 'D'],
    ['Institution Name with Retain Institution Identity', 0x00080080, ['retainInstitutionIdentity'], 'K'],
    ['Study Instance UID', 0x0020000d, [], 'U'],
    ['Study Instance UID with Retain UIDs', 0x0020000d, ['retainUIDs'], 'K'],
    ['Study Date', 0x00080020, [], 'Z'],
    ['Study Date with full dates', 0x00080020, ['retainLongFullDates'], 'K'],
    ['Study Date with modified dates', 0x00080020, ['retainLongModifiedDates'], 'C'],
    ['Acquisition Date (X/Z)', 0x00080022, [], 'Z'],
    ['Series Date (X/D)', 0x00080021, [], 'D'],
    ['Patient Age', 0x00101010, [], 'X'],
    ['Patient Age with Retain Patient Characteristics', 0x00101010, ['retainPatientCharacteristics'], 'K'],
    ['Study Description', 0x00081030, [], 'X'],
    ['Study Description with Clean Descriptors', 0x00081030, ['cleanDescriptors'], 'C'],
    ['Referenced Image Sequence (X/Z/U*)', 0x00081140, [], 'KEEP_SEQUENCE_REMAP'],
    ['Referenced Image Sequence with Retain UIDs', 0x00081140, ['retainUIDs'], 'K'],
    ['Overlay Data', 0x60023000, [], 'X'],
    ['Overlay Data with Clean Graphics', 0x60023000, ['cleanGraphics'], 'C'],
    ['a private attribute', 0x00291010, [], 'X'],
    ['a private attribute with Retain Safe Private', 0x00291010, ['retainSafePrivate'], 'C'],
    [
      'Patient Name with every option but full dates',
      0x00100010,
      TABLE_OPTIONS.filter((k) => k !== 'retainLongFullDates'),
      'Z',
    ],
  ])('%s', (_, tag, options, expected) => {
    expect(action(tag, ...options)).toBe(expected);
  });

  it('ignores options whose column is empty for the row', () => {
    expect(action(0x00100010, 'retainUIDs', 'retainDeviceIdentity')).toBe('Z');
  });

  it('cleans rather than keeps when two selected options disagree (device calibration dates)', () => {
    const dateOfLastCalibration = 0x00181200;
    expect(profileRowFor(dateOfLastCalibration)!.options).toMatchObject({
      retainDeviceIdentity: 'K',
      retainLongModifiedDates: 'C',
    });
    expect(action(dateOfLastCalibration, 'retainDeviceIdentity')).toBe('K');
    expect(action(dateOfLastCalibration, 'retainDeviceIdentity', 'retainLongModifiedDates')).toBe('C');
    expect(action(dateOfLastCalibration, 'retainDeviceIdentity', 'retainLongFullDates')).toBe('K');
  });

  it('throws for options that cannot be combined', () => {
    expect(() => action(0x00080020, 'retainLongFullDates', 'retainLongModifiedDates')).toThrow(
      /cannot be combined/,
    );
  });

  it('uses the first code of a conditional row that no standard IOD uses', () => {
    // Every conditional row of 2026d is used in a standard IOD, so the other branch needs a made-up row.
    const base = profileRowFor(0x00080080)!;
    const notInIod = (basic: ProfileRow['basic']): ProfileRow => ({
      ...base,
      basic,
      inStdCompIOD: false,
      options: {},
    });
    expect(resolveAction(notInIod('Z/D'), new Set())).toBe('Z');
    for (const code of ['X/Z', 'X/D', 'X/Z/D', 'X/Z/U*'] as const) {
      expect(resolveAction(notInIod(code), new Set())).toBe('X');
    }
  });
});

describe('resolveAction over the whole table', () => {
  it(`gives a single action for every row under all ${VALID_OPTION_SETS.length} valid option sets`, () => {
    const failures: string[] = [];
    for (const row of PROFILE_ROWS) {
      const basicOnly = resolveAction(row, new Set());
      for (const options of VALID_OPTION_SETS) {
        const result = resolveAction(row, options);
        const optionCodes = [...options].map((key) => row.options[key]).filter((code) => code !== undefined);
        // Keeping or cleaning the original value only ever comes from a selected option's column;
        // without such a code the row gets its Basic Profile action.
        const ok =
          SINGLE.includes(result) &&
          (result === 'K' || result === 'C'
            ? optionCodes.includes(result)
            : optionCodes.length === 0 && result === basicOnly);
        if (!ok) failures.push(`${row.tag} [${[...options].join(',')}] -> ${result}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('with no options never keeps or cleans: the Basic Profile removes or replaces everything it lists', () => {
    const counts: Record<string, number> = {};
    for (const row of PROFILE_ROWS) {
      const result = resolveAction(row, new Set());
      counts[result] = (counts[result] ?? 0) + 1;
    }
    // X 417; Z 42 + X/Z 11; D 93 + Z/D 6 + X/D 23 + X/Z/D 8; U 55; X/Z/U* 2.
    expect(counts).toEqual({ X: 417, Z: 53, D: 130, U: 55, KEEP_SEQUENCE_REMAP: 2 });
  });
});

describe('describeAction', () => {
  it('has a distinct plain-English line for every action', () => {
    const lines = SINGLE.map(describeAction);
    expect(new Set(lines).size).toBe(SINGLE.length);
    for (const line of lines) expect(line).toMatch(/^[A-Z][^\n]+$/);
    expect(describeAction('X')).toMatch(/remove/i);
  });
});
