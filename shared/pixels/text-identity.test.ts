import { describe, expect, it } from 'vitest';
import { type Identifier, type IdentifierKind, identifierStrings } from '../anonymize/identifiers.js';
import { classifyText, IdentityNeedles, type OcrLine, substringDistance } from './text-identity.js';
import { editedAllowList, technicalAllowList } from './text-technical.js';

/** The file's identifiers as the engine collects them: Table E.1-1 kinds through identifierStrings. */
function needles(values: [IdentifierKind, string][]): IdentityNeedles {
  const ids: Identifier[] = values.flatMap(([kind, v]) =>
    identifierStrings(kind, v).map((text) => ({ kind, text })),
  );
  return new IdentityNeedles(ids);
}

const file = needles([
  ['name', 'DESAI^PRIYA^M'],
  ['id', 'MRN9567370'],
  ['date', '19840317'],
  ['place', 'Riverside Medical Center'],
  ['name', 'OKAFOR^CHIDI'],
  ['name', 'LI^WEI'],
  ['name', 'SMITH-JONES^ANNA'],
]);

/** One line of words laid out left to right, 20 px high, 12 px per character, as a reader returns them. */
function line(text: string, confidence = 92, y = 10): OcrLine {
  let x = 10;
  return {
    words: text.split(' ').map((w) => {
      const box = { x, y, width: w.length * 12, height: 20 };
      x += box.width + 8;
      return { text: w, confidence, box };
    }),
  };
}

const classify = (text: string, confidence?: number, modality = 'US') =>
  classifyText([line(text, confidence)], file, { width: 640, height: 480, modality });
const verdict = (text: string, confidence?: number, modality?: string) =>
  classify(text, confidence, modality).map((t) => `${t.cls}/${t.reason}`);

describe('identity text: this file’s own identifiers, read with OCR errors', () => {
  it.each([
    'DESAI, PRIYA M',
    'Priya Desai',
    'P. DESAI',
    'DESAI^PRIYA^M',
    'PRIYA',
    'DE5AI PR1YA', // S/5, I/1
    'MRN9567370',
    'MRN 9567370',
    'MRN95G7370', // 6/G
    'RNB567370', // a lost M and 9/B: two edits on a long ID
    'Riverside',
    'RIVERSIDE MEDICAL CENTER',
    'Okafor',
    'LI WEI',
    'H. SMITH-JONES', // a double-barrelled name read whole, beside an initial the allow list knows
    '19840317',
  ])('%s', (text) => {
    expect(verdict(text)).toEqual(['identity/identifier']);
  });

  it('a birth date in the other digit orders and with a misread digit', () => {
    expect(verdict('17031984')).toEqual(['identity/identifier']);
    expect(verdict('O3I7I984')).toEqual(['identity/identifier']);
  });

  it('does not take two-letter name parts for digits, nor short words inside longer ones', () => {
    expect(verdict('Gain 11')).toEqual(['technical/allowed']);
    expect(verdict('Liver')).toEqual(['technical/allowed']);
  });
});

describe('identity text whatever the header says', () => {
  it.each([
    ['22/11/1975', 'date'],
    ['11/22/1975', 'date'],
    ['22-Nov-1975', 'date'],
    ['1975-11-22', 'date'],
    ['22.11.75', 'date'],
    ['Nov 22, 1975', 'date'],
    ['12/O4/1961', 'date'],
    ['14:32:10', 'time'],
    ['9:05 PM', 'time'],
    ['88812345', 'digits'],
    ['XK4471Q', 'id-like'],
    ['BROWN, JOHN', 'name-shaped'],
    ['KING^MARTA', 'name-shaped'],
  ])('%s → %s', (text, reason) => {
    expect(verdict(text)).toEqual([`identity/${reason}`]);
  });

  it.each([
    'Name: John Smith',
    'Pt: JONES',
    'Sonographer: K. Brown',
    'Ref: Dr Wong',
    'Ref Dr Wong',
    'MRN: X',
  ])('a value after a label: %s', (text) => {
    expect(verdict(text)[0]).toMatch(/^identity\/(label|identifier)$/);
  });

  it('DR is dynamic range before a number and a title before a name', () => {
    expect(verdict('DR 60')).toEqual(['technical/allowed']);
    expect(verdict('Dr Wong')).toEqual(['identity/label']);
  });

  it('a label whose value cannot be read is undecided (the file is held)', () => {
    const lines: OcrLine[] = [
      {
        words: [
          { text: 'Name:', confidence: 95, box: { x: 10, y: 10, width: 60, height: 20 } },
          { text: '#%&', confidence: 20, box: { x: 80, y: 10, width: 60, height: 20 } },
        ],
      },
    ];
    expect(classifyText(lines, file, { width: 640, height: 480 }).map((t) => t.cls)).toEqual(['undecided']);
  });

  it('an ID label, then one long token read as nonsense: the ID is there, cleaned rather than held', () => {
    // The sample ultrasound's banner in its blocky font: MRN9567370 read as letters and signs.
    const read = (value: string, width: number): OcrLine => ({
      words: [
        { text: 'ID', confidence: 90, box: { x: 0, y: 16, width: 20, height: 14 } },
        { text: value, confidence: 0, box: { x: 26, y: 16, width, height: 14 } },
      ],
    });
    const cls = (l: OcrLine) =>
      classifyText([l], file, { width: 256, height: 192 }).map((t) => `${t.cls}/${t.reason}`);
    expect(cls(read('HRNAERT=TO', 95))).toEqual(['identity/label']);
    // Too short or too narrow to be where an ID is: the ID may be elsewhere, so the file is held.
    expect(cls(read('#%', 20))).toEqual(['undecided/unreadable-after-label']);
    expect(cls(read('HRNAE', 20))).toEqual(['undecided/unreadable-after-label']);
  });

  it('identity wins over a profile’s allow list, whatever it adds', () => {
    const allow = editedAllowList('US', {
      addWords: ['DESAI', 'WONG', 'PRIYA'],
      addPatterns: ['mrn\\d{7}', '\\d{1,2}/\\d{1,2}/\\d{4}', 'xy\\d{4}', '\\d{2}:\\d{2}'],
    });
    const cls = (text: string) =>
      classifyText([line(text)], file, { width: 640, height: 480, modality: 'US', allow }).map(
        (t) => `${t.cls}/${t.reason}`,
      );
    expect(cls('DESAI')).toEqual(['identity/identifier']);
    expect(cls('Priya')).toEqual(['identity/identifier']);
    expect(cls('MRN9567370')).toEqual(['identity/identifier']);
    expect(cls('Name: Wong')).toEqual(['identity/label']);
    expect(cls('Dr Wong')).toEqual(['identity/label']);
    expect(cls('17/03/1984')).toEqual(['identity/identifier']);
    expect(cls('02/11/2023')).toEqual(['identity/date']);
    expect(cls('10:42')).toEqual(['identity/time']);
    expect(cls('XY1234')).toEqual(['identity/id-like']);
    // What it adds that is no identity is kept.
    expect(cls('Wong')).toEqual(['technical/allowed']);
  });

  it('legible text no rule knows is redacted; texture read as text is dropped', () => {
    expect(verdict('Hartmann Wolfgang')).toEqual(['identity/unknown-text']);
    expect(verdict('Hartmann Wolfgang', 40)).toEqual([]);
  });
});

