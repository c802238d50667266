import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { part10, str } from '../../test/part10.js';
import { dcmdumpErrors, hasTool } from '../../test/tools.js';
import { asciiBytes, encodeHeader, encodeNumbers } from '../dicom/encode.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { readText } from '../dicom/values.js';
import { hasLongHeader } from '../dicom/vr.js';
import { concatChunks, encodeNewDataset, type NewElement } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { anonymize } from './engine.js';
import { keyFromBytes } from './key.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x5a));
const REFERENCED_UID = '1.2.826.0.1.3680043.9.7777.555.1';
const tmp = mkdtempSync(join(tmpdir(), 'deid-unreadable-'));

const common = (): NewElement[] => [
  str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
  str(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.555.2'),
  str(0x00100010, 'PN', 'DOE^JANE'),
  str(0x00100020, 'LO', 'PAT-555'),
];

function run(bytes: Uint8Array) {
  const parsed = parseDicom(new MemorySource(bytes));
  const result = anonymize(parsed, { profile: getPreset('basic'), key: KEY, toolVersion: '0.1.0' });
  const out = concatChunks(result.chunks);
  return { result, out, parsedOut: parseDicom(new MemorySource(out)) };
}

const contains = (hay: Uint8Array, needle: string) =>
  Buffer.from(hay).includes(Buffer.from(needle, 'latin1'));

/** The file with the length of `tag` grown to swallow every element up to and including `through`. */
function withSwallowingLength(bytes: Uint8Array, tag: number, through: number): Uint8Array {
  const parsed = parseDicom(new MemorySource(bytes));
  const el = parsed.dataset.elements.find((e) => e.tag === tag)!;
  const last = parsed.dataset.elements.find((e) => e.tag === through)!;
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  // Explicit VR: a 2-byte length at start + 6, or a 4-byte one at start + 8 after a long header.
  if (hasLongHeader(el.vr)) view.setUint32(el.start + 8, last.end - el.valueStart, true);
  else view.setUint16(el.start + 6, last.end - el.valueStart, true);
  return out;
}

describe('a value the engine could not read is never copied', () => {
  it('item 1: a Referenced Image Sequence with stray bytes after its item is removed, UID and all', () => {
    const item = encodeNewDataset(
      [str(0x00081150, 'UI', '1.2.840.10008.5.1.4.1.1.2'), str(0x00081155, 'UI', REFERENCED_UID)],
      EXPLICIT_LE,
    );
    const body = concatChunks([
      encodeHeader(0xfffee000, '', item.length, EXPLICIT_LE),
      item,
      asciiBytes('STRAY!!!'),
    ]);
    const sequence = concatChunks([encodeHeader(0x00081140, 'SQ', body.length, EXPLICIT_LE), body]);
    const head = part10(common());
    const bytes = concatChunks([head, sequence]);
    expect(contains(bytes, REFERENCED_UID)).toBe(true);

    const { result, out, parsedOut } = run(bytes);
    expect(contains(out, REFERENCED_UID)).toBe(false);
    expect(parsedOut.dataset.elements.some((e) => e.tag === 0x00081140)).toBe(false);
    expect(result.report.warnings.join('\n')).toMatch(/\(0008,1140\) was removed: it could not be read/);
    expect(result.report.actionCounts.removed).toBeGreaterThan(0);
  });

  it('item 19: a kept Flip Angle whose length swallowed the Requesting Physician and a location goes', () => {
    const physician = 'HOUSE^GREGORY';
    const location = 'WARD 7 PRINCETON';
    const swallowed = [str(0x00321032, 'PN', physician), str(0x00380300, 'LO', location)];
    const bytes = withSwallowingLength(
      part10([...common(), str(0x00181314, 'DS', '15'), ...swallowed]),
      0x00181314,
      0x00380300,
    );
    // The parser now sees one long Flip Angle and nothing after it.
    const parsed = parseDicom(new MemorySource(bytes));
    expect(parsed.dataset.elements.some((e) => e.tag === 0x00321032)).toBe(false);

    const { result, out } = run(bytes);
    expect(contains(out, 'HOUSE')).toBe(false);
    expect(contains(out, 'PRINCETON')).toBe(false);
    expect(result.report.warnings.join('\n')).toMatch(/\(0018,1314\) was removed: it is not a valid DS/);
    expect(result.report.warnings.join('\n')).not.toMatch(/HOUSE|PRINCETON/);
  });

  it('item 19: a scrubbed Manufacturer (LO) whose length swallowed a name is no LO any more, and goes', () => {
    const swallowed = [str(0x00321032, 'PN', 'CUDDY^LISA')];
    // Manufacturer (0008,0070) is outside Table E.1-1: scrubbed of known identifiers, else kept as it is.
    const bytes = withSwallowingLength(
      part10([...common(), str(0x00080070, 'LO', 'ACME'), ...swallowed]),
      0x00080070,
      0x00321032,
    );
    const { out, parsedOut, result } = run(bytes);
    expect(contains(out, 'CUDDY')).toBe(false);
    expect(parsedOut.dataset.elements.some((e) => e.tag === 0x00080070)).toBe(false);
    expect(result.report.warnings.join('\n')).toMatch(/\(0008,0070\) was removed: it is not a valid LO/);
  });

  it('item 13: an instance without SOP Instance UID carries the same new UID in its meta and dataset', () => {
    const bytes = part10(common().filter((e) => e.tag !== 0x00080018));
    const { parsedOut, out } = run(bytes);
    const inMeta = readText(
      parsedOut.fileSource,
      parsedOut.meta.find((e) => e.tag === 0x00020003)!,
      'UI',
      undefined,
    );
    const inDataset = parsedOut.dataset.elements.find((e) => e.tag === 0x00080018);
    expect(inDataset).toBeDefined();
    expect(readText(parsedOut.source, inDataset!, 'UI', undefined)).toBe(inMeta);
    expect(inMeta).toMatch(/^2\.25\.\d+$/);
    if (hasTool('dcmdump')) {
      const p = join(tmp, 'no-sop-instance.dcm');
      writeFileSync(p, out);
      expect(dcmdumpErrors(p)).toEqual([]);
    }
  });

  it('a misspelt Specific Character Set is written as the standard spells it, not dropped', () => {
    const bytes = part10([str(0x00080005, 'CS', 'ISO-IR 100'), ...common()]);
    const { parsedOut } = run(bytes);
    const charset = parsedOut.dataset.elements.find((e) => e.tag === 0x00080005);
    expect(charset && readText(parsedOut.source, charset, 'CS', undefined)).toBe('ISO_IR 100');
  });

  it('item 19 (found by fuzzing): Palette LUT Data whose length swallowed a physician goes', () => {
    const descriptor = { tag: 0x00281103, vr: 'US', value: encodeNumbers('US', [4, 0, 16], EXPLICIT_LE) };
    const lut: NewElement = { tag: 0x00281203, vr: 'OW', value: new Uint8Array(8) };
    const swallowed = [str(0x00321032, 'PN', 'WINTERBOTTOM^OCTAVIA')];
    const bytes = withSwallowingLength(
      part10([...common(), descriptor, lut, ...swallowed]),
      0x00281203,
      0x00321032,
    );
    const { out, result } = run(bytes);
    expect(contains(out, 'WINTERBOTTOM')).toBe(false);
    expect(result.report.warnings.join('\n')).toMatch(/\(0028,1203\) was removed: its length disagrees/);
    // A LUT whose length fits its descriptor stays, byte for byte.
    const fine = run(part10([...common(), descriptor, lut]));
    expect(fine.parsedOut.dataset.elements.some((e) => e.tag === 0x00281203)).toBe(true);
  });

  it('item 19 (found by fuzzing): a SOP Class UID that swallowed a date and a UID lends no digit to the meta', () => {
    const swallowed = [
      str(0x00080018, 'UI', '1.2.826.0.1.3680043.9.7777.31337.4242'),
      str(0x00080020, 'DA', '19471123'),
    ];
    const bytes = withSwallowingLength(
      part10([str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'), ...swallowed, ...common().slice(2)]),
      0x00080016,
      0x00080020,
    );
    const { out } = run(bytes);
    expect(contains(out, '31337')).toBe(false);
    expect(contains(out, '19471123')).toBe(false);
  });

  it('a file that ends inside a sequence: the output closes it, so what follows is not swallowed', () => {
    // Content Sequence of undefined length whose item and sequence delimiters the file never reached.
    const item = encodeNewDataset([str(0x00080100, 'SH', 'T-04000')], EXPLICIT_LE);
    const bytes = concatChunks([
      part10(common()),
      encodeHeader(0x0040a730, 'SQ', 0xffffffff, EXPLICIT_LE),
      encodeHeader(0xfffee000, '', 0xffffffff, EXPLICIT_LE),
      item,
    ]);
    const profile = { ...getPreset('basic'), options: ['cleanStructuredContent' as const] };
    const parsed = parseDicom(new MemorySource(bytes));
    expect(parsed.warnings.join(' ')).toMatch(/delimiter missing/);
    const out = concatChunks(anonymize(parsed, { profile, key: KEY, toolVersion: '0.1.0' }).chunks);
    const again = parseDicom(new MemorySource(out));
    expect(again.warnings).toEqual([]);
    // Patient Identity Removed, written after the sequence, is at the top level where it belongs.
    expect(again.dataset.elements.some((e) => e.tag === 0x00120062)).toBe(true);
    if (hasTool('dcmdump')) {
      const p = join(tmp, 'ends-inside-a-sequence.dcm');
      writeFileSync(p, out);
      expect(dcmdumpErrors(p)).toEqual([]);
    }
  });

  it('item 1 (found by fuzzing): bytes after a stray delimiter inside a defined-length sequence are not copied', () => {
    // Anatomic Region Sequence: kept, and its code items unchanged, so it would be copied as it lies.
    const item = encodeNewDataset(
      [str(0x00080100, 'SH', 'T-D0010'), str(0x00080102, 'SH', 'SRT')],
      EXPLICIT_LE,
    );
    const hidden = encodeNewDataset([str(0x00321032, 'PN', 'WINTERBOTTOM^OCTAVIA')], EXPLICIT_LE);
    const body = concatChunks([
      encodeHeader(0xfffee000, '', item.length, EXPLICIT_LE),
      item,
      encodeHeader(0xfffee0dd, '', 0, EXPLICIT_LE),
      hidden,
    ]);
    const bytes = concatChunks([
      part10(common()),
      encodeHeader(0x00082218, 'SQ', body.length, EXPLICIT_LE),
      body,
    ]);
    const { out } = run(bytes);
    expect(contains(out, 'WINTERBOTTOM')).toBe(false);
  });
});
