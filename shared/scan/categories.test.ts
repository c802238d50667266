import { describe, expect, it } from 'vitest';
import { parseTag } from '../dicom/tag.js';
import { profileRowFor } from '../profile/table.js';
import { PROFILE_ROWS } from '../standard/profile-table.generated.js';
import { CATEGORIES, CATEGORY_IDS, type CategoryId, categoryLabel, categoryOf } from './categories.js';

const categoryOfTag = (text: string): CategoryId => categoryOf(profileRowFor(parseTag(text)!)!);

describe('PHI categories derived from Table E.1-1', () => {
  it('puts every row of the table in a category, and every category has rows', () => {
    expect(PROFILE_ROWS).toHaveLength(657);
    const used = new Set(PROFILE_ROWS.map(categoryOf));
    for (const row of PROFILE_ROWS) expect(CATEGORY_IDS).toContain(categoryOf(row));
    expect([...used].sort()).toEqual([...CATEGORY_IDS].sort());
  });

  it.each([
    ['(0010,0010)', 'patient-identity'], // PatientName
    ['(0010,0020)', 'patient-identity'], // PatientID
    ['(0010,1002)', 'patient-identity'], // OtherPatientIDsSequence
    ['(0010,1060)', 'patient-identity'], // PatientMotherBirthName: a name, though it says Birth
    ['(0010,0030)', 'patient-characteristics'], // PatientBirthDate
    ['(0010,0040)', 'patient-characteristics'], // PatientSex
    ['(0010,1030)', 'patient-characteristics'], // PatientWeight
    ['(0008,0080)', 'institution'], // InstitutionName
    ['(0008,0081)', 'institution'], // InstitutionAddress
    ['(0008,0090)', 'staff'], // ReferringPhysicianName
    ['(0008,1070)', 'staff'], // OperatorsName
    ['(0008,0020)', 'dates'], // StudyDate
    ['(0008,0030)', 'dates'], // StudyTime
    ['(0020,000D)', 'uids'], // StudyInstanceUID
    ['(0002,0003)', 'uids'], // MediaStorageSOPInstanceUID
    ['(0018,1000)', 'device'], // DeviceSerialNumber
    ['(0008,1010)', 'device'], // StationName
    ['(0008,1030)', 'free-text'], // StudyDescription
    ['(0020,4000)', 'free-text'], // ImageComments
    ['(0008,0050)', 'identifiers'], // AccessionNumber
    ['(0020,0010)', 'identifiers'], // StudyID
    ['(6000,3000)', 'graphics'], // OverlayData, (60xx,3000)
    ['(601E,4000)', 'graphics'], // OverlayComments
    ['(5000,0010)', 'graphics'], // a curve attribute, (50xx,xxxx)
    ['(0009,1001)', 'private'],
  ])('%s is %s', (tag, category) => {
    expect(categoryOfTag(tag)).toBe(category);
  });

  it('labels each category in plain English', () => {
    expect(categoryLabel('patient-characteristics')).toBe('Birth date and characteristics');
    expect(
      CATEGORIES.map((c) => c.label).every((label) => /^[A-Z][a-z ,]+[a-z]$/.test(label) || label === 'UIDs'),
    ).toBe(true);
  });
});
