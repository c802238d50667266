import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFromBytes } from './key.js';
import { isStandardUid, remapUid } from './uid-remap.js';

const key = keyFromBytes(new Uint8Array(32).fill(9));
const otherKey = keyFromBytes(new Uint8Array(32).fill(10));
const UID = /^2\.25\.(0|[1-9]\d*)$/;
const MAX_128 = (1n << 128n) - 1n;

const uidArb = fc
  .array(fc.oneof(fc.constant('0'), fc.bigInt({ min: 1n, max: 10n ** 20n }).map(String)), {
    minLength: 2,
    maxLength: 12,
  })
  .map((parts) => parts.join('.'))
  .filter((u) => u.length <= 64);

describe('remapUid', () => {
  it('gives 2.25. and the decimal of a 128-bit number, never longer than 64 characters', () => {
    const out = remapUid(key, '1.2.826.0.1.3680043.2.1125.1.1');
    expect(out).toMatch(UID);
    expect(out.length).toBeLessThanOrEqual(64);
    expect(BigInt(out.slice(5))).toBeLessThanOrEqual(MAX_128);
    // 2.25 + at most 39 digits.
    expect(out.length).toBeLessThanOrEqual(44);
  });

  it('is deterministic and ignores DICOM padding around the value', () => {
    expect(remapUid(key, '1.2.3.4')).toBe(remapUid(key, '1.2.3.4'));
    expect(remapUid(key, '1.2.3.4 ')).toBe(remapUid(key, '1.2.3.4'));
  });

  it('depends on the key', () => {
    expect(remapUid(key, '1.2.3.4')).not.toBe(remapUid(otherKey, '1.2.3.4'));
  });

  it('gives different UIDs for different inputs, including prefixes of each other', () => {
    const inputs = ['1.2.3', '1.2.3.4', '1.2.3.40', '1.2.34', '1.2.3.4.5', '2.25.1'];
    expect(new Set(inputs.map((u) => remapUid(key, u))).size).toBe(inputs.length);
  });

  it('never returns its input, even for a 2.25 UID', () => {
    const u = remapUid(key, '1.2.3');
    expect(remapUid(key, u)).not.toBe(u);
  });

  it('holds for random UIDs (property): valid, deterministic, key-dependent, injective in practice', () => {
    fc.assert(
      fc.property(uidArb, uidArb, (a, b) => {
        const ra = remapUid(key, a);
        expect(ra).toMatch(UID);
        expect(ra.length).toBeLessThanOrEqual(64);
        expect(BigInt(ra.slice(5))).toBeLessThanOrEqual(MAX_128);
        expect(remapUid(key, a)).toBe(ra);
        expect(remapUid(otherKey, a)).not.toBe(ra);
        expect(ra).not.toBe(a);
        if (a !== b) expect(remapUid(key, b)).not.toBe(ra);
      }),
      { numRuns: 500 },
    );
  });

  it('uses the whole 128-bit range (no leading-zero truncation bias in the format)', () => {
    const lengths = new Set(Array.from({ length: 300 }, (_, i) => remapUid(key, `1.2.${i}`).length));
    // 2^128 has 39 digits; most values have 38 or 39.
    expect([...lengths].every((n) => n >= 5 + 30 && n <= 44)).toBe(true);
    expect(lengths.has(44) || lengths.has(43)).toBe(true);
  });
});

describe('isStandardUid', () => {
  it('recognises the standard root only', () => {
    expect(isStandardUid('1.2.840.10008.5.1.4.1.1.2')).toBe(true);
    expect(isStandardUid('1.2.840.10008.1.2.1')).toBe(true);
    expect(isStandardUid('1.2.840.100081.2')).toBe(false);
    expect(isStandardUid('1.2.840.113619.2.55')).toBe(false);
    // A damaged value under the standard root is no standard UID: it is remapped, not copied.
    expect(isStandardUid('1.2.840.10008.')).toBe(false);
    expect(isStandardUid('1.2.840.10008.5.1\u00804')).toBe(false);
    expect(isStandardUid('1.2.840.10008.5.1.4 JANE')).toBe(false);
  });
});
