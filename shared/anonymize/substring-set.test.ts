import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubstringSet } from './substring-set.js';

const plainly = (strings: readonly string[], text: string) => strings.some((s) => text.includes(s));

// Few letters, so that strings often do occur in the texts; and units beyond Latin-1 and surrogate halves.
const unit = fc.constantFrom('a', 'b', 'c', '.', '2', ' ', 'é', '山', '\ud83d', '\ude00');
const word = (min: number, max: number) =>
  fc.array(unit, { minLength: min, maxLength: max }).map((u) => u.join(''));

describe('SubstringSet', () => {
  it('answers as a test of each string with includes would', () => {
    fc.assert(
      fc.property(
        fc.array(word(1, 6), { maxLength: 12 }),
        fc.array(word(0, 30), { maxLength: 8 }),
        (strings, texts) => {
          const set = new SubstringSet(strings);
          for (const text of texts) expect(set.inside(text)).toBe(plainly(strings, text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('finds a string at the very start and end of a text, and one that shares a hash with others', () => {
    const strings = ['smith', 'mary', '2.25.123', 'li'];
    const set = new SubstringSet(strings);
    for (const text of ['smith', 'x mary', 'ref 2.25.123', 'li', 'olive', 'smit', 'ary', '2.25.12', ''])
      expect(set.inside(text)).toBe(plainly(strings, text));
    // Many strings, so that bitmap bits collide: every one is still found, and nothing else.
    const many = Array.from({ length: 3000 }, (_, i) => `id${i.toString(36)}x`);
    const crowded = new SubstringSet(many);
    for (const s of many) expect(crowded.inside(`..${s}..`)).toBe(true);
    expect(crowded.inside('id-none-x and idzzzzx')).toBe(plainly(many, 'id-none-x and idzzzzx'));
  });
});
