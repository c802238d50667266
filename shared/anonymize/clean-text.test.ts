import { describe, expect, it } from 'vitest';
import { asciiBytes } from '../dicom/encode.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { readText } from '../dicom/values.js';
import { concatChunks, encodeFileMeta, encodeNewDataset, type NewElement } from '../dicom/write.js';
import { getPreset, type OptionKey, type Profile } from '../profile/index.js';
import { cleanText, fitToVR, IdentifierMatcher, REMOVED } from './clean-text.js';
import { anonymize } from './engine.js';
import { type Identifier, type IdentifierKind, identifierStrings } from './identifiers.js';
import { keyFromBytes } from './key.js';
import { remapUid } from './uid-remap.js';

const ids = (kind: IdentifierKind, value: string): Identifier[] =>
  identifierStrings(kind, value).map((text) => ({ kind, text }));
const clean = (text: string, identifiers: Identifier[], replace: (m: string) => string = () => REMOVED) =>
  cleanText(text, new IdentifierMatcher(identifiers), replace);

describe('cleanText with a dataset’s identifiers', () => {
  const name = ids('name', 'DOE^JANE^MARIE');

  it.each([
    ['Jane Doe seen today', '[removed] [removed] seen today'],
    ['DOE, JANE', '[removed], [removed]'],
    ['doe jane marie', '[removed]'],
    ['Marie, Jane DOE', '[removed], [removed] [removed]'],
    ['Patient jAnE was fine', 'Patient [removed] was fine'],
    ['Mrs Doe-Smith', 'Mrs [removed]-Smith'],
    ['(Marie)', '([removed])'],
  ])('names in any order and case: %s', (input, expected) => {
    expect(clean(input, name)).toBe(expected);
  });

  it('removes the whole name before its parts, longest first', () => {
    expect(clean('JANE DOE', ids('name', 'JANE DOE^'))).toBe(REMOVED);
  });

  it('does not damage words that merely contain a name part', () => {
    const ann = ids('name', 'SMITH^ANN');
    expect(clean('Annual review for Ann; Smithson and Blacksmith attended', ann)).toBe(
      'Annual review for [removed]; Smithson and Blacksmith attended',
    );
    expect(clean('Joanne and Annabel', ann)).toBe('Joanne and Annabel');
  });

  it('removes two-letter name parts too, and ignores placeholder words', () => {
    const shortName = ids('name', 'LI^WEI');
    expect(clean('Wei Li', shortName)).toBe('[removed] [removed]');
    expect(identifierStrings('name', 'ANONYMOUS^PATIENT')).toEqual(['ANONYMOUS PATIENT']);
  });

  it('removes IDs as whole tokens only', () => {
    const id = ids('id', 'PID42');
    expect(clean('MRN PID42, ref:PID42.', id)).toBe('MRN [removed], ref:[removed].');
    expect(clean('PID420 and XPID42 are other numbers', id)).toBe('PID420 and XPID42 are other numbers');
  });

  it('removes the birth date in several numeric formats', () => {
    const dob = ids('date', '19610203');
    for (const form of ['19610203', '1961-02-03', '03.02.1961', '03/02/1961', '02/03/1961', '1961/02/03']) {
      const out = clean(`born ${form}.`, dob);
      expect(out, form).toBe('born [removed].');
    }
  });

  it('replaces a UID by what the replacement gives (the engine: its remapped UID) and not a longer UID', () => {
    const uids = ids('uid', '1.2.3.4\\1.2.3.9');
    const key = keyFromBytes(new Uint8Array(32).fill(8));
    const out = clean('see 1.2.3.4, not 1.2.3.45 nor 1.2.3.4.5; also 1.2.3.9', uids, (m) => remapUid(key, m));
    expect(out).toBe(
      `see ${remapUid(key, '1.2.3.4')}, not 1.2.3.45 nor 1.2.3.4.5; also ${remapUid(key, '1.2.3.9')}`,
    );
  });

  it('treats identifiers as text, not as regular expressions', () => {
    const tricky = ids('name', 'O.K.^(A+B)*');
    // A trailing full stop of a name part is dropped (initials), so "O.K" is what is matched.
    expect(clean('O.K. says (A+B)* and OxK', tricky)).toBe('[removed]. says [removed] and OxK');
  });

  it('removes date-like strings even without identifiers', () => {
    for (const d of [
      '20240131',
      '2024-01-31',
      '2024/01/31',
      '2024.01.31',
      '31.01.2024',
      '1.1.2024',
      '01/31/2024',
      '31/01/2024',
    ]) {
      expect(clean(`on ${d} ok`, []), d).toBe('on [removed] ok');
    }
  });

  it('leaves numbers that are not dates alone', () => {
    for (const s of ['12345678', '20241399', '2024', 'v1.2.3', '3.5 mm', 'slice 20 of 240', 'kVp 120']) {
      expect(clean(s, []), s).toBe(s);
    }
  });

  it('is the identity on text with nothing to remove', () => {
    expect(clean('CT HEAD W/O CONTRAST', name)).toBe('CT HEAD W/O CONTRAST');
  });
});

