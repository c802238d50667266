/**
 * Technical text clinicians need and the burned-in text detector keeps: probe and frequency, frame rate,
 * depth, gain, MI/TIS, measurements, orientation markers, acquisition parameters. One allow list per
 * modality, as plain words and whole-token patterns so that a profile can carry and edit its own.
 */
export interface TechnicalAllowList {
  /** Whole words, compared without case or surrounding punctuation. */
  readonly words: readonly string[];
  /** Regular expressions (source text) a whole token must match, case-insensitive. */
  readonly patterns: readonly string[];
}

const COMMON_WORDS = [
  'R',
  'L',
  'A',
  'P',
  'H',
  'F',
  'S',
  'I',
  'RT',
  'LT',
  'RIGHT',
  'LEFT',
  'AP',
  'PA',
  'LAT',
  'AXIAL',
  'CORONAL',
  'SAGITTAL',
  'SAG',
  'TRANS',
  'LONG',
  'IMAGE',
  'IM',
  'SE',
  'SERIES',
  'FRAME',
  'ZOOM',
  'MAG',
  'W',
  'WW',
  'WL',
  'C',
  'CM',
  'MM',
  'ML',
  'HZ',
  'KHZ',
  'MHZ',
  'DB',
  'FPS',
  'VOL',
  'DIST',
  'AREA',
  'ANGLE',
  'HR',
  'BPM',
  'UPPER',
  'LOWER',
  'MID',
  'PROX',
  'DISTAL',
];

const US_WORDS = [
  'GAIN',
  'DEPTH',
  'FR',
  'DR',
  'MI',
  'TI',
  'TIS',
  'TIB',
  'TIC',
  'PRF',
  'WF',
  'PWR',
  'POWER',
  'FRQ',
  'FREQ',
  'MAP',
  'ABD',
  'GEN',
  'ABDOMEN',
  'LIVER',
  'KIDNEY',
  'SPLEEN',
  'PANCREAS',
  'GB',
  'CBD',
  'BLADDER',
  'UTERUS',
  'OVARY',
  'THYROID',
  'BREAST',
  'AORTA',
  'IVC',
  'CCA',
  'ICA',
  'ECA',
  'CARDIAC',
  'OB',
  'GYN',
  'VASC',
  'VASCULAR',
  'PW',
  'CW',
  'CF',
  'PD',
  'THI',
  'HARM',
  'CINE',
  'FROZEN',
  'SV',
  'POLE',
  'D',
  'B',
  'M',
  '2D',
  '3D',
  '4D',
];

const CT_WORDS = [
  'KV',
  'KVP',
  'MA',
  'MAS',
  'THK',
  'SCOUT',
  'TILT',
  'FOV',
  'DFOV',
  'SL',
  'HELICAL',
  'LOCALIZER',
  'TOPOGRAM',
  'SURVIEW',
  'PITCH',
  'KERNEL',
];

const XA_WORDS = ['LAO', 'RAO', 'CRA', 'CAU', 'FLUORO', 'DSA', 'FR', 'MAG', 'DAP', 'KAR'];

const PATTERNS = [
  // Numbers with an optional unit: 1.42 cm, 4.0MHz, 30Hz, -600, 0.4, 12/s, 60%.
  '[-+]?\\d{1,4}(?:[.,]\\d{1,3})?(?:%|cm|mm|ml|hz|khz|mhz|db|s|ms|fps|kv|kvp|ma|mas|cm/s|m/s|bpm|/s|°|x)?',
  // Probes and transducers: C5-1, L12-5, 4V1c, P4-2.
  '\\d?[a-z]{1,3}\\d{1,2}(?:-\\d{1,2})?[a-z]{0,2}',
];

const BY_MODALITY: Record<string, readonly string[]> = {
  US: US_WORDS,
  CT: CT_WORDS,
  XA: XA_WORDS,
  RF: XA_WORDS,
};
const ALL_WORDS = [...new Set([...COMMON_WORDS, ...US_WORDS, ...CT_WORDS, ...XA_WORDS])];

/** The key of the list for every modality that has none of its own (screens, SC, OT, MR…). */
export const OTHER_MODALITIES = 'other';
/** The modalities with a default list of their own, then the list for the others. */
export const LIST_KEYS: readonly string[] = [...Object.keys(BY_MODALITY), OTHER_MODALITIES];

