import { describe, expect, it } from 'vitest';
import { asciiBytes } from './encode.js';
import { parseDicom } from './parse.js';
import { MemorySource } from './source.js';
import { EXPLICIT_LE } from './transfer-syntax.js';
import { valueProblem } from './validate.js';
import { encodeNewDataset, type NewElement } from './write.js';

/** The one element of a dataset written with `vr`, as the parser reads it back, and its verdict. */
function verdict(vr: string, value: string | Uint8Array, charset?: string): string | undefined {
  const bytes = typeof value === 'string' ? Uint8Array.from(value, (c) => c.charCodeAt(0)) : value;
  const elements: NewElement[] = [
    { tag: 0x00080016, vr: 'UI', value: asciiBytes('1.2.3') },
    { tag: 0x00090010 + 0x1000, vr, value: bytes },
  ];
  const parsed = parseDicom(new MemorySource(encodeNewDataset(elements, EXPLICIT_LE)));
  const el = parsed.dataset.elements[1]!;
  return valueProblem(parsed.source, el, { vr, charset });
}

describe('a value valid for its VR (PS3.5 6.2)', () => {
  const valid: Array<[string, string]> = [
    ['DS', '15'],
    ['DS', '-1.5e+02\\.5\\ 3 '],
    ['IS', '-123\\+45'],
    ['CS', 'ORIGINAL\\PRIMARY\\AXIAL'],
    ['UI', '1.2.840.10008.5.1.4.1.1.2'],
    ['DA', '20240131\\1999.12.31'],
    ['TM', '101112.123456\\1011\\10:11:12'],
    ['DT', '20240131101112.123+0100'],
    ['AS', '047Y'],
    ['AE', 'STORESCP'],
    ['SH', 'SIXTEEN CHARS OK'],
    ['LO', 'x'.repeat(64)],
    ['PN', `${'A'.repeat(64)}=${'B'.repeat(64)}`],
    ['ST', `${'line\r\n'.repeat(100)}`],
  ];
  for (const [vr, value] of valid) {
    it(`accepts ${vr} ${JSON.stringify(value.slice(0, 30))}`, () =>
      expect(verdict(vr, value)).toBeUndefined());
  }

  const invalid: Array<[string, string | Uint8Array]> = [
    // A wrong length that swallowed the next element: its header bytes are no DS.
    ['DS', '15\x32\x00\x32\x10PN\x0e\x00HOUSE^GREGORY '],
    ['DS', '12345678901234567'],
    ['IS', '12a'],
    ['IS', '1234567890123'],
    ['CS', 'Smith John'],
    ['UI', '1.2.840.SMITH'],
    ['UI', `1.${'2'.repeat(64)}`],
    ['DA', '1339/11/14'],
    ['TM', 'noon'],
    ['DT', 'NaN'],
    ['AS', '47 years'],
    ['AE', 'AE\nTITLE'],
    ['SH', 'SEVENTEEN CHARS!!'],
    ['LO', 'x'.repeat(65)],
    ['LO', 'Referring\x00physician'],
    ['PN', `${'A'.repeat(65)}`],
    ['ST', 'x'.repeat(1025)],
    ['FL', Uint8Array.of(1, 0, 2, 0, 0, 0)],
    ['UL', Uint8Array.of(1, 0, 0, 0, 0, 0)],
    ['FD', new Uint8Array(12)],
    ['AT', Uint8Array.of(8, 0, 0x10, 0, 0)],
  ];
  for (const [vr, value] of invalid) {
    it(`refuses ${vr} of ${value.length} bytes`, () => expect(verdict(vr, value)).toBeDefined());
  }

  it('counts characters, not bytes, in a multi-byte character set', () => {
    const name = new TextEncoder().encode('山田'.repeat(32));
    expect(name.length).toBeGreaterThan(64);
    expect(verdict('LO', name, 'ISO_IR 192')).toBeUndefined();
  });

  it('names the VR only, never the value', () => {
    expect(verdict('LO', `${'SECRETNAME'.repeat(7)}`)).not.toMatch(/SECRET/);
  });

  it('counts binary values against the dictionary: one Bits Stored, not the 40 a wrong length makes', () => {
    const withBitsStored = (count: number) => {
      const value = new Uint8Array(2 * count).fill(8);
      const bytes = encodeNewDataset(
        [
          { tag: 0x00080016, vr: 'UI', value: asciiBytes('1.2.3') },
          { tag: 0x00280101, vr: 'US', value },
        ],
        EXPLICIT_LE,
      );
      const parsed = parseDicom(new MemorySource(bytes));
      return valueProblem(parsed.source, parsed.dataset.elements[1]!, { vr: 'US', charset: undefined });
    };
    expect(withBitsStored(1)).toBeUndefined();
    expect(withBitsStored(40)).toBeDefined();
  });
});
