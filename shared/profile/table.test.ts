import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_ROWS } from '../standard/profile-table.generated.js';
import { PRIVATE_ROW, PROFILE_EDITION, PROFILE_ROW_COUNT, profileRowFor } from './table.js';

const row = (tag: number) => profileRowFor(tag);

describe('Table E.1-1', () => {
  it('has the 657 rows of the 2026d edition with the published Basic Profile code counts', () => {
    expect(PROFILE_EDITION).toBe('2026d');
    expect(PROFILE_ROW_COUNT).toBe(657);
    const counts: Record<string, number> = {};
    for (const r of PROFILE_ROWS) counts[r.basic] = (counts[r.basic] ?? 0) + 1;
    expect(counts).toEqual({
      Z: 42,
      X: 417,
      'X/Z': 11,
      'X/Z/D': 8,
      'X/D': 23,
      D: 93,
      U: 55,
      'Z/D': 6,
      'X/Z/U*': 2,
    });
  });

  it('finds every exact row by its own tag', () => {
    for (const r of PROFILE_ROWS.filter((x) => x.match.kind === 'exact')) {
      const tag = Number.parseInt(r.tag.replace(/[(),]/g, ''), 16);
      expect(row(tag)).toBe(r);
    }
  });

  it.each([
    [0x00100010, 'PatientName', 'Z'],
    [0x00100020, 'PatientID', 'Z/D'],
    [0x00080080, 'InstitutionName', 'X/Z/D'],
    [0x0020000d, 'StudyInstanceUID', 'U'],
    [0x00080020, 'StudyDate', 'Z'],
    [0x00101010, 'PatientAge', 'X'],
    [0x00081030, 'StudyDescription', 'X'],
    [0x00081140, 'ReferencedImageSequence', 'X/Z/U*'],
  ])('(%s) is %s with Basic code %s', (tag, keyword, basic) => {
    expect(row(tag)).toMatchObject({ keyword, basic });
  });

  it('leaves unlisted standard attributes to the caller', () => {
    expect(row(0x00280010)).toBeUndefined(); // Rows
    expect(row(0x7fe00010)).toBeUndefined(); // Pixel Data
  });
});

describe('repeating groups', () => {
  const overlayData = PROFILE_ROWS.find((r) => r.tag === '(60xx,3000)')!;
  const curveData = PROFILE_ROWS.find((r) => r.tag === '(50xx,xxxx)')!;

  it('(60xx,3000) covers the even groups 6000-601E only', () => {
    expect(row(0x60003000)).toBe(overlayData);
    expect(row(0x60023000)).toBe(overlayData);
    expect(row(0x601e3000)).toBe(overlayData);
    expect(row(0x60203000)).toBeUndefined();
    expect(row(0x60013000)).not.toBe(overlayData);
    expect(row(0x60004000)?.keyword).toBe('OverlayComments');
    expect(row(0x60000010)).toBeUndefined(); // Overlay Rows is not in the table
  });

  it('(50xx,xxxx) covers every element of the even groups 5000-501E', () => {
    expect(row(0x50000010)).toBe(curveData);
    expect(row(0x501effff)).toBe(curveData);
    expect(row(0x50200010)).toBeUndefined();
  });
});

describe('private attributes', () => {
  it('uses the private row for odd groups above 0008, including odd repeating groups', () => {
    expect(PRIVATE_ROW).toMatchObject({
      tag: '(gggg,eeee)',
      basic: 'X',
      options: { retainSafePrivate: 'C' },
    });
    for (const tag of [0x00091010, 0x00290010, 0x00291010, 0x60013000, 0x50010010, 0x7fd11001]) {
      expect(row(tag)).toBe(PRIVATE_ROW);
    }
  });

  it('does not treat the reserved odd groups 0001-0007 as private', () => {
    for (const group of [0x0001, 0x0003, 0x0005, 0x0007])
      expect(row(((group << 16) | 0x0010) >>> 0)).toBeUndefined();
  });

  it('gives even groups never the private row and odd groups above 0008 always', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        (group, element) => {
          const result = row(((group << 16) | element) >>> 0);
          if (group % 2 === 0) expect(result).not.toBe(PRIVATE_ROW);
          else if (group > 0x0008) expect(result).toBe(PRIVATE_ROW);
        },
      ),
    );
  });
});
