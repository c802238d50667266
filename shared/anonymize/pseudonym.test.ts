import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFromBytes } from './key.js';
import { hashValue, pseudonymFor } from './pseudonym.js';

const key = keyFromBytes(new Uint8Array(32).fill(4));
const otherKey = keyFromBytes(new Uint8Array(32).fill(5));

describe('pseudonymFor', () => {
  it('derives an ID and a name from the key and the original ID', () => {
    const p = pseudonymFor(key, 'PAT-001');
    expect(p.patientId).toMatch(/^ANON-[A-Z2-9]{10}$/);
    expect(p.patientName).toMatch(/^ANONYMOUS\^[A-Z2-9]{10}$/);
    expect(p.patientName.split('^')[1]).toBe(p.patientId.slice(5));
    // Fits LO (64) and PN (64 per component group).
    expect(p.patientId.length).toBeLessThanOrEqual(64);
    expect(p.patientName.length).toBeLessThanOrEqual(64);
  });

  it('is deterministic and ignores padding of the original ID', () => {
    expect(pseudonymFor(key, 'PAT-001')).toEqual(pseudonymFor(key, 'PAT-001'));
    expect(pseudonymFor(key, 'PAT-001 ')).toEqual(pseudonymFor(key, 'PAT-001'));
  });

  it('depends on the key', () => {
    expect(pseudonymFor(key, 'PAT-001').patientId).not.toBe(pseudonymFor(otherKey, 'PAT-001').patientId);
  });

  it('differs between patients (property) and never contains the original', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        (a, b) => {
          const pa = pseudonymFor(key, a);
          if (a.trim() !== b.trim()) expect(pseudonymFor(key, b).patientId).not.toBe(pa.patientId);
          if (a.trim().length >= 3) expect(pa.patientId).not.toContain(a.trim());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes the crosswalk pseudonym when the original ID is listed (trimmed)', () => {
    const crosswalk = new Map([['PAT-001', 'STUDY-17']]);
    expect(pseudonymFor(key, 'PAT-001', crosswalk)).toEqual({
      patientId: 'STUDY-17',
      patientName: 'STUDY-17',
    });
    expect(pseudonymFor(key, ' PAT-001 ', crosswalk).patientId).toBe('STUDY-17');
    // Not listed: the keyed pseudonym.
    expect(pseudonymFor(key, 'PAT-002', crosswalk)).toEqual(pseudonymFor(key, 'PAT-002'));
    // The crosswalk does not depend on the key.
    expect(pseudonymFor(otherKey, 'PAT-001', crosswalk).patientId).toBe('STUDY-17');
  });
});

describe('hashValue', () => {
  it('is a 16-character keyed code, deterministic and key-dependent', () => {
    const h = hashValue(key, 'Jane Doe');
    expect(h).toMatch(/^[A-Z2-9]{16}$/);
    expect(hashValue(key, 'Jane Doe')).toBe(h);
    expect(hashValue(otherKey, 'Jane Doe')).not.toBe(h);
    expect(hashValue(key, 'Jane Doe2')).not.toBe(h);
  });

  it('is not the pseudonym of the same text (purposes are separated)', () => {
    expect(pseudonymFor(key, 'PAT-001').patientId.slice(5)).not.toBe(hashValue(key, 'PAT-001').slice(0, 10));
  });
});
