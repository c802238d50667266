import type { Identifier } from '../anonymize/identifiers.js';
import type { Rect } from './regions.js';
import {
  editDistance,
  isTechnicalToken,
  type TechnicalAllowList,
  technicalAllowList,
} from './text-technical.js';

/**
 * Is burned-in text identity? Lines read from a frame are matched against this file's own identifiers
 * (the set the header cleaner and the residual check use) with tolerance for OCR's confusions, then against
 * rules that hold whatever the header says (dates, times, long numbers, ID-like tokens, a value after a
 * label such as "Name:" or "MRN:"). What is left is technical text the clinicians need, kept when every word
 * of it is on the modality's allow list; other legible text is redacted (when in doubt, redact).
 */

export interface OcrWord {
  readonly text: string;
  /** 0–100, as the reader reports it. */
  readonly confidence: number;
  readonly box: Rect;
}

export interface OcrLine {
  readonly words: readonly OcrWord[];
}

export type TextClass = 'identity' | 'technical' | 'undecided';

/** Why a piece of text was classed as it was: a code for counts and tests, never the text itself. */
export type TextReason =
  | 'identifier'
  | 'label'
  | 'date'
  | 'time'
  | 'digits'
  | 'id-like'
  | 'name-shaped'
  | 'unknown-text'
  | 'allowed'
  | 'unreadable-after-label';

export interface ClassifiedText {
  readonly cls: TextClass;
  readonly reason: TextReason;
  /** The words' box, padded a little and kept inside the image. */
  readonly box: Rect;
  /** What was read, for the person at the screen only: never logged or reported. */
  readonly text: string;
}

export interface ClassifyOptions {
  readonly width: number;
  readonly height: number;
  readonly modality?: string;
  /**
   * Replaces the modality's default allow list for keeping text (a profile's own). The identity rules
   * (ID-like tokens, a title before a name) judge by the default list, so no edit of a profile's can turn
   * them off: identity always wins over the allow list.
   */
  readonly allow?: TechnicalAllowList;
}

// Below this a reading that matches no rule is taken for texture, not text.
const NOISE_CONFIDENCE = 70;
// A label whose value reads worse than this may hide a value the box does not cover.
const UNREADABLE_VALUE = 45;

/** OCR's usual confusions folded to one character, applied to both sides before comparing. */
const CONFUSABLE: Record<string, string> = {
  O: '0',
  Q: '0',
  D: '0',
  I: '1',
  L: '1',
  '|': '1',
  '!': '1',
  J: '1',
  S: '5',
  B: '8',
  Z: '2',
  G: '6',
};

export function fold(text: string): string {
  let out = '';
  for (const ch of text.toUpperCase()) {
    if (/[\p{L}\p{N}]/u.test(ch)) out += CONFUSABLE[ch] ?? ch;
    else if (ch === '|' || ch === '!') out += '1';
  }
  return out;
}

const plain = (text: string) => text.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Edits allowed when matching a folded string of this length: tuned on the synthetic set. */
export function allowedEdits(length: number): number {
  if (length >= 9) return 2;
  if (length >= 5) return 1;
  return 0;
}

/** Smallest edit distance between `pattern` and any substring of `text` (Sellers' algorithm). */
export function substringDistance(pattern: string, text: string): number {
  const m = pattern.length;
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let i = 0; i <= m; i++) prev[i] = i;
  let best = prev[m]!;
  for (let j = 1; j <= text.length; j++) {
    cur[0] = 0;
    for (let i = 1; i <= m; i++) {
      const cost = pattern[i - 1] === text[j - 1] ? 0 : 1;
      cur[i] = Math.min(prev[i - 1]! + cost, prev[i]! + 1, cur[i - 1]! + 1);
    }
    best = Math.min(best, cur[m]!);
    [prev, cur] = [cur, prev];
  }
  return best;
}

interface Needle {
  readonly folded: string;
  /** Letters and digits as written, upper case: short needles are compared unfolded ("LI" is not "11"). */
  readonly plain: string;
  /** Short needles must be a whole word; long ones may sit inside a run of glued words. */
  readonly wholeWord: boolean;
}

/** This file's identifiers, prepared once for fuzzy matching against every line of every frame. */
export class IdentityNeedles {
  private readonly needles: readonly Needle[];

