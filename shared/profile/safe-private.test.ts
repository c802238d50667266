import { describe, expect, it } from 'vitest';
import { SAFE_PRIVATE_ROWS } from '../standard/safe-private.generated.js';
import { isSafePrivate } from './safe-private.js';

describe('isSafePrivate (Table E.3.10-1)', () => {
  it('accepts listed attributes in whichever block the creator reserved', () => {
    // (7053,xx00) Philips PET Private Group: SUV Factor
    expect(isSafePrivate('Philips PET Private Group', 0x7053, 0x00)).toBe(true);
    // (0019,xx23) GEMS_ACQU_01: Table Speed
    expect(isSafePrivate('GEMS_ACQU_01', 0x0019, 0x23)).toBe(true);
  });

  it('matches rows published with lower-case hex such as (2001,xx0a)', () => {
    expect(isSafePrivate('Philips Imaging DD 001', 0x2001, 0x0a)).toBe(true);
    expect(isSafePrivate('Philips Imaging DD 001', 0x2001, 0xff)).toBe(true);
  });

  it('ignores trailing space padding of the creator, nothing else', () => {
    expect(isSafePrivate('GEMS_ACQU_01 ', 0x0019, 0x23)).toBe(true);
    expect(isSafePrivate(' GEMS_ACQU_01', 0x0019, 0x23)).toBe(false);
    expect(isSafePrivate('gems_acqu_01', 0x0019, 0x23)).toBe(false);
  });

  it('rejects unlisted elements, other groups and other creators', () => {
    expect(isSafePrivate('GEMS_ACQU_01', 0x0019, 0x22)).toBe(false);
    expect(isSafePrivate('GEMS_ACQU_01', 0x0021, 0x23)).toBe(false);
    expect(isSafePrivate('GEMS_ACQU_02', 0x0019, 0x23)).toBe(false);
    expect(isSafePrivate('SIEMENS CSA HEADER', 0x0029, 0x10)).toBe(false);
  });

  it('accepts every row of the table', () => {
    expect(SAFE_PRIVATE_ROWS).toHaveLength(479);
    for (const [pattern, creator] of SAFE_PRIVATE_ROWS) {
      const group = Number.parseInt(pattern.slice(0, 4), 16);
      const low = Number.parseInt(pattern.slice(6), 16);
      expect(isSafePrivate(creator, group, low)).toBe(true);
    }
  });
});
