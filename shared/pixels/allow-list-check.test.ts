import { describe, expect, it } from 'vitest';
import { allowPatternProblem, allowWordProblem } from './allow-list-check.js';
import { defaultAllowList, LIST_KEYS } from './text-technical.js';

describe('allowPatternProblem', () => {
  it('accepts every default pattern and plain technical patterns', () => {
    for (const key of LIST_KEYS)
      for (const pattern of defaultAllowList(key).patterns)
        expect(allowPatternProblem(pattern)).toBeUndefined();
    for (const pattern of ['\\d{2,3}/\\d{2,3}mmHg', 'EF\\d{2}%', 'LVOT', '(?:ab){2}', '(x)\\d+', 'x\\d+?'])
      expect(allowPatternProblem(pattern), pattern).toBeUndefined();
  });

  it.each([
    ['', /must not be empty/],
    ['x'.repeat(101), /at most 100 characters/],
    ['(abc', /not a valid regular expression/],
    ['.*', /matches an empty token/],
    ['\\d*', /matches an empty token/],
    ['.+', /would keep a name/],
    ['[a-z]+', /would keep a name/],
    ['\\w{2,}', /would keep a name/],
    ['\\d{1,2}/\\d{1,2}/\\d{2,4}', /would keep a date/],
    ['\\d{8}', /would keep a date/],
    ['\\d{1,2}:\\d{2}', /would keep a time/],
    ['[a-z]{2,3}\\d{6,}', /would keep an ID/],
    ['(a+)+b', /repeats a group that itself repeats/],
    ['(?:x|xy)*z', /repeats a group that itself repeats or has alternatives/],
    ['(?:\\d{1,3}){2,9}q', /repeats a group/],
    ['q\\d+r\\d+s\\d+t\\d+', /more than 3 open-ended repeats/],
    ['(x)\\1', /refer back/],
    ['x(?=y)y', /look ahead or behind/],
    ['(?<!y)x', /look ahead or behind/],
    ['(?<n>x)\\d+', /must not name a group/],
    ['^cm$', /needs no \^ or \$/],
  ])('refuses %j', (pattern, message) => {
    expect(allowPatternProblem(pattern)).toMatch(message);
  });

  it('refuses a catastrophic pattern before ever running it on a long token', () => {
    // Were it compiled and run, (a+)+b on 40 letters a would not finish.
    const started = Date.now();
    expect(allowPatternProblem('(a+)+b')).toBeDefined();
    expect(allowPatternProblem('(?:a|a)*b')).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('allowWordProblem', () => {
  it('accepts technical words', () => {
    for (const word of ['LVOT', 'EF', '2D', 'cm/s', 'T1-FLAIR', '50%'])
      expect(allowWordProblem(word)).toBeUndefined();
  });
  it.each([
    ['', /must not be empty/],
    ['TWO WORDS', /without spaces/],
    [' LVOT', /without spaces/],
    ['-LVOT', /begin with a letter or digit/],
    ['X'.repeat(33), /at most 32/],
  ])('refuses %j', (word, message) => {
    expect(allowWordProblem(word)).toMatch(message);
  });
});
