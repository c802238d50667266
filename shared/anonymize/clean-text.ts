import type { Identifier } from './identifiers.js';

export const REMOVED = '[removed]';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Dates written the ways people type them in comments: 20240131, 2024-01-31, 31.01.2024, 01/31/2024.
const DATE_LIKE =
  /\b(?:(?:19|20)\d{2}[-/.]?(?:0[1-9]|1[0-2])[-/.]?(?:0[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:19|20)\d{2}|(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12]\d|3[01])\/(?:19|20)\d{2})\b/g;

/**
 * A matcher for one dataset's identifiers, longest first so "Jane Doe" goes before "Jane". Matches are
 * case-insensitive and bounded by non-letters so that "Ann" does not eat "Annual".
 */
export function identifierPattern(identifiers: readonly Identifier[]): RegExp | undefined {
  const texts = [...new Set(identifiers.map((i) => i.text))].sort((a, b) => b.length - a.length);
  if (texts.length === 0) return undefined;
  // The look-ahead also refuses '.digit' so a UID is never matched as the prefix of a longer UID.
  return new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${texts.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}]|\\.\\d)`,
    'giu',
  );
}

/**
 * Clean (action C) for text: every identifying value of the dataset and every date-like string is
 * replaced, wherever it stands, leaving the rest of the description readable. `replacement` decides
 * what a matched identifier becomes (a UID becomes its remapped UID, so the reference survives).
 */
export function cleanText(
  text: string,
  pattern: RegExp | undefined,
  replacement: (match: string) => string,
): string {
  let out = pattern ? text.replace(pattern, replacement) : text;
  out = out.replace(DATE_LIKE, REMOVED);
  return out;
}
