import { wholeToken } from './text-technical.js';

/**
 * Checks what a profile adds to a technical-text allow list, in plain words for the person who wrote it.
 * A pattern runs on every token of every frame read, so it must be cheap in the worst case; and whatever it
 * matches is kept on the image, so it must not match the shape of a name, a date or an ID. Identity rules
 * still run first (the file's own identifiers, labels, dates, long numbers), but a pattern that keeps names
 * or dates would keep every one those rules do not know.
 */

export const MAX_PATTERN_LENGTH = 100;
export const MAX_WORD_LENGTH = 32;
// Unbounded repeats side by side cost a power of the token's length when a match fails.
const MAX_UNBOUNDED = 3;
// A bounded repeat above this costs like an unbounded one.
const LARGE_REPEAT = 16;

// Invented examples of identity, one of each shape: a pattern matching any of them would keep such text.
const PROBES: readonly (readonly [kind: string, examples: readonly string[]])[] = [
  [
    'a name',
    ['Smith', 'DESAI', 'Priya', 'Nguyen', 'Okafor', 'Kowalski', "O'Brien", 'Smith-Jones', 'Ann', 'Li'],
  ],
  ['a date', ['17/03/1984', '03/17/1984', '1984-03-17', '17.03.84', '17-Mar-1984', '17MAR1984', '19840317']],
  ['a time', ['10:42', '10:42:17']],
  ['an ID', ['MRN9567370', '9567370', 'AB123456', 'A1234567', '123-45-6789', 'ACC39547072', 'S204229']],
];

/** Why a word cannot go on the list, or undefined when it can. */
export function allowWordProblem(word: string): string | undefined {
  if (word.trim() !== word || /\s/.test(word)) return 'a word is one token, without spaces';
  if (word.length === 0) return 'must not be empty';
  if (word.length > MAX_WORD_LENGTH) return `must be at most ${MAX_WORD_LENGTH} characters`;
  // Tokens are compared without their surrounding punctuation: such a word would never match.
  if (!/^[\p{L}\p{N}](?:.*[\p{L}\p{N}%°])?$/u.test(word)) return 'must begin with a letter or digit';
  return undefined;
}

/** Why a pattern cannot go on the list, or undefined when it can. */
export function allowPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  let compiled: RegExp;
  try {
    compiled = wholeToken([pattern]);
  } catch {
    return 'is not a valid regular expression';
  }
  const shape = shapeProblem(pattern);
  if (shape) return shape;
  if (compiled.test('')) return 'matches an empty token: it must ask for at least one character';
  for (const [kind, examples] of PROBES) {
    const hit = examples.find((e) => compiled.test(e));
    if (hit) return `would keep ${kind} (it matches "${hit}"): make it ask for what only technical text has`;
  }
  return undefined;
}

interface Group {
  repeats: boolean;
  branches: boolean;
}

/**
 * Refuses the constructs that can take exponential or high-power time on a failing token, and those a
 * whole-token pattern has no use for: a repeated group that itself repeats or branches ((a+)+, (a|ab)*),
 * more than three unbounded repeats, back-references, look-arounds, named groups and anchors.
 */
function shapeProblem(pattern: string): string | undefined {
  const stack: Group[] = [{ repeats: false, branches: false }];
  let unbounded = 0;
  // The group just closed, while a quantifier may follow it.
  let closed: Group | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const top = stack[stack.length - 1]!;
    const quantifier = quantifierAt(pattern, i);
    if (quantifier) {
      if (closed && quantifier.max > 1 && (closed.repeats || closed.branches))
        return 'repeats a group that itself repeats or has alternatives, which can take very long on some text';
      if (quantifier.max > LARGE_REPEAT && ++unbounded > MAX_UNBOUNDED)
        return `has more than ${MAX_UNBOUNDED} open-ended repeats, which can take very long on some text`;
      top.repeats = true;
      closed = undefined;
      i += quantifier.length - 1;
      // A lazy or possessive mark after the quantifier.
      if (pattern[i + 1] === '?') i++;
      continue;
    }
    closed = undefined;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return 'must not refer back to a group (\\1, \\k<name>)';
      if (/[pPu]/.test(next) && pattern[i + 2] === '{') i = pattern.indexOf('}', i);
      else i++;
    } else if (ch === '[') {
      i = classEnd(pattern, i);
    } else if (ch === '(') {
      if (/^\(\?<?[=!]/.test(pattern.slice(i))) return 'must not look ahead or behind ((?=, (?!, (?<=, (?<!)';
      // The patterns are joined into one expression, where two groups of one name would not compile.
      if (pattern.startsWith('(?<', i)) return 'must not name a group: (?<name>…)';
      stack.push({ repeats: false, branches: false });
      // (?: opens a group like ( does: its ? is no quantifier.
      if (pattern[i + 1] === '?') i += 2;
    } else if (ch === ')') {
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      parent.repeats ||= group.repeats;
      parent.branches ||= group.branches;
      closed = group;
    } else if (ch === '|') {
      top.branches = true;
    } else if (ch === '^' || ch === '$') {
      return 'needs no ^ or $: a pattern always matches a whole token';
    }
  }
  return undefined;
}

/** The quantifier starting at i, with its largest count (Infinity when open-ended). */
function quantifierAt(pattern: string, i: number): { length: number; max: number } | undefined {
  const ch = pattern[i];
  if (ch === '*' || ch === '+') return { length: 1, max: Number.POSITIVE_INFINITY };
  if (ch === '?') return { length: 1, max: 1 };
  const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
  if (!m) return undefined;
  const max = m[2] === undefined ? Number(m[1]) : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY;
  return { length: m[0].length, max };
}

/** The index of the ] closing the character class opened at i (a valid pattern has one). */
function classEnd(pattern: string, i: number): number {
  for (let j = i + 1; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === ']') return j;
  }
  return pattern.length;
}