  constructor(identifiers: readonly Identifier[]) {
    const out = new Map<string, Needle>();
    const add = (text: string, wholeWord: boolean) => {
      const folded = fold(text);
      if (folded.length < 2) return;
      const known = out.get(folded);
      if (!known || (known.wholeWord && !wholeWord))
        out.set(folded, { folded, plain: plain(text), wholeWord });
    };
    for (const { kind, text } of identifiers) {
      if (kind === 'uid') continue;
      if (kind === 'date') {
        for (const form of dateDigitForms(text)) add(form, false);
        continue;
      }
      // Folding makes short strings collide (JONES and "Kidney Lo" differ by one letter once folded): they
      // must be a whole word; only long ones are searched inside runs of glued words.
      add(text, fold(text).length < 7);
      // Places are found by their distinctive words too: a line may hold only "Riverside".
      if (kind === 'place') {
        for (const word of text.split(/[\s,.'-]+/))
          if (word.length >= 5 && !PLACE_WORDS.has(word.toUpperCase())) add(word, fold(word).length < 7);
      }
    }
    this.needles = [...out.values()];
  }

  /** Does the text hold one of the identifiers, allowing for OCR's confusions? */
  matches(words: readonly string[]): boolean {
    // Whole-word needles are name parts: SMITH-JONES and O'BRIEN are compared by their parts too.
    const split = words.flatMap((w) => w.split(/[\^,;'’.-]+/));
    const folded = split.map(fold).filter((w) => w.length > 0);
    const plains = split.map(plain);
    const glued = folded.join('');
    return this.needles.some((n) => {
      const edits = allowedEdits(n.folded.length);
      if (n.folded.length < 4) return plains.includes(n.plain);
      if (n.wholeWord) return folded.some((w) => editDistance(w, n.folded) <= edits);
      return substringDistance(n.folded, glued) <= edits;
    });
  }
}

// Words every institution name has: alone they name no one.
const PLACE_WORDS = new Set([
  'HOSPITAL',
  'CENTER',
  'CENTRE',
  'MEDICAL',
  'CLINIC',
  'IMAGING',
  'HEALTH',
  'UNIVERSITY',
  'RADIOLOGY',
  'DEPARTMENT',
  'INSTITUTE',
  'GENERAL',
  'SAINT',
]);

/** A birth date (YYYYMMDD) in the digit orders people write it, two- and four-digit years. */
function dateDigitForms(date: string): string[] {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(date.replace(/\D/g, ''));
  if (!m) return [];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const yy = y.slice(2);
  return [`${y}${mo}${d}`, `${d}${mo}${y}`, `${mo}${d}${y}`, `${d}${mo}${yy}`, `${mo}${d}${yy}`];
}

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
const DATE_PATTERNS = [
  /\b\d{1,4}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}\b/,
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?[\\s.-]*${MONTH}[\\s.,-]*\\d{2,4}\\b`, 'i'),
  new RegExp(`\\b${MONTH}\\s*\\d{1,2}(?:st|nd|rd|th)?,?\\s*\\d{2,4}\\b`, 'i'),
];
const TIME_PATTERN = /\b\d{1,2}\s?[:.]\s?\d{2}\s?:\s?\d{2}\b|\b\d{1,2}\s?:\s?\d{2}\b(?:\s?[AaPp][Mm])?/;

/** Letters OCR reads in place of digits, turned back into digits where they stand among digits. */
function digitise(text: string): string {
  const map: Record<string, string> = {
    O: '0',
    o: '0',
    D: '0',
    I: '1',
    l: '1',
    '|': '1',
    S: '5',
    B: '8',
    Z: '2',
  };
  return text.replace(/[OoDIl|SBZ](?=[\d/.:-]*\d)|(?<=\d[\d/.:-]*)[OoDIl|SBZ]/g, (c) => map[c] ?? c);
}

// Labels after which identity follows; the weak ones are also technical words (DR: dynamic range).
const LABELS = new Set([
  'NAME',
  'PATIENT',
  'PT',
  'PAT',
  'DOB',
  'BORN',
  'BIRTH',
  'MRN',
  'ID',
  'PID',
  'REF',
  'REFERRING',
  'PHYSICIAN',
  'SONOGRAPHER',
  'SONO',
  'OPERATOR',
  'TECH',
  'TECHNOLOGIST',
  'ACC',
  'ACCESSION',
  'INSTITUTION',
  'HOSPITAL',
  'DOCTOR',
]);
const WEAK_LABELS = new Set(['DR', 'OP', 'MR', 'MRS', 'MS']);
// Labels of an ID: what follows is one token, so where the reader found that token is where the ID is.
const ID_LABELS = new Set(['ID', 'MRN', 'PID', 'ACC', 'ACCESSION']);
// An ID token found but not read: at least this many characters, and a box this many times wider than high.
const ID_CHARACTERS = 5;
const ID_ASPECT = 2.5;

function isLabel(token: string): boolean {
  const t = token.toUpperCase().replace(/[^A-Z]/g, '');
  return (
    LABELS.has(t) || (t.length >= 5 && [...LABELS].some((l) => l.length >= 5 && editDistance(t, l) <= 1))
  );
}

/** A label read with confidence (a "label" made of texture proves nothing) and then text beyond it. */
function labelled(words: readonly OcrWord[], allow: TechnicalAllowList): boolean {
  const tokens = words.map((w) => w.text);
  for (let i = 0; i < tokens.length; i++) {
    if (words[i]!.confidence < NOISE_CONFIDENCE) continue;
    const t = tokens[i]!.toUpperCase().replace(/[^A-Z]/g, '');
    if (isLabel(t)) return true;
    if (WEAK_LABELS.has(t)) {
      const next = tokens[i + 1] ?? '';
      if (/^\p{L}{3,}/u.test(next) && !isTechnicalToken(next, allow)) return true;
    }
  }
  return false;
}

/**
 * An ID label read with confidence and then one long token, however badly read (a blocky screen font turns
 * MRN9567370 into letters and signs): the token's box is where the ID is, so it is cleaned, not held.
 */
function locatedId(words: readonly OcrWord[]): boolean {
  const i = words.findIndex(
    (w) => w.confidence >= NOISE_CONFIDENCE && ID_LABELS.has(w.text.toUpperCase().replace(/[^A-Z]/g, '')),
  );
  const value = i < 0 ? undefined : words[i + 1];
  return (
    value !== undefined &&
    value.text.replace(/\s/g, '').length >= ID_CHARACTERS &&
    value.box.width >= ID_ASPECT * value.box.height
  );
}

const NAME_SHAPED = /^\s*\p{Lu}[\p{L}'-]+\s*(?:,|\^)\s*\p{L}/u;

function genericReason(
  text: string,
  tokens: readonly string[],
  allow: TechnicalAllowList,
): TextReason | undefined {
  const digits = digitise(text);
  if (DATE_PATTERNS.some((p) => p.test(digits) || p.test(text))) return 'date';
  if (TIME_PATTERN.test(digits)) return 'time';
  if (/\d{5,}/.test(digits)) return 'digits';
  for (const t of tokens) {
    const core = t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (core.length >= 6 && /\d{4,}/.test(digitise(core)) && !isTechnicalToken(core, allow)) {
      return 'id-like';
    }
  }
  if (NAME_SHAPED.test(text)) return 'name-shaped';
  return undefined;
}

/**
 * Splits a reader's line where the words stand far apart: two corner annotations on one row are read as
 * one line, but each is its own text to keep or redact.
 */
function segments(line: OcrLine): OcrWord[][] {
  const out: OcrWord[][] = [];
  let current: OcrWord[] = [];
  const words = [...line.words].sort((a, b) => a.box.x - b.box.x);
  for (const w of words) {
    const last = current[current.length - 1];
    const gap = last ? w.box.x - (last.box.x + last.box.width) : 0;
    // A label starts a new piece: "Mag 1.4  Name: …" read as one line is technical text, then identity.
    if (last && (gap > 2 * Math.max(last.box.height, w.box.height) || isLabel(w.text))) {
      out.push(current);
      current = [];
    }
    current.push(w);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function union(words: readonly OcrWord[]): Rect {
  const x0 = Math.min(...words.map((w) => w.box.x));
  const y0 = Math.min(...words.map((w) => w.box.y));
  const x1 = Math.max(...words.map((w) => w.box.x + w.box.width));
  const y1 = Math.max(...words.map((w) => w.box.y + w.box.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Grows a box by a fifth of its height (at least 2 pixels) above and below, and by one and a half times
 * its height left and right: the reader's word boxes are tight and a misread end of a name may lie just outside them.
 * Clipped to the image.
 */
export function padBox(box: Rect, width: number, height: number): Rect {
  const py = Math.max(2, Math.round(box.height / 5));
  const px = Math.max(2, Math.round(box.height * 1.5));
  const x0 = Math.max(0, box.x - px);
  const y0 = Math.max(0, box.y - py);
  const x1 = Math.min(width, box.x + box.width + px);
  const y1 = Math.min(height, box.y + box.height + py);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function classifySegment(
  words: readonly OcrWord[],
  needles: IdentityNeedles,
  lists: { readonly builtIn: TechnicalAllowList; readonly allow: TechnicalAllowList },
): { cls: TextClass; reason: TextReason } | undefined {
  const { builtIn, allow } = lists;
  const tokens = words.flatMap((w) => w.text.split(/\s+/)).filter((t) => t.length > 0);
  const text = tokens.join(' ');
  if (!/[\p{L}\p{N}]/u.test(text)) return undefined;
  const confidence = words.reduce((s, w) => s + w.confidence, 0) / words.length;
  if (needles.matches(tokens)) return { cls: 'identity', reason: 'identifier' };
  if (labelled(words, builtIn)) {
    const value = words.filter((w) => !LABELS.has(w.text.toUpperCase().replace(/[^A-Z]/g, '')));
    const valueConfidence = value.length ? Math.min(...value.map((w) => w.confidence)) : 0;
    return valueConfidence < UNREADABLE_VALUE && !locatedId(words)
      ? { cls: 'undecided', reason: 'unreadable-after-label' }
      : { cls: 'identity', reason: 'label' };
  }
  const generic = genericReason(text, tokens, builtIn);
  if (generic) return { cls: 'identity', reason: generic };
  // OCR glues and clips words ("L5.65cm", "ney Long", "LAD 30 CRA"): technical when at least half the
  // pieces are and the others are too short to be a name.
  const pieces = tokens.flatMap((t) => t.split(/(?<=\p{L})(?=[\d.])|(?<=\d)(?=\p{L}{2})/u));
  const unknown = pieces.filter((t) => !isTechnicalToken(t, allow));
  if (unknown.length * 2 <= pieces.length && unknown.every((t) => t.replace(/[^\p{L}]/gu, '').length <= 3)) {
    return { cls: 'technical', reason: 'allowed' };
  }
  if (confidence < NOISE_CONFIDENCE) return undefined;
  return { cls: 'identity', reason: 'unknown-text' };
}

/** Classes every piece of text read from one frame; texture read as text (low confidence, no rule) is dropped. */
export function classifyText(
  lines: readonly OcrLine[],
  identifiers: IdentityNeedles,
  options: ClassifyOptions,
): ClassifiedText[] {
  const builtIn = technicalAllowList(options.modality);
  const lists = { builtIn, allow: options.allow ?? builtIn };
  const found: (ClassifiedText & { readonly tight: Rect })[] = [];
  for (const line of lines) {
    const pieces = segments(line).map((words) => ({
      words,
      verdict: classifySegment(words, identifiers, lists),
    }));
    // Part of a name read too poorly to be anything (SMITH-JONES^ before a clear MOHAMMED^S) goes with it.
    const identityLine = pieces.some((p) => p.verdict?.cls === 'identity');
    for (const { words, verdict: own } of pieces) {
      const verdict =
        own ?? (identityLine ? ({ cls: 'identity', reason: 'unknown-text' } as const) : undefined);
      if (!verdict) continue;
      const tight = union(words);
      found.push({
        ...verdict,
        tight,
        box: padBox(tight, options.width, options.height),
        text: words.map((w) => w.text).join(' '),
      });
    }
  }
  const kept = found.filter((t) => t.cls === 'technical').map((t) => t.tight);
  return found.map(({ tight, ...t }) =>
    t.cls === 'technical' ? t : { ...t, box: clipPadding(t.box, tight, kept) },
  );
}

/** The padding of a box to clean stops where technical text next to it begins, so that text stays legible. */
function clipPadding(box: Rect, tight: Rect, keep: readonly Rect[]): Rect {
  let [x0, y0, x1, y1] = [box.x, box.y, box.x + box.width, box.y + box.height];
  for (const k of keep) {
    const [kx1, ky1] = [k.x + k.width, k.y + k.height];
    if (k.x >= x1 || kx1 <= x0 || k.y >= y1 || ky1 <= y0) continue;
    if (k.y >= tight.y + tight.height) y1 = Math.min(y1, k.y);
    else if (ky1 <= tight.y) y0 = Math.max(y0, ky1);
    else if (k.x >= tight.x + tight.width) x1 = Math.min(x1, k.x);
    else if (kx1 <= tight.x) x0 = Math.max(x0, kx1);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
