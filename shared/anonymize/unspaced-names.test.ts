import { describe, expect, it } from 'vitest';
import { part10, str } from '../../test/part10.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { readText } from '../dicom/values.js';
import { concatChunks, type NewElement } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { cleanText, IdentifierMatcher, REMOVED } from './clean-text.js';
import { anonymize } from './engine.js';
import { type Identifier, identifierStrings } from './identifiers.js';
import { keyFromBytes } from './key.js';
import { findResidualIdentifiers } from './verify.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x62));
const utf8 = (tag: number, vr: string, text: string): NewElement => ({
  tag,
  vr,
  value: new TextEncoder().encode(text),
});
const names = (value: string): Identifier[] =>
  identifierStrings('name', value).map((text) => ({ kind: 'name', text }));
const clean = (text: string, value: string) =>
  cleanText(text, new IdentifierMatcher(names(value)), () => REMOVED);

describe('item 2: names in scripts written without spaces', () => {
  const japanese = 'Yamada^Tarou=山田^太郎=やまだ^たろう';

  it('finds the ideographic name run together and inside running text', () => {
    expect(clean('山田 太郎; 山田太郎', japanese)).toBe(`${REMOVED}; ${REMOVED}`);
    expect(clean('患者山田太郎様の検査', japanese)).not.toMatch(/山田|太郎/);
  });

  it('finds every component group: alphabetic, ideographic and phonetic', () => {
    const text = 'Yamada Tarou / 山田太郎 / やまだたろうさん / たろう';
    const out = clean(text, japanese);
    for (const part of ['Yamada', 'Tarou', '山田', '太郎', 'やまだ', 'たろう'])
      expect(out).not.toContain(part);
  });

  it('finds a Korean name followed by a suffix', () => {
    const out = clean('김민수님 검사 결과, 민수님', 'Kim^Minsu=김^민수');
    expect(out).not.toMatch(/김민수|민수/);
    expect(out).toContain('검사 결과');
  });

  it('still leaves Latin words that merely contain a name part', () => {
    expect(clean('Tarouette and Yamadaville', japanese)).toBe('Tarouette and Yamadaville');
  });

  it('through the engine: Clean Descriptors removes them, and the residual check sees what remains', () => {
    const bytes = part10([
      str(0x00080005, 'CS', 'ISO_IR 192'),
      str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
      str(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.62.1'),
      utf8(0x00081030, 'LO', '山田 太郎; 山田太郎; 김민수님'),
      utf8(0x00100010, 'PN', japanese),
      str(0x00100020, 'LO', 'PAT-62'),
      utf8(0x00101001, 'PN', 'Kim^Minsu=김^민수'),
    ]);
    const profile = { ...getPreset('basic'), options: ['cleanDescriptors' as const] };
    const parsed = parseDicom(new MemorySource(bytes));
    const result = anonymize(parsed, { profile, key: KEY, toolVersion: '0.1.0' });
    const out = parseDicom(new MemorySource(concatChunks(result.chunks)));
    const description = readText(
      out.source,
      out.dataset.elements.find((e) => e.tag === 0x00081030)!,
      'LO',
      'ISO_IR 192',
    );
    expect(description).not.toMatch(/山田|太郎|김민수|민수/);
    expect(findResidualIdentifiers(out, result.removedIdentifiers, 'out.dcm')).toEqual([]);

    // The check itself: the input still holds the names run together, and it finds them there.
    const hits = findResidualIdentifiers(parsed, result.removedIdentifiers, 'in.dcm');
    expect(hits.some((h) => h.where.includes('StudyDescription'))).toBe(true);
  });
});
