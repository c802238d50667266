import type { Identifier } from './identifiers.js';
import { SubstringSet } from './substring-set.js';

export const REMOVED = '[removed]';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Dates written the ways people type them in comments: 20240131, 2024-01-31, 31.01.2024, 01/31/2024.
const DATE_LIKE =
  /\b(?:(?:19|20)\d{2}[-/.]?(?:0[1-9]|1[0-2])[-/.]?(?:0[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}|(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01])\/(?:19|20)\d{2})\b/g;

// Dates with the month in words: 3 Feb 1961, 3rd February 1961, Feb 3, 1961, February 3rd 1961.
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const WORDED_DATE = new RegExp(
  `\\b(?:\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH},?\\s+(?:19|20)\\d{2}|${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+(?:19|20)\\d{2})\\b`,
  'gi',
);

// Scripts written without spaces between words: a name there is followed by a suffix (님, 様) or the next word.
const UNSPACED_SCRIPT = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}]/u;

/** Whether text is in a script without word spaces, where two characters already make a name. */
export const inUnspacedScript = (text: string): boolean => UNSPACED_SCRIPT.test(text);

/**
 * Finds one dataset's identifiers in text: case-insensitive, longest first so "Jane Doe" goes before
 * "Jane", and bounded by non-letters so that "Ann" does not eat "Annual" — except in scripts without word
 * spaces (Chinese, Japanese, Korean), where nothing bounds a name and it is found inside running text.
 * Most values hold none, so a plain substring test runs first and the (costly) patterns are built and
 * run only on a hit.
 */
export class IdentifierMatcher {
  private readonly texts: readonly string[];
  /** The texts in lower case, which a value in lower case is searched for. */
  private readonly lowered: SubstringSet;
  /** Two-letter name parts (LI, WU, NG) as written in names: `LI` or `Li`, never `li` inside prose. */
  private readonly shortForms: readonly string[];
  /** Identifiers in unspaced scripts, two characters or more: matched wherever they stand. */
  private readonly unspaced: readonly string[];
  private compiled: RegExp | undefined;
  private compiledShort: RegExp | undefined;
  private compiledUnspaced: RegExp | undefined;

  constructor(identifiers: readonly Identifier[]) {
    // In the order given: patterns() sorts them when it first needs them, which most files' values never
    // make it do. A text given twice (as two kinds) is kept twice: it matches as once, and a file's two
    // matchers are made from lists where that is rare, so no set is built to remove it.
    const texts: string[] = [];
    const unspaced: string[] = [];
    const shortForms = new Set<string>();
    for (const { text } of identifiers) {
      if (inUnspacedScript(text)) {
        if ([...text].length >= 2) unspaced.push(text);
      } else if (text.length >= 3) texts.push(text);
      else shortForms.add(text.toUpperCase()).add(text[0]!.toUpperCase() + text.slice(1).toLowerCase());
    }
    this.texts = texts;
    this.unspaced = unspaced;
    this.lowered = new SubstringSet([...texts, ...unspaced].map((t) => t.toLowerCase()));
    this.shortForms = [...shortForms];
  }

  get empty(): boolean {
    return this.texts.length === 0 && this.shortForms.length === 0 && this.unspaced.length === 0;
  }

  private mightContain(text: string): boolean {
    if (this.lowered.inside(text.toLowerCase())) return true;
    for (const s of this.shortForms) if (text.includes(s)) return true;
    return false;
  }

  private patterns(): RegExp[] {
    const alternatives = (texts: readonly string[]) => texts.map(escapeRegExp).join('|');
    // Where two identifiers start at one place, the whole of the longer one is taken.
    const longestFirst = (texts: readonly string[]) => [...texts].sort((a, b) => b.length - a.length);
    // The look-ahead also refuses '.digit' so a UID is never matched as the prefix of a longer UID.
    const bounded = (texts: readonly string[], flags: string) =>
      new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives(texts)})(?![\\p{L}\\p{N}]|\\.\\d)`, flags);
    if (this.texts.length > 0) this.compiled ??= bounded(longestFirst(this.texts), 'giu');
    if (this.shortForms.length > 0) this.compiledShort ??= bounded(this.shortForms, 'gu');
    if (this.unspaced.length > 0)
      this.compiledUnspaced ??= new RegExp(alternatives(longestFirst(this.unspaced)), 'giu');
    return [this.compiled, this.compiledShort, this.compiledUnspaced].filter(
      (re): re is RegExp => re !== undefined,
    );
  }

  /** The first identifier found in the text, as it stands there. */
  find(text: string): string | undefined {
    if (!this.mightContain(text)) return undefined;
    for (const re of this.patterns()) {
      re.lastIndex = 0;
      const m = re.exec(text);
      re.lastIndex = 0;
      if (m) return m[0];
    }
    return undefined;
  }

  replace(text: string, replacement: (match: string) => string): string {
    if (!this.mightContain(text)) return text;
    return this.patterns().reduce((out, re) => out.replace(re, replacement), text);
  }
}

/**
 * Clean (action C) for text: every identifying value of the dataset and every date-like string is
 * replaced, wherever it stands, leaving the rest of the description readable. `replacement` decides
 * what a matched identifier becomes (a UID becomes its remapped UID, so the reference survives).
 */
export function cleanText(
  text: string,
  matcher: IdentifierMatcher,
  replacement: (match: string) => string,
  scrubDates = true,
): string {
  const out = matcher.replace(text, replacement);
  // Every date-like form has two adjacent digits; most descriptions have none.
  return scrubDates && /\d\d/.test(out) ? out.replace(DATE_LIKE, REMOVED).replace(WORDED_DATE, REMOVED) : out;
}

/** Maximum characters per value (PS3.5 6.2) of the VRs that Clean may lengthen. */
const MAX_CHARS: Readonly<Record<string, number>> = { AE: 16, CS: 16, SH: 16, LO: 64, ST: 1024, LT: 10240 };

/**
 * Cleaned text made valid for its VR again: a replacement may be longer than what it replaced, so each
 * value is cut to the VR's maximum length, and a CS keeps only the characters CS allows.
 */
export function fitToVR(text: string, vr: string): string {
  const max = MAX_CHARS[vr];
  if (max === undefined) return text;
  const single = vr === 'ST' || vr === 'LT';
  const fitOne = (v: string) => {
    const s = vr === 'CS' ? v.toUpperCase().replace(/[^A-Z0-9 _]/g, '') : v;
    return [...s].slice(0, max).join('');
  };
  return single ? fitOne(text) : text.split('\\').map(fitOne).join('\\');
}
