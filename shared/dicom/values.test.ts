import { describe, expect, it } from 'vitest';
import { withoutPadding } from './values.js';

describe('withoutPadding', () => {
  it('drops trailing spaces and NULs, keeping leading spaces and inner ones', () => {
    expect(withoutPadding('  SMITH JOHN \0 ', 'LO')).toBe('  SMITH JOHN');
    expect(withoutPadding('   ', 'SH')).toBe('');
    expect(withoutPadding('', 'LO')).toBe('');
    expect(withoutPadding('DOE', 'PN')).toBe('DOE');
  });

  it('drops only NULs from a UID, whose space is no padding', () => {
    expect(withoutPadding('1.2.3\0\0', 'UI')).toBe('1.2.3');
    expect(withoutPadding('1.2.3 ', 'UI')).toBe('1.2.3 ');
    expect(withoutPadding('1.2.3 \0', 'UI')).toBe('1.2.3 ');
  });
});