describe('technical text is kept', () => {
  it.each([
    'C5-1 4.0MHz',
    'L12-5',
    'FR 30Hz',
    'Depth 16 cm',
    'Gain 52',
    'MI 0.9 TIS 0.4',
    'TIB 0.3',
    'L 1.42 cm',
    'Vol 12 ml',
    'R',
    'ABD GEN',
    'Kidney Long',
    'L5.65cm', // glued by the reader
    'L12-511.0MHz', // a probe glued to its frequency is not an ID
  ])('%s', (text) => {
    expect(verdict(text)).toEqual(['technical/allowed']);
  });

  it('a long word with one letter misread', () => {
    expect(verdict('FLUORD', undefined, 'XA')).toEqual(['technical/allowed']);
  });

  it('by modality: CT and XA words', () => {
    expect(verdict('kV 120', undefined, 'CT')).toEqual(['technical/allowed']);
    expect(verdict('LAO 30 CRA 15', undefined, 'XA')).toEqual(['technical/allowed']);
  });

  it('a profile’s own allow list replaces the default', () => {
    const allow = { words: ['SPECIALWORD'], patterns: [] };
    const out = classifyText([line('SpecialWord')], file, { width: 640, height: 480, allow });
    expect(out.map((t) => t.cls)).toEqual(['technical']);
    const without = classifyText([line('Gain')], file, { width: 640, height: 480, allow });
    expect(without.map((t) => t.cls)).toEqual(['identity']);
    expect(technicalAllowList('US').words).toContain('GAIN');
  });
});

describe('boxes', () => {
  it('splits a row read as one line into its far-apart pieces, and at a label', () => {
    const row: OcrLine = {
      words: [
        { text: 'Gain', confidence: 95, box: { x: 10, y: 10, width: 40, height: 16 } },
        { text: '52', confidence: 95, box: { x: 56, y: 10, width: 20, height: 16 } },
        { text: 'Name:', confidence: 95, box: { x: 84, y: 10, width: 50, height: 16 } },
        { text: 'Priya', confidence: 95, box: { x: 140, y: 10, width: 50, height: 16 } },
        { text: '4.0MHz', confidence: 95, box: { x: 500, y: 10, width: 60, height: 16 } },
      ],
    };
    const out = classifyText([row], file, { width: 640, height: 480 });
    expect(out.map((t) => `${t.cls} ${t.text}`)).toEqual([
      'technical Gain 52',
      'identity Name: Priya',
      'technical 4.0MHz',
    ]);
  });

  it('pads identity boxes, inside the image, but not over technical text beside them', () => {
    const lines: OcrLine[] = [
      { words: [{ text: 'DESAI', confidence: 95, box: { x: 2, y: 2, width: 60, height: 20 } }] },
      { words: [{ text: 'Gain', confidence: 95, box: { x: 2, y: 25, width: 40, height: 20 } }] },
    ];
    const [name, gain] = classifyText(lines, file, { width: 640, height: 480 });
    expect(name!.box).toEqual({ x: 0, y: 0, width: 92, height: 25 });
    expect(gain!.cls).toBe('technical');
  });
});

describe('substringDistance', () => {
  it('is the edit distance to the closest substring', () => {
    expect(substringDistance('ABC', 'XXABCXX')).toBe(0);
    expect(substringDistance('ABC', 'XXABXX')).toBe(1);
    expect(substringDistance('ABCD', '')).toBe(4);
  });
});