/** A profile's changes to one list: words and patterns added to the default, and defaults taken out. */
export interface TechnicalTextEdit {
  readonly addWords?: readonly string[];
  readonly removeWords?: readonly string[];
  readonly addPatterns?: readonly string[];
  readonly removePatterns?: readonly string[];
}

/** A profile's edits, by modality code (US, CT…) or OTHER_MODALITIES. */
export type TechnicalTextEdits = Readonly<Record<string, TechnicalTextEdit>>;

const defaults = new Map<string, TechnicalAllowList>();

/** The default list under a key of the profile's edits: a modality code or OTHER_MODALITIES. */
export function defaultAllowList(key: string): TechnicalAllowList {
  let list = defaults.get(key);
  if (!list) {
    const own = Object.hasOwn(BY_MODALITY, key) ? BY_MODALITY[key] : undefined;
    list = { words: own ? [...COMMON_WORDS, ...own] : ALL_WORDS, patterns: PATTERNS };
    defaults.set(key, list);
  }
  return list;
}

/** The key a modality's list goes by: its own when it has a default or the profile gives it one. */
export function listKey(modality: string | undefined, edits: TechnicalTextEdits = {}): string {
  const code = modality?.trim().toUpperCase() ?? '';
  return code && (Object.hasOwn(BY_MODALITY, code) || Object.hasOwn(edits, code)) ? code : OTHER_MODALITIES;
}

/** A default list with one edit applied. */
export function editedAllowList(key: string, edit: TechnicalTextEdit | undefined): TechnicalAllowList {
  const base = defaultAllowList(key);
  if (!edit) return base;
  const removedWords = new Set((edit.removeWords ?? []).map((w) => w.toUpperCase()));
  const removedPatterns = new Set(edit.removePatterns ?? []);
  return {
    words: [
      ...base.words.filter((w) => !removedWords.has(w)),
      ...(edit.addWords ?? []).map((w) => w.toUpperCase()),
    ],
    patterns: [...base.patterns.filter((p) => !removedPatterns.has(p)), ...(edit.addPatterns ?? [])],
  };
}

const edited = new WeakMap<TechnicalTextEdits, Map<string, TechnicalAllowList>>();

/**
 * The allow list for a modality: its default (every modality's words when it has none of its own), with
 * the profile's edits for it.
 */
export function technicalAllowList(
  modality: string | undefined,
  edits?: TechnicalTextEdits,
): TechnicalAllowList {
  const key = listKey(modality, edits);
  if (!edits) return defaultAllowList(key);
  let byKey = edited.get(edits);
  if (!byKey) {
    byKey = new Map();
    edited.set(edits, byKey);
  }
  let list = byKey.get(key);
  if (!list) {
    list = editedAllowList(key, edits[key]);
    byKey.set(key, list);
  }
  return list;
}

interface Compiled {
  readonly words: ReadonlySet<string>;
  readonly pattern: RegExp;
}

const compiled = new WeakMap<TechnicalAllowList, Compiled>();

/** One expression that a whole token matches when it matches any of the patterns (case-insensitive). */
export const wholeToken = (patterns: readonly string[]): RegExp =>
  new RegExp(`^(?:${patterns.map((p) => `(?:${p})`).join('|') || '(?!)'})$`, 'iu');

function compile(allow: TechnicalAllowList): Compiled {
  let c = compiled.get(allow);
  if (!c) {
    c = { words: new Set(allow.words.map((w) => w.toUpperCase())), pattern: wholeToken(allow.patterns) };
    compiled.set(allow, c);
  }
  return c;
}

// Past this a token is no measurement: it is never tested against the patterns (which bounds their cost).
const MAX_TOKEN = 40;

/**
 * Is this token, stripped of surrounding punctuation, technical text on the allow list? Words of five
 * letters or more may differ by one misread letter (FLUORD).
 */
export function isTechnicalToken(token: string, allow: TechnicalAllowList): boolean {
  const core = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}%°]+$/gu, '');
  if (core.length === 0) return true;
  const c = compile(allow);
  const upper = core.toUpperCase();
  if (c.words.has(upper) || (core.length <= MAX_TOKEN && c.pattern.test(core))) return true;
  if (upper.length < 5) return false;
  for (const w of c.words) if (w.length >= 5 && editDistance(upper, w) <= 1) return true;
  return false;
}

/** Levenshtein distance; 3 (too far for any use here) as soon as the lengths differ by more than two. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j]! + 1, cur[j - 1]! + 1);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
