import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTagPattern, isExactPattern, matchesPattern, parseTagPattern } from './tag-pattern.js';

describe('parseTagPattern', () => {
  it('reads exact tags in either notation, any case', () => {
    expect(parseTagPattern('(0008,1030)')).toEqual({ mask: 0xffffffff, value: 0x00081030 });
    expect(parseTagPattern(' 0008103e ')).toEqual({ mask: 0xffffffff, value: 0x0008103e });
    expect(parseTagPattern('(7fe0,0010)')?.value).toBe(0x7fe00010);
  });

  it('reads PS3.6 repeating-group wildcards in the low byte of group or element', () => {
    expect(parseTagPattern('(60xx,3000)')).toEqual({ mask: 0xff00ffff, value: 0x60003000 });
    expect(parseTagPattern('(0020,31XX)')).toEqual({ mask: 0xffffff00, value: 0x00203100 });
  });

  it.each([
    '(0008,10',
    '(0008,1030',
    '0008,1030',
    '(0008,103G)',
    '(x008,1030)',
    '(60x0,3000)',
    '',
    '(0008,1030)x',
  ])('rejects %j', (text) => expect(parseTagPattern(text)).toBeUndefined());

  it('formats back to what it parsed', () => {
    const half = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16).toUpperCase().padStart(4, '0')),
      fc.integer({ min: 0, max: 0xff }).map((n) => `${n.toString(16).toUpperCase().padStart(2, '0')}xx`),
    );
    fc.assert(
      fc.property(half, half, (group, element) => {
        const text = `(${group},${element})`;
        expect(formatTagPattern(parseTagPattern(text)!)).toBe(text);
      }),
    );
  });
});

describe('matchesPattern', () => {
  it('restricts group wildcards to the even repeating groups xx = 00-1E', () => {
    const overlay = parseTagPattern('(60xx,3000)')!;
    expect(isExactPattern(overlay)).toBe(false);
    expect(matchesPattern(overlay, 0x60103000)).toBe(true);
    expect(matchesPattern(overlay, 0x60113000)).toBe(false);
    expect(matchesPattern(overlay, 0x60203000)).toBe(false);
    expect(matchesPattern(overlay, 0x60103001)).toBe(false);
  });

  it('does not restrict element wildcards', () => {
    const sourceImageIds = parseTagPattern('(0020,31xx)')!;
    expect(matchesPattern(sourceImageIds, 0x002031ff)).toBe(true);
    expect(matchesPattern(sourceImageIds, 0x00203200)).toBe(false);
  });
});
