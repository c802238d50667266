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

/** The default allow list for a modality; every modality's words when it is unknown (screens, SC, OT). */
export function technicalAllowList(modality: string | undefined): TechnicalAllowList {
  const own = modality ? BY_MODALITY[modality.trim().toUpperCase()] : undefined;
  return { words: own ? [...COMMON_WORDS, ...own] : ALL_WORDS, patterns: PATTERNS };
}

interface Compiled {
  readonly words: ReadonlySet<string>;
  readonly pattern: RegExp;
}

const compiled = new WeakMap<TechnicalAllowList, Compiled>();

function compile(allow: TechnicalAllowList): Compiled {
  let c = compiled.get(allow);
  if (!c) {
    c = {
      words: new Set(allow.words.map((w) => w.toUpperCase())),
      pattern: new RegExp(`^(?:${allow.patterns.map((p) => `(?:${p})`).join('|') || '(?!)'})$`, 'i'),
    };
    compiled.set(allow, c);
  }
  return c;
}

/**
 * Is this token, stripped of surrounding punctuation, technical text on the allow list? Words of five
 * letters or more may differ by one misread letter (FLUORD).
 */
export function isTechnicalToken(token: string, allow: TechnicalAllowList): boolean {
  const core = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}%°]+$/gu, '');
  if (core.length === 0) return true;
  const c = compile(allow);
  const upper = core.toUpperCase();
  if (c.words.has(upper) || c.pattern.test(core)) return true;
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
