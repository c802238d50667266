import { describe, expect, it } from 'vitest';
import { asciiBytes } from '../dicom/encode.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { encodeFileMeta, encodeNewDataset, type NewElement } from '../dicom/write.js';
import type { Identifier } from './identifiers.js';
import { describeHit, findResidualIdentifiers } from './verify.js';

const t = (tag: number, vr: string, v: string): NewElement => ({ tag, vr, value: asciiBytes(v) });

function file(elements: NewElement[]) {
  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    t(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
  ]);
  const ds = encodeNewDataset(elements, EXPLICIT_LE);
  const out = new Uint8Array(132 + meta.length + ds.length);
  out.set(asciiBytes('DICM'), 128);
  out.set(meta, 132);
  out.set(ds, 132 + meta.length);
  return parseDicom(new MemorySource(out));
}

const removed: Identifier[] = [
  { kind: 'name', text: 'Perfusion' },
  { kind: 'name', text: 'DOE' },
  { kind: 'id', text: 'PAT-0042' },
];

describe('the residual check', () => {
  it('finds a removed name in decoded text, case-insensitively, and names only the place', () => {
    const hits = findResidualIdentifiers(
      file([t(0x00204000, 'LT', 'patient doe was calm')]),
      removed,
      'A/B/C.dcm',
    );
    expect(hits).toHaveLength(1);
    expect(describeHit(hits[0]!)).toBe('a removed name remains in (0020,4000) ImageComments');
  });

  it('finds a removed ID inside a binary value no decoder reads (an encapsulated document)', () => {
    const pdf = asciiBytes('%PDF-1.4 ... (Report for PAT-0042) Tj ...');
    const hits = findResidualIdentifiers(file([{ tag: 0x00420011, vr: 'OB', value: pdf }]), removed, 'x.dcm');
    expect(hits.map(describeHit)).toEqual([
      "a removed id remains in the file's bytes outside any readable value",
    ]);
  });

  it('skips, among several values, only the bytes of those it read: a value after them is still searched', () => {
    const codes = [
      t(0x00080008, 'CS', 'DERIVED\\PERFUSION'),
      t(0x00080060, 'CS', 'PERFUSION'),
      t(0x00180015, 'CS', 'PERFUSION'),
    ];
    expect(findResidualIdentifiers(file(codes), removed, 'x.dcm')).toEqual([]);
    const after = { tag: 0x00420011, vr: 'OB' as const, value: asciiBytes('(Perfusion) Tj') };
    expect(findResidualIdentifiers(file([...codes, after]), removed, 'x.dcm').map(describeHit)).toEqual([
      "a removed name remains in the file's bytes outside any readable value",
    ]);
  });

  it('finds each byte form of a removed value in binary bytes, up to their very last byte', () => {
    const name: Identifier[] = [{ kind: 'name', text: 'Müller' }];
    const binary = (bytes: Uint8Array) => file([{ tag: 0x00420011, vr: 'OB', value: bytes }]);
    const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    const utf8 = (text: string) => new TextEncoder().encode(text);
    // Even lengths, so each value ends the file without a padding byte after it.
    for (const bytes of [latin1('(Dr MÜLLER'), latin1('(Dr müller'), utf8('(Dr Müller'), utf8('(Dr MÜLLER')])
      expect(findResidualIdentifiers(binary(bytes), name, 'x.dcm').map(describeHit)).toEqual([
        "a removed name remains in the file's bytes outside any readable value",
      ]);
    // A mixed case the value was not written in, a longer word, a different letter: not this name.
    for (const bytes of [latin1('(Dr MüLLER'), latin1('(Dr Müllers)'), latin1('(Dr Mxller')])
      expect(findResidualIdentifiers(binary(bytes), name, 'x.dcm')).toEqual([]);
  });

  it('names the kind of the first removed value found in the bytes, in the order they were given', () => {
    const both = file([{ tag: 0x00420011, vr: 'OB', value: asciiBytes('(PAT-0042 Perfusion) Tj') }]);
    const kinds = (order: Identifier[]) => findResidualIdentifiers(both, order, 'x.dcm').map((h) => h.kind);
    expect(kinds(removed)).toEqual(['name']);
    expect(kinds([...removed].reverse())).toEqual(['id']);
  });

  it("searches the bytes for each file's own values only, however many the file before had", () => {
    // Sixty names in three cases each: more forms than the thread's table first holds, the leak the last.
    const many: Identifier[] = Array.from({ length: 60 }, (_, i) => ({
      kind: 'name',
      text: `Name${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`,
    }));
    const leak = many.at(-1)!.text;
    const bytes = file([{ tag: 0x00420011, vr: 'OB', value: asciiBytes(`(${leak}) Tj`) }]);
    expect(findResidualIdentifiers(bytes, many, 'x.dcm').map(describeHit)).toEqual([
      "a removed name remains in the file's bytes outside any readable value",
    ]);
    // The next file's values do not include it: nothing of the file before is searched for.
    expect(findResidualIdentifiers(bytes, removed, 'x.dcm')).toEqual([]);
    expect(findResidualIdentifiers(bytes, many.slice(0, 59), 'x.dcm')).toEqual([]);
  });

  it('finds, among thousands of removed UIDs that begin alike, the one left in the bytes, and only it', () => {
    // As a key object or a report referencing thousands of images has them: looked up by how they begin.
    const uids: Identifier[] = Array.from({ length: 3000 }, (_, i) => ({
      kind: 'uid',
      text: `2.25.${1000003 * (i + 1)}`,
    }));
    const leakIn = (text: string) => file([{ tag: 0x00420011, vr: 'OB', value: asciiBytes(text) }]);
    for (const leak of [uids[0]!.text, uids[1234]!.text, uids.at(-1)!.text])
      expect(findResidualIdentifiers(leakIn(`(${leak}) Tj`), uids, 'x.dcm').map(describeHit)).toEqual([
        "a removed uid remains in the file's bytes outside any readable value",
      ]);
    // At the very end of the bytes, with no byte after it; so too a value exactly as long as the prefix.
    expect(findResidualIdentifiers(leakIn(`x ${uids[7]!.text}`), uids, 'x.dcm')).toHaveLength(1);
    const ids: Identifier[] = Array.from({ length: 3000 }, (_, i) => ({
      kind: 'id',
      text: `P${String(i).padStart(7, '0')}`,
    }));
    expect(findResidualIdentifiers(leakIn('x P0001234'), ids, 'x.dcm')).toHaveLength(1);
    // A UID that only begins like one of them, or is a digit short, is none of them.
    expect(findResidualIdentifiers(leakIn('(2.25.10000031) (2.25.100000) Tj'), uids, 'x.dcm')).toEqual([]);
    // With a name among them, the kind reported is that of the first target found, in the targets' order.
    const both: Identifier[] = [...uids, { kind: 'name', text: 'Perfusion' }];
    expect(
      findResidualIdentifiers(leakIn(`Perfusion ${uids[2999]!.text}`), both, 'x.dcm').map(describeHit),
    ).toEqual(["a removed uid remains in the file's bytes outside any readable value"]);
  });

  it('finds a removed value in the output path', () => {
    expect(findResidualIdentifiers(file([]), removed, 'PAT-0042/1/2.dcm').map(describeHit)).toEqual([
      'a removed id remains in the output file name',
    ]);
  });

  it('does not take a code (CS) that happens to spell a removed name for a leak', () => {
    const hits = findResidualIdentifiers(
      file([t(0x00080008, 'CS', 'DERIVED\\PRIMARY\\PERFUSION')]),
      removed,
      'x.dcm',
    );
    expect(hits).toEqual([]);
  });

  it('does not match a name inside a longer word', () => {
    expect(findResidualIdentifiers(file([t(0x00081030, 'LO', 'DOES NOT APPLY')]), removed, 'x.dcm')).toEqual(
      [],
    );
  });
});
