import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DigestTable, hexDigest, SeenTexts, type TextDigest, textDigest } from './digest-table.js';

describe('textDigest', () => {
  it('is the first 96 bits of the text’s UTF-8 SHA-256, lowest bit set, for any text', () => {
    const texts = ['', 'a', 'ANON-9BX3YGV6TT/2.25.1/2.25.2/2.25.3.dcm', 'Müller/路径/😀', 'x'.repeat(5000)];
    for (const text of texts) {
      const d = createHash('sha256').update(text, 'utf8').digest();
      expect(textDigest(text)).toEqual({ a: d.readInt32LE(0) | 1, b: d.readInt32LE(4), c: d.readInt32LE(8) });
    }
  });
});

describe('hexDigest', () => {
  it('takes a hex digest’s first 96 bits as they are, and hashes any other text', () => {
    const hex = createHash('sha256').update('input').digest('hex');
    const d = Buffer.from(hex, 'hex');
    expect(hexDigest(hex)).toEqual({ a: d.readInt32BE(0) | 1, b: d.readInt32BE(4), c: d.readInt32BE(8) });
    for (const text of ['k1', hex.toUpperCase(), hex.slice(0, 23), `x${hex}`])
      expect(hexDigest(text)).toEqual(textDigest(text));
  });
});

// Digests whose first words fall in a few slots, so probe runs collide, wrap past the end and grow.
const crowded = fc.record({
  a: fc.oneof(
    fc.integer({ min: 0, max: 40 }).map((n) => (n << 1) | 1),
    fc.constant(-1 | 1),
    fc.constant(1023),
  ),
  b: fc.integer({ min: 0, max: 3 }),
  c: fc.integer({ min: -2, max: 2 }),
});
const keyOf = (d: TextDigest) => `${d.a},${d.b},${d.c}`;

describe('DigestTable', () => {
  it('answers as a Map of the digests would, through inserts, replacements, deletions and growth', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        d: crowded,
        v: fc.integer(),
        w: fc.double({ noNaN: true }),
      }),
      fc.record({ kind: fc.constant('delete' as const), d: crowded }),
      fc.record({ kind: fc.constant('add' as const), d: crowded }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 200, maxLength: 3000 }),
        fc.array(crowded, { maxLength: 200 }),
        (ops, probes) => {
          const table = new DigestTable(2);
          const model = new Map<string, [number, number]>();
          for (const o of ops) {
            const k = keyOf(o.d);
            if (o.kind === 'set') {
              table.set(o.d, o.v, o.w);
              model.set(k, [o.v, o.w]);
            } else if (o.kind === 'delete') {
              expect(table.delete(o.d)).toBe(model.delete(k));
            } else {
              expect(table.add(o.d)).toBe(!model.has(k));
              if (!model.has(k)) model.set(k, [0, 0]);
            }
            expect(table.size).toBe(model.size);
          }
          for (const d of [...probes, ...ops.map((o) => o.d)]) {
            const want = model.get(keyOf(d));
            expect(table.has(d)).toBe(want !== undefined);
            expect(table.get(d, 0)).toBe(want?.[0]);
            expect(table.get(d, 1)).toBe(want?.[1]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('still finds an entry at its home slot after deleting one before it in the same run', () => {
    const table = new DigestTable(1);
    const [x1, x2, y] = [
      { a: 1, b: 1, c: 0 },
      { a: 1, b: 2, c: 0 },
      { a: 3, b: 0, c: 0 },
    ];
    table.set(x1, 1);
    table.set(x2, 2);
    table.set(y, 3);
    table.delete(x1);
    expect([table.get(x1), table.get(x2), table.get(y)]).toEqual([undefined, 2, 3]);
  });

  it('tells 200,000 texts apart after growing nine times', () => {
    const set = new DigestTable(0);
    let added = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(textDigest(`1.2.840.99999.${i}`))) added++;
    expect(added).toBe(200_000);
    expect(set.size).toBe(200_000);
    expect(set.add(textDigest('1.2.840.99999.123456'))).toBe(false);
    expect(set.has(textDigest('1.2.840.99999.200000'))).toBe(false);
  });
});

describe('SeenTexts', () => {
  it('tells a text met before from a new one, also long after the last few thousand', () => {
    const seen = new SeenTexts();
    const texts = Array.from({ length: 10_000 }, (_, i) => `1.2.3.${i}`);
    expect(texts.filter((t) => seen.add(t))).toEqual(texts);
    expect(texts.filter((t) => seen.add(t))).toEqual([]);
    expect([...texts].reverse().filter((t) => seen.add(t))).toEqual([]);
    expect(seen.add('1.2.3.10000')).toBe(true);
  });
});
