import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubstringSet } from './substring-set.js';

const plainly = (strings: readonly string[], text: string) => strings.some((s) => text.includes(s));

// Few letters, so that strings often do occur in the texts; and units beyond Latin-1 and surrogate halves.
const unit = fc.constantFrom('a', 'b', 'c', '.', '2', ' ', 'é', '山', '\ud83d', '\ude00');
const word = (min: number, max: number) =>
  fc.array(unit, { minLength: min, maxLength: max }).map((u) => u.join(''));
// Many units, so that a large set's strings seldom occur in a text by chance.
const rich = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.^ é山'.split(''), '\ud83d', '\ude00');
const richWord = (min: number, max: number) =>
  fc.array(rich, { minLength: min, maxLength: max }).map((u) => u.join(''));

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

  it('answers so too for a set large enough to be looked up by where its strings start', () => {
    fc.assert(
      fc.property(
        fc.array(richWord(1, 12), { minLength: 65, maxLength: 200 }),
        fc.array(fc.tuple(richWord(0, 10), fc.nat(), richWord(0, 10), fc.boolean()), { maxLength: 8 }),
        (strings, pieces) => {
          const set = new SubstringSet(strings);
          // Half the texts hold one of the strings, between random units; the others are random.
          for (const [before, pick, after, holds] of pieces) {
            const text = holds ? `${before}${strings[pick % strings.length]}${after}` : `${before}${after}`;
            expect(set.inside(text)).toBe(plainly(strings, text));
          }
        },
      ),
      { numRuns: 500 },
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
    // Thousands of UIDs that begin alike, as a file of many items names them: each is found, one digit
    // short or off is not.
    const uids = Array.from({ length: 3000 }, (_, i) => `2.25.${1000003 * (i + 1)}`);
    const referenced = new SubstringSet(uids);
    for (const uid of uids) {
      expect(referenced.inside(`ref ${uid} seen`)).toBe(true);
      expect(referenced.inside(uid)).toBe(true);
    }
    // Strings of exactly the prefix's length, ending a text.
    const eight = Array.from({ length: 100 }, (_, i) => `code${String(i).padStart(4, '0')}`);
    const codes = new SubstringSet(eight);
    for (const code of eight) expect(codes.inside(`see ${code}`)).toBe(true);
    expect(codes.inside('see code010')).toBe(false);
    for (const text of ['ref 2.25.1000003 ', 'ref 2.25.100000 ', 'ref 2.25.1000004 '])
      expect(referenced.inside(text)).toBe(plainly(uids, text));
  });
});