describe('fitToVR', () => {
  it('cuts each value to the VR maximum and keeps CS characters valid', () => {
    expect(fitToVR('Dr [removed] XK7Q', 'SH')).toBe('Dr [removed] XK7');
    expect(fitToVR('a'.repeat(70), 'LO')).toHaveLength(64);
    expect(fitToVR(`${'a'.repeat(70)}\\short`, 'LO')).toBe(`${'a'.repeat(64)}\\short`);
    expect(fitToVR('[removed] 7Q', 'CS')).toBe('REMOVED 7Q');
    expect(fitToVR('x'.repeat(2000), 'ST')).toHaveLength(1024);
    expect(fitToVR('x\\y'.repeat(10), 'ST')).toBe('x\\y'.repeat(10));
    expect(fitToVR('x'.repeat(20000), 'UT')).toHaveLength(20000);
  });
});

// ---- through the engine, on real bytes ----

const key = keyFromBytes(new Uint8Array(32).fill(0x21));
const PRIOR_UID = '1.2.826.0.1.3680043.9.7777.5.1';
const STUDY_UID = '1.2.826.0.1.3680043.9.7777.5.2';
const t = (tag: number, vr: string, v: string): NewElement => ({ tag, vr, value: asciiBytes(v) });

function file(history: string): Uint8Array {
  const meta = encodeFileMeta([
    t(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    t(0x00020003, 'UI', '1.2.826.0.1.3680043.9.7777.5.3'),
    t(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
  ]);
  const ds = encodeNewDataset(
    [
      t(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
      t(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.5.3'),
      t(0x00080060, 'CS', 'OT'),
      t(0x00080080, 'LO', 'Saint Elsewhere Hospital'),
      t(0x00081030, 'LO', 'Annual review'),
      {
        tag: 0x00081115,
        vr: 'SQ',
        items: [[t(0x0020000e, 'UI', PRIOR_UID)]],
      },
      t(0x00100010, 'PN', "O'BRIEN^ANN^MARIE"),
      t(0x00100020, 'LO', 'PID42X'),
      t(0x00100030, 'DA', '19610203'),
      t(0x001021b0, 'LT', history),
      t(0x0020000d, 'UI', STUDY_UID),
    ],
    EXPLICIT_LE,
  );
  const out = new Uint8Array(132 + meta.length + ds.length);
  out.set(asciiBytes('DICM'), 128);
  out.set(meta, 132);
  out.set(ds, 132 + meta.length);
  return out;
}

function cleaned(history: string, options: OptionKey[]): string {
  const profile: Profile = { ...getPreset('basic'), options };
  const result = anonymize(parseDicom(new MemorySource(file(history))), {
    profile,
    key,
    toolVersion: '0.1.0',
  });
  const out = parseDicom(new MemorySource(concatChunks(result.chunks)));
  const el = out.dataset.elements.find((e) => e.tag === 0x001021b0);
  expect(el, 'Additional Patient History kept under Clean Descriptors').toBeDefined();
  return readText(out.source, el!, 'LT', undefined);
}

describe('Clean Descriptors through the engine', () => {
  const history =
    "Annual review: ann o'brien (MRN PID42X, DOB 03/02/1961 = 1961-02-03) at Saint Elsewhere Hospital; " +
    `prior ${PRIOR_UID} of study ${STUDY_UID} on 2019-12-01. Marie Annabel O'Briensky.`;

  it('takes every identifier of the dataset out of the text and keeps the rest', () => {
    const out = cleaned(history, ['cleanDescriptors']);
    expect(out).not.toMatch(/o'brien\b/i);
    expect(out).not.toMatch(/\bann\b/i);
    expect(out).not.toMatch(/\bmarie\b/i);
    expect(out).not.toContain('PID42X');
    expect(out).not.toMatch(/1961/);
    expect(out).not.toMatch(/Elsewhere/);
    expect(out).not.toContain('2019-12-01');
    expect(out).not.toContain(PRIOR_UID);
    expect(out).not.toContain(STUDY_UID);
    // UIDs become their remapped values, so the reference still resolves in the de-identified set.
    expect(out).toContain(remapUid(key, PRIOR_UID));
    expect(out).toContain(remapUid(key, STUDY_UID));
    // No partial-word damage.
    expect(out).toMatch(/^Annual review: /);
    expect(out).toContain('Annabel');
    expect(out).toContain("O'Briensky");
  });

  it('with Retain UIDs, a UID in text is removed (conservative), never remapped', () => {
    const out = cleaned(history, ['cleanDescriptors', 'retainUIDs']);
    expect(out).toContain('prior [removed] of study [removed]');
    expect(out).not.toContain(remapUid(key, PRIOR_UID));
    expect(out).not.toMatch(/o'brien\b/i);
  });

  it('without the option the text goes', () => {
    const profile: Profile = { ...getPreset('basic'), options: [] };
    const result = anonymize(parseDicom(new MemorySource(file(history))), {
      profile,
      key,
      toolVersion: '0.1.0',
    });
    const out = parseDicom(new MemorySource(concatChunks(result.chunks)));
    expect(out.dataset.elements.find((e) => e.tag === 0x001021b0)).toBeUndefined();
  });
});

describe('dates with the month in words', () => {
  const none = new IdentifierMatcher([]);
  const clean = (text: string) => cleanText(text, none, () => REMOVED);
  it('removes them in the ways people write them', () => {
    for (const d of [
      '3 Feb 1961',
      '3rd February 1961',
      'Feb 3, 1961',
      'February 3rd 1961',
      '12 Sept. 2019',
    ]) {
      expect(clean(`Seen on ${d} in clinic`), d).toBe(`Seen on ${REMOVED} in clinic`);
    }
  });
  it('leaves words that merely start like a month alone', () => {
    expect(clean('Marked decrease, 3 mm; may be 2 cm by 2020')).toBe(
      'Marked decrease, 3 mm; may be 2 cm by 2020',
    );
  });
});

describe('two-letter name parts', () => {
  const li = new IdentifierMatcher([{ kind: 'name', text: 'LI' }]);
  it('are removed where they stand as a name, in capitals or capitalised', () => {
    expect(cleanText('Mr Li reports pain; LI WEI consented', li, () => REMOVED)).toBe(
      `Mr ${REMOVED} reports pain; ${REMOVED} WEI consented`,
    );
  });
  it('are left inside words and in lower case', () => {
    expect(cleanText('Lithium level; eli; li', li, () => REMOVED)).toBe('Lithium level; eli; li');
  });
});
