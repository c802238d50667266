import { describe, expect, it } from 'vitest';
import { part10, str } from '../../test/part10.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { formatTag, groupOf } from '../dicom/tag.js';
import { readText } from '../dicom/values.js';
import { concatChunks, type NewElement } from '../dicom/write.js';
import { getPreset, type OptionKey, profileRowFor } from '../profile/index.js';
import { dictionaryRows } from '../standard/dictionary.generated.js';
import { anonymize } from './engine.js';
import { keyFromBytes } from './key.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x21));
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ROOT = '1.2.826.0.1.3680043.9.7777.901';

function run(bytes: Uint8Array, options: OptionKey[] = []) {
  const profile = { ...getPreset('basic'), options };
  const result = anonymize(parseDicom(new MemorySource(bytes)), { profile, key: KEY, toolVersion: '0.1.0' });
  const out = concatChunks(result.chunks);
  return { out, parsed: parseDicom(new MemorySource(out)) };
}

const contains = (hay: Uint8Array, needle: string) =>
  Buffer.from(hay).includes(Buffer.from(needle, 'latin1'));

/** Every PS3.6 attribute of one of `vrs` that Table E.1-1 does not name (meta and command groups aside). */
function outsideTable(vrs: readonly string[]) {
  return dictionaryRows()
    .filter(([pattern, , vr]) => !pattern.includes('x') && vrs.includes(vr))
    .map(([pattern, keyword, vr]) => ({ tag: Number.parseInt(pattern, 16) >>> 0, keyword, vr }))
    .filter((e) => !profileRowFor(e.tag) && groupOf(e.tag) !== 0x0000 && groupOf(e.tag) !== 0x0002);
}

// The distinctive value each attribute gets, so that a copy of it is found wherever it went.
const valueFor = (vr: string, i: number): string =>
  ({
    UI: `${ROOT}.${i}`,
    DA: `1987${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`,
    DT: `19870304${String(i % 24).padStart(2, '0')}1112`,
    TM: `${String(i % 24).padStart(2, '0')}1112.${String(i).padStart(4, '0')}`,
    PN: `Secretperson${i}^Given`,
  })[vr]!;

// Class UIDs name a kind of object (SOP classes, transfer syntaxes) and stay, given a standard value.
const isClassUid = (keyword: string) => /SOPClass|TransferSyntaxUID/.test(keyword);

describe('item 3: standard attributes outside Table E.1-1 — the VR decides', () => {
  const attributes = outsideTable(['UI', 'DA', 'DT', 'TM', 'PN']);
  const elements: NewElement[] = [
    str(0x00080018, 'UI', `${ROOT}.0`),
    str(0x00100010, 'PN', 'DOE^JANE'),
    str(0x00100020, 'LO', 'PAT-901'),
    ...attributes.map((a, i) => str(a.tag, a.vr, isClassUid(a.keyword) ? CT : valueFor(a.vr, i))),
  ];
  const bytes = part10(elements.filter((e, i, all) => all.findIndex((o) => o.tag === e.tag) === i));

  it('enumerates the dictionary: every UI, DA, DT, TM and PN attribute the table leaves out', () => {
    const vrs = new Set(attributes.map((a) => a.vr));
    expect([...vrs].sort()).toEqual(['DA', 'DT', 'PN', 'TM', 'UI']);
    // Named by the issue: Study Update DateTime, Multi-frame Source SOP Instance UID, the concatenation source.
    for (const tag of [0x0008041f, 0x00081167, 0x00200242]) {
      expect(attributes.map((a) => a.tag)).toContain(tag);
    }
  });

  for (const [name, options] of [
    ['Basic', []],
    ['Basic + Retain Longitudinal Modified Dates', ['retainLongModifiedDates']],
  ] as const) {
    it(`${name}: no UI, DA, DT or PN value outside the table leaves unchanged`, () => {
      const { out, parsed } = run(bytes, [...options]);
      const unchanged = attributes.flatMap((a, i) => {
        if (isClassUid(a.keyword) || (a.vr === 'TM' && options.length > 0)) return [];
        const el = parsed.dataset.elements.find((e) => e.tag === a.tag);
        const original = valueFor(a.vr, i);
        const kept = el !== undefined && readText(parsed.source, el, a.vr, undefined) === original;
        return kept || contains(out, original) ? [`${formatTag(a.tag)} ${a.keyword}`] : [];
      });
      expect(unchanged).toEqual([]);
    });
  }

  it('class UIDs with standard values and registered coding-scheme UIDs stay resolvable', () => {
    const snomed = '2.16.840.1.113883.6.96';
    const { parsed } = run(part10([str(0x00080016, 'UI', CT), str(0x0008010c, 'UI', snomed)]));
    const value = (tag: number) =>
      readText(parsed.source, parsed.dataset.elements.find((e) => e.tag === tag)!, 'UI', undefined);
    expect(value(0x00080016)).toBe(CT);
    expect(value(0x0008010c)).toBe(snomed);
  });

  it('named identifiers in text outside the table go: alternative-calendar dates, contact names', () => {
    const texts: NewElement[] = [
      str(0x00100033, 'LO', '1339/11/14'),
      str(0x00100034, 'LO', '1401/02/03'),
      str(0x0074100c, 'LO', 'Wilson James'),
      str(0x00081030, 'LO', 'Follow-up, call Wilson James'),
    ];
    const { out } = run(part10(texts), ['cleanDescriptors']);
    for (const gone of ['1339/11/14', '1401/02/03', 'Wilson']) expect(contains(out, gone), gone).toBe(false);
  });
});

describe('item 4: odd groups 0001, 0003, 0005, 0007 and FFFF are removed with their nested content', () => {
  it('removes plain values and sequences of those groups, whatever their items hold', () => {
    const nested: NewElement[] = [str(0x00080070, 'LO', 'NESTEDMAKER'), str(0x00081155, 'UI', `${ROOT}.77`)];
    const elements: NewElement[] = [
      str(0x00010010, 'LO', 'GROUPONE'),
      { tag: 0x00030010, vr: 'SQ', items: [nested] },
      str(0x00051000, 'SH', 'GROUPFIVE'),
      { tag: 0x00071000, vr: 'SQ', items: [nested] },
      str(0x00080016, 'UI', CT),
      str(0x00080018, 'UI', `${ROOT}.1`),
      str(0xffff1000, 'LO', 'GROUPFFFF'),
    ];
    const { out, parsed } = run(part10(elements));
    for (const gone of ['GROUPONE', 'NESTEDMAKER', 'GROUPFIVE', 'GROUPFFFF']) {
      expect(contains(out, gone), gone).toBe(false);
    }
    const groups = parsed.dataset.elements.map((e) => groupOf(e.tag));
    for (const g of [0x0001, 0x0003, 0x0005, 0x0007, 0xffff]) expect(groups).not.toContain(g);
  });
});
