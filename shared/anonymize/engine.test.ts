import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, hasCorpus } from '../../test/corpus.js';
import { dciodvfyErrors, hasTool } from '../../test/tools.js';
import { asciiBytes, encodeNumbers } from '../dicom/encode.js';
import { isDicomError } from '../dicom/errors.js';
import type { Dataset, DicomElement, ParsedDicom } from '../dicom/model.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, type Syntax } from '../dicom/transfer-syntax.js';
import { readText } from '../dicom/values.js';
import { walkElements } from '../dicom/walk.js';
import { concatChunks, encodeFileMeta, encodeNewDataset, type NewElement } from '../dicom/write.js';
import {
  ALL_OPTIONS,
  findOptionConflict,
  getPreset,
  methodCodes,
  OPTION_INFO,
  type OptionKey,
  type Profile,
  parseProfileFile,
} from '../profile/index.js';
import { patientShiftDays } from './date-shift.js';
import { anonymize, IMPLEMENTATION_CLASS_UID } from './engine.js';
import { isSkippedInput } from './errors.js';
import { keyFromBytes } from './key.js';
import { hashValue, pseudonymFor } from './pseudonym.js';
import { remapUid } from './uid-remap.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x33));
const OTHER_KEY = keyFromBytes(new Uint8Array(32).fill(0x44));
const TS: Record<string, { uid: string; syntax: Syntax }> = {
  implicit: { uid: '1.2.840.10008.1.2', syntax: IMPLICIT_LE },
  explicit: { uid: '1.2.840.10008.1.2.1', syntax: EXPLICIT_LE },
  big: { uid: '1.2.840.10008.1.2.2', syntax: EXPLICIT_BE },
};
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ROOT = '1.2.826.0.1.3680043.9.7777.42';
const SOP_UID = `${ROOT}.3`;
const STUDY_UID = `${ROOT}.1`;
const SERIES_UID = `${ROOT}.2`;
const CONTAINER = 0x00081115;

const t = (tag: number, vr: string, v: string): NewElement => ({ tag, vr, value: asciiBytes(v) });

function part10(elements: readonly NewElement[], ts = TS.explicit!, sopUid = SOP_UID): Uint8Array {
  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    t(0x00020002, 'UI', CT),
    t(0x00020003, 'UI', sopUid),
    t(0x00020010, 'UI', ts.uid),
    t(0x00020012, 'UI', '1.2.3.4.5.6.7'),
    t(0x00020013, 'SH', 'SOMEWRITER'),
  ]);
  const ds = encodeNewDataset(elements, ts.syntax);
  const out = new Uint8Array(132 + meta.length + ds.length);
  out.set(asciiBytes('DICM'), 128);
  out.set(meta, 132);
  out.set(ds, 132 + meta.length);
  return out;
}

const base = (extra: readonly NewElement[] = []): NewElement[] => {
  const m = new Map<number, NewElement>(
    [
      t(0x00080016, 'UI', CT),
      t(0x00080018, 'UI', SOP_UID),
      t(0x00080020, 'DA', '20200115'),
      t(0x00080060, 'CS', 'CT'),
      t(0x00100010, 'PN', 'DOE^JANE'),
      t(0x00100020, 'LO', 'PAT-0042'),
      t(0x0020000d, 'UI', STUDY_UID),
      t(0x0020000e, 'UI', SERIES_UID),
    ].map((e) => [e.tag, e]),
  );
  for (const e of extra) m.set(e.tag, e);
  return [...m.values()];
};

const profileOf = (options: OptionKey[], extra: Partial<Profile> = {}): Profile => ({
  ...getPreset('basic'),
  options,
  ...extra,
});

function run(bytes: Uint8Array, profile: Profile, key = KEY) {
  const result = anonymize(parseDicom(new MemorySource(bytes)), { profile, key, toolVersion: '0.1.0' });
  const outBytes = concatChunks(result.chunks);
  return { result, outBytes, out: parseDicom(new MemorySource(outBytes)) };
}

const find = (ds: Dataset, tag: number) => ds.elements.find((e) => e.tag === tag);
const str = (out: ParsedDicom, el: DicomElement | undefined, vr: string) =>
  el ? readText(out.source, el, vr, undefined) : undefined;
const rawOf = (out: ParsedDicom, el: DicomElement) => out.source.read(el.valueStart, el.length);
const has = (haystack: Uint8Array, needle: string | Uint8Array) =>
  Buffer.from(haystack).includes(
    typeof needle === 'string' ? Buffer.from(needle, 'latin1') : Buffer.from(needle),
  );

/** Every value of a tag at any depth, decoded with the charset in force. */
function valuesOf(out: ParsedDicom, tag: number, vr: string): string[] {
  const found: string[] = [];
  walkElements(out.source, out.dataset, (el, ctx) => {
    if (el.tag === tag) found.push(readText(out.source, el, vr, ctx.charset));
    return undefined;
  });
  return found;
}

describe('custom rules through the engine', () => {
  const RULES_PROFILE = JSON.stringify({
    version: 1,
    name: 'rules',
    base: 'basic',
    rules: [
      { tag: '(0008,1030)', action: 'keep' }, // Study Description: X in the table
      { tag: '(0008,0070)', action: 'remove' }, // Manufacturer: not in the table, kept by default
      { keyword: 'PatientAge', action: 'empty' }, // X in the table
      { keyword: 'PatientID', action: 'replace', value: 'SUBJ-001' },
      { keyword: 'RelatedGeneralSOPClassUID', action: 'remapUid' }, // not in the table
      { tag: '(0008,0021)', action: 'shiftDate' }, // Series Date: X/D in the table
      { tag: '(0008,0050)', action: 'hash' }, // Accession Number: Z in the table
      { private: { creator: 'ACME 1.0', group: '0029', element: '10' }, action: 'keep' },
      { private: { creator: 'ACME 1.0', group: '0029', element: '11' }, action: 'replace', value: 'PRIV-X' },
      { private: { creator: 'ACME 1.0', group: '0029', element: '12' }, action: 'hash' },
    ],
  });
  const profile = parseProfileFile(RULES_PROFILE, 'rules.json');
  const attributes = (): NewElement[] => [
    t(0x00080021, 'DA', '20200116'),
    t(0x00080050, 'SH', 'ACC-991'),
    t(0x0008001a, 'UI', `${ROOT}.77`),
    t(0x00080070, 'LO', 'ACME Scanners'),
    t(0x00081030, 'LO', 'CT CHEST KEEPME'),
    t(0x00101010, 'AS', '047Y'),
    t(0x00290010, 'LO', 'ACME 1.0'),
    t(0x00291010, 'LO', 'PRIVATE-KEEP-ME'),
    t(0x00291011, 'LO', 'PRIVATE-REPLACE-ME'),
    t(0x00291012, 'LO', 'PRIVATE-HASH-ME'),
    t(0x00291013, 'LO', 'PRIVATE-NO-RULE'),
  ];
  const bytes = part10(base([...attributes(), { tag: CONTAINER, vr: 'SQ', items: [attributes()] }]));
  const { out, outBytes } = run(bytes, profile);

  it('applies each action at top level and inside a sequence item', () => {
    const item = find(out.dataset, CONTAINER)!.items!.at(0)!;
    for (const [where, ds] of [
      ['top', out.dataset],
      ['nested', item],
    ] as const) {
      expect(str(out, find(ds, 0x00081030), 'LO'), `${where} keep`).toBe('CT CHEST KEEPME');
      expect(find(ds, 0x00080070), `${where} remove`).toBeUndefined();
      expect(find(ds, 0x00101010)?.length, `${where} empty`).toBe(0);
      expect(str(out, find(ds, 0x0008001a), 'UI'), `${where} remapUid`).toBe(remapUid(KEY, `${ROOT}.77`));
      expect(str(out, find(ds, 0x00080050), 'SH'), `${where} hash`).toBe(hashValue(KEY, 'ACC-991'));
      const shift = patientShiftDays(KEY, 'PAT-0042', profile.dateShift);
      const seriesDate = str(out, find(ds, 0x00080021), 'DA');
      expect(seriesDate, `${where} shiftDate`).toMatch(/^\d{8}$/);
      const day = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8)) / 86_400_000;
      expect(day(seriesDate!) - day('20200116'), `${where} shiftDate by the patient's shift`).toBe(shift);
      expect(str(out, find(ds, 0x00290010), 'LO'), `${where} creator kept with its block`).toBe('ACME 1.0');
      expect(str(out, find(ds, 0x00291010), 'LO'), `${where} private keep`).toBe('PRIVATE-KEEP-ME');
      expect(str(out, find(ds, 0x00291011), 'LO'), `${where} private replace`).toBe('PRIV-X');
      expect(str(out, find(ds, 0x00291012), 'LO'), `${where} private hash`).toBe(
        hashValue(KEY, 'PRIVATE-HASH-ME'),
      );
      expect(find(ds, 0x00291013), `${where} private without a rule`).toBeUndefined();
    }
    expect(str(out, find(out.dataset, 0x00100020), 'LO')).toBe('SUBJ-001');
    for (const gone of [
      'ACME Scanners',
      'ACC-991',
      '20200116',
      'PRIVATE-REPLACE-ME',
      'PRIVATE-HASH-ME',
      'PRIVATE-NO-RULE',
      'PAT-0042',
      `${ROOT}.77`,
    ]) {
      expect(has(outBytes, gone), gone).toBe(false);
    }
  });

  it('a rule on a private element needs the right creator', () => {
    const other = part10(base([t(0x00290010, 'LO', 'OTHER 2.0'), t(0x00291010, 'LO', 'PRIVATE-KEEP-ME')]));
    const { out: o } = run(other, profile);
    expect(find(o.dataset, 0x00291010)).toBeUndefined();
    expect(find(o.dataset, 0x00290010)).toBeUndefined();
  });
});

describe('Retain Safe Private', () => {
  // (0019,xx9E) GEMS_ACQU_01 LO and (0019,xx23) DS are on Table E.3.10-1; (0019,xx10) is not.
  const privateBlock = (): NewElement[] => [
    t(0x00190010, 'LO', 'GEMS_ACQU_01'),
    t(0x00191023, 'DS', '12.5'),
    t(0x0019109e, 'LO', 'FIESTA'),
    t(0x00191010, 'LO', 'NOT-SAFE-VALUE'),
    t(0x00190011, 'LO', 'UNKNOWN CREATOR'),
    t(0x00191110, 'LO', 'UNKNOWN-BLOCK-VALUE'),
    // Safe private sequence (2001,xx5F Philips Imaging DD 001): kept, but what it holds is de-identified.
    t(0x20010010, 'LO', 'Philips Imaging DD 001'),
    {
      tag: 0x2001105f,
      vr: 'SQ',
      items: [
        [t(0x00081155, 'UI', `${ROOT}.500`), t(0x00100010, 'PN', 'DOE^JANE'), t(0x00200032, 'DS', '1\\2\\3')],
      ],
    },
  ];
  const bytes = part10(base([...privateBlock(), { tag: CONTAINER, vr: 'SQ', items: [privateBlock()] }]));

  it('keeps the listed attributes with their creator and removes the rest', () => {
    const { out, outBytes } = run(bytes, profileOf(['retainSafePrivate']));
    for (const ds of [out.dataset, find(out.dataset, CONTAINER)!.items!.at(0)!]) {
      expect(str(out, find(ds, 0x00190010), 'LO')).toBe('GEMS_ACQU_01');
      expect(rawOf(out, find(ds, 0x00191023)!)).toEqual(asciiBytes('12.5'));
      expect(str(out, find(ds, 0x0019109e), 'LO')).toBe('FIESTA');
      expect(find(ds, 0x00191010)).toBeUndefined();
      expect(find(ds, 0x00190011)).toBeUndefined();
      expect(find(ds, 0x00191110)).toBeUndefined();
      const sq = find(ds, 0x2001105f);
      expect(sq?.items?.length, 'safe private sequence kept').toBe(1);
      const item = sq!.items!.at(0)!;
      expect(str(out, find(item, 0x00081155), 'UI')).toBe(remapUid(KEY, `${ROOT}.500`));
      expect(str(out, find(item, 0x00100010), 'PN')).not.toContain('DOE');
      expect(str(out, find(item, 0x00200032), 'DS')).toBe('1\\2\\3');
    }
    for (const gone of [
      'NOT-SAFE-VALUE',
      'UNKNOWN CREATOR',
      'UNKNOWN-BLOCK-VALUE',
      `${ROOT}.500`,
      'DOE^JANE',
    ]) {
      expect(has(outBytes, gone), gone).toBe(false);
    }
  });

  it('without the option every private attribute and creator goes', () => {
    const { out } = run(bytes, profileOf([]));
    walkElements(out.source, out.dataset, (el) => {
      expect((el.tag >>> 16) & 1, `private ${el.tag.toString(16)} left`).toBe(0);
      return undefined;
    });
  });
});

describe('overlays', () => {
  const overlay = (g: number): NewElement[] => [
    { tag: (g << 16) | 0x0010, vr: 'US', value: encodeNumbers('US', [4], EXPLICIT_LE) },
    { tag: (g << 16) | 0x0011, vr: 'US', value: encodeNumbers('US', [4], EXPLICIT_LE) },
    t((g << 16) | 0x0040, 'CS', 'G'),
    { tag: (g << 16) | 0x0050, vr: 'SS', value: encodeNumbers('SS', [1, 1], EXPLICIT_LE) },
    { tag: (g << 16) | 0x0100, vr: 'US', value: encodeNumbers('US', [1], EXPLICIT_LE) },
    { tag: (g << 16) | 0x0102, vr: 'US', value: encodeNumbers('US', [0], EXPLICIT_LE) },
    t((g << 16) | 0x1500, 'LO', 'DOE burned label'),
    { tag: (g << 16) | 0x3000, vr: 'OW', value: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) },
  ];
  const bytes = part10(base([...overlay(0x6000), ...overlay(0x6002)]));
  const overlayTags = (out: ParsedDicom) =>
    out.dataset.elements.filter((e) => e.tag >>> 16 >= 0x6000 && e.tag >>> 16 <= 0x601e).map((e) => e.tag);

  it.each([[[]], [['cleanGraphics']]] as OptionKey[][][])(
    'the whole Overlay Plane goes with its bitmap (%j): no module left without its Type 1 data',
    (options) => {
      const { out, outBytes } = run(bytes, profileOf(options));
      expect(overlayTags(out)).toEqual([]);
      expect(has(outBytes, new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toBe(false);
    },
  );

  it('a rule that keeps the bitmap keeps the rest of the overlay', () => {
    const profile = parseProfileFile(
      JSON.stringify({
        version: 1,
        name: 'ovl',
        base: 'basic',
        rules: [{ tag: '(60xx,3000)', action: 'keep' }],
      }),
      'ovl.json',
    );
    const { out } = run(bytes, profile);
    expect(overlayTags(out)).toContain(0x60003000);
    expect(overlayTags(out)).toContain(0x60000010);
    expect(overlayTags(out)).toContain(0x60023000);
  });
});

describe('what the dataset records about the de-identification', () => {
  const bytes = part10(base([t(0x00120062, 'CS', 'NO'), t(0x00280303, 'CS', 'UNMODIFIED')]));
  const sets: OptionKey[][] = [
    [],
    ['retainLongModifiedDates'],
    ['retainLongFullDates'],
    ALL_OPTIONS.filter((o) => o !== 'retainLongFullDates'),
    ['retainUIDs', 'cleanGraphics'],
  ];
  it.each(sets.map((s) => [s.join('+') || 'basic', s] as const))('%s', (_, options) => {
    expect(findOptionConflict(new Set(options))).toBeUndefined();
    const { out } = run(bytes, profileOf(options));
    expect(str(out, find(out.dataset, 0x00120062), 'CS')).toBe('YES');
    expect(str(out, find(out.dataset, 0x00120063), 'LO')).toMatch(/^dicom-deid 0\.1\.0; PS3\.15 2026d basic/);
    const longitudinal = options.includes('retainLongFullDates')
      ? 'UNMODIFIED'
      : options.includes('retainLongModifiedDates')
        ? 'MODIFIED'
        : 'REMOVED';
    expect(str(out, find(out.dataset, 0x00280303), 'CS')).toBe(longitudinal);
    const seq = find(out.dataset, 0x00120064)!;
    const codes = seq.items!.map((item) => ({
      value: str(out, find(item, 0x00080100), 'SH'),
      scheme: str(out, find(item, 0x00080102), 'SH'),
      meaning: str(out, find(item, 0x00080104), 'LO'),
    }));
    expect(codes[0]).toEqual({
      value: '113100',
      scheme: 'DCM',
      meaning: 'Basic Application Confidentiality Profile',
    });
    // This file has no pixels, so Clean Pixel Data cleaned nothing and its code is not claimed.
    const applied: OptionKey[] = options.filter((o) => o !== 'cleanPixelData');
    expect(codes.slice(1).map((c) => c.value)).toEqual(
      ALL_OPTIONS.filter((o) => applied.includes(o)).map((o) => OPTION_INFO[o].code.value),
    );
    expect(codes).toEqual(
      methodCodes(applied).map((c) => ({ value: c.value, scheme: c.scheme, meaning: c.meaning })),
    );
    // Each attribute appears once: the input's own values were replaced, not duplicated.
    for (const tag of [0x00120062, 0x00120063, 0x00120064, 0x00280303]) {
      expect(out.dataset.elements.filter((e) => e.tag === tag)).toHaveLength(1);
    }
  });
});

describe('file meta', () => {
  it.each(Object.keys(TS))(
    '%s: rebuilt, naming the new SOP Instance UID and the same transfer syntax',
    (name) => {
      const ts = TS[name]!;
      const { out, result } = run(part10(base(), ts), profileOf([]));
      const meta = (tag: number) =>
        readText(out.fileSource, out.meta.find((e) => e.tag === tag)!, 'UI', undefined);
      const sop = str(out, find(out.dataset, 0x00080018), 'UI');
      expect(sop).toBe(remapUid(KEY, SOP_UID));
      expect(meta(0x00020003)).toBe(sop);
      expect(result.identity.sopInstanceUID).toBe(sop);
      expect(meta(0x00020002)).toBe(CT);
      expect(meta(0x00020010)).toBe(ts.uid);
      expect(out.transferSyntax.uid).toBe(ts.uid);
      expect(meta(0x00020012)).toBe(IMPLEMENTATION_CLASS_UID);
      expect(readText(out.fileSource, out.meta.find((e) => e.tag === 0x00020013)!, 'SH', undefined)).toBe(
        'DICOMDEID_0.1.0',
      );
      expect(out.meta.find((e) => e.tag === 0x00020001)).toBeDefined();
      // The group length is right.
      const gl = out.meta.find((e) => e.tag === 0x00020000)!;
      const declared = new DataView(rawOf({ ...out, source: out.fileSource }, gl).slice().buffer).getUint32(
        0,
        true,
      );
      expect(declared).toBe(out.datasetStart - gl.end);
    },
  );

  it('keeps the original SOP Instance UID in the meta under Retain UIDs', () => {
    const { out } = run(part10(base()), profileOf(['retainUIDs']));
    const metaUid = readText(out.fileSource, out.meta.find((e) => e.tag === 0x00020003)!, 'UI', undefined);
    expect(metaUid).toBe(SOP_UID);
  });
});

describe('determinism and the key', () => {
  const file = part10(
    base([
      t(0x00080021, 'DA', '20200116'),
      t(0x00200052, 'UI', `${ROOT}.9`),
      t(0x00081030, 'LO', 'DOE study'),
      { tag: CONTAINER, vr: 'SQ', items: [[t(0x0020000e, 'UI', SERIES_UID)]] },
      { tag: 0x7fe00010, vr: 'OW', value: encodeNumbers('OW', [1, 2, 3, 4], EXPLICIT_LE) },
    ]),
  );
  const profiles = [getPreset('basic'), getPreset('research'), getPreset('relinkable')];

  it.each(profiles.map((p) => [p.base, p] as const))(
    '%s: same input, key and profile give the same bytes',
    (_, p) => {
      const a = run(file, p).outBytes;
      const b = run(new Uint8Array(file), p).outBytes;
      expect(Buffer.compare(a, b)).toBe(0);
    },
  );

  it('a different key gives different UIDs, pseudonyms and shifts, and the same structure', () => {
    const a = run(file, getPreset('research'));
    const b = run(file, getPreset('research'), OTHER_KEY);
    for (const tag of [0x00080018, 0x0020000d, 0x0020000e, 0x00200052, 0x00100020, 0x00100010]) {
      const vr = tag === 0x00100010 ? 'PN' : tag === 0x00100020 ? 'LO' : 'UI';
      expect(str(a.out, find(a.out.dataset, tag), vr)).not.toBe(str(b.out, find(b.out.dataset, tag), vr));
    }
    expect(a.out.dataset.elements.map((e) => e.tag)).toEqual(b.out.dataset.elements.map((e) => e.tag));
    expect(str(b.out, find(b.out.dataset, 0x00080018), 'UI')).toBe(remapUid(OTHER_KEY, SOP_UID));
  });

  it('remaps a UID to the same value wherever it appears', () => {
    const { out } = run(file, getPreset('basic'));
    const nested = find(out.dataset, CONTAINER)!.items!.at(0)!;
    expect(str(out, find(nested, 0x0020000e), 'UI')).toBe(str(out, find(out.dataset, 0x0020000e), 'UI'));
  });

  it('copies pixel data byte for byte', () => {
    const { out } = run(file, getPreset('basic'));
    const px = find(out.dataset, 0x7fe00010)!;
    expect([...rawOf(out, px)]).toEqual([...encodeNumbers('OW', [1, 2, 3, 4], EXPLICIT_LE)]);
  });
});

describe('names in other encodings of a synthetic file', () => {
  it('Latin-1 name parts are gone from every text, Clean Descriptors keeps the rest', () => {
    const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    const bytes = part10(
      base([
        t(0x00080005, 'CS', 'ISO_IR 100'),
        { tag: 0x00100010, vr: 'PN', value: latin1('MÜLLER^JÉRÔME') },
        { tag: 0x00081030, vr: 'LO', value: latin1('Kontrolle Jérôme Müller') },
      ]),
    );
    const { out, outBytes } = run(bytes, profileOf(['cleanDescriptors']));
    expect(has(outBytes, latin1('MÜLLER'))).toBe(false);
    expect(has(outBytes, latin1('Müller'))).toBe(false);
    expect(has(outBytes, latin1('Jérôme'))).toBe(false);
    const desc = find(out.dataset, 0x00081030)!;
    expect(readText(out.source, desc, 'LO', 'ISO_IR 100')).toBe('Kontrolle [removed] [removed]');
  });
});

describe('damaged inputs', () => {
  const rich = (): NewElement[] =>
    base([
      t(0x00080005, 'CS', 'ISO_IR 100'),
      t(0x00080021, 'DA', '20200116'),
      t(0x0008002a, 'DT', '20200116101010.5-0500'),
      t(0x00081030, 'LO', 'DOE JANE 2020-01-16'),
      t(0x00200052, 'UI', `${ROOT}.9`),
      t(0x00290010, 'LO', 'ACME 1.0'),
      t(0x00291010, 'LO', 'PRIVATE'),
      {
        tag: CONTAINER,
        vr: 'SQ',
        items: [
          [t(0x0020000e, 'UI', SERIES_UID), t(0x00100010, 'PN', 'DOE^JANE')],
          [{ tag: 0x0040a730, vr: 'SQ', items: [[t(0x0040a160, 'UT', 'Jane Doe said hello')]] }],
        ],
      },
      { tag: 0x60003000, vr: 'OW', value: new Uint8Array(8) },
      { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(16) },
    ]);
  const files = Object.values(TS).map((ts) => part10(rich(), ts));
  const profiles = [
    getPreset('basic'),
    getPreset('research'),
    profileOf(ALL_OPTIONS.filter((o) => o !== 'retainLongFullDates')),
  ];

  it('whatever the parser accepts, the engine de-identifies without throwing, into a readable file', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.constantFrom(...profiles),
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant('flip' as const), fc.nat(), fc.integer({ min: 1, max: 255 })),
            fc.tuple(fc.constant('cut' as const), fc.nat(), fc.constant(0)),
            fc.tuple(fc.constant('insert' as const), fc.nat(), fc.integer({ min: 0, max: 255 })),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (file, profile, edits) => {
          let bytes = new Uint8Array(file);
          for (const [kind, at0, v] of edits) {
            const at = at0 % bytes.length;
            if (kind === 'flip') bytes[at] = bytes[at]! ^ v;
            else if (kind === 'cut') bytes = bytes.slice(0, Math.max(at, 1));
            else bytes = new Uint8Array([...bytes.subarray(0, at), v, v, v, v, ...bytes.subarray(at)]);
          }
          let parsed: ParsedDicom;
          try {
            parsed = parseDicom(new MemorySource(bytes));
          } catch (e) {
            expect(isDicomError(e), String(e)).toBe(true);
            return;
          }
          let outBytes: Uint8Array;
          try {
            outBytes = concatChunks(anonymize(parsed, { profile, key: KEY, toolVersion: '0.1.0' }).chunks);
          } catch (e) {
            if (isSkippedInput(e)) return;
            // A damaged class with no valid one in the meta to take its place fails the file, in words.
            if (isDicomError(e) && /holds a valid SOP Class UID$/.test(e.message)) return;
            throw e;
          }
          const out = parseDicom(new MemorySource(outBytes));
          expect(out.layout).toBe('part10');
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);
});

// ---------------------------------------------------------------- corpus-based tests

const corpus = (path: string) => join(CORPUS_DIR, path);
const readCorpusFile = (path: string) => new Uint8Array(readFileSync(corpus(path)));
const CHARSET_DIR = 'fo-dicom+fo-dicom/TestData/charset';
const CHARSET_FILES = [
  'chrArab.dcm',
  'chrFren.dcm',
  'chrGB2312.dcm',
  'chrGerm.dcm',
  'chrGreek.dcm',
  'chrH31.dcm',
  'chrH32.dcm',
  'chrHbrw.dcm',
  'chrI2.dcm',
  'chrJapMulti.dcm',
  'chrJapMultiExplicitIR6.dcm',
  'chrKoreanMulti.dcm',
  'chrRuss.dcm',
  'chrSQEncoding.dcm',
  'chrSQEncoding1.dcm',
  'chrX1.dcm',
  'chrX2.dcm',
].map((f) => `${CHARSET_DIR}/${f}`);
const GB18030_FILES = [
  'fo-dicom+fo-dicom/TestData/GH1301.dcm',
  'orthanc-mirrors+orthanc-tests/Database/Encodings/DavidClunie/SCSX2',
];

/** The parts of a PN value's bytes: split at ^ = and space, with ISO 2022 escape sequences cut out. */
function nameByteParts(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  const flush = (end: number) => {
    if (end - start >= 2) parts.push(bytes.slice(start, end));
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      flush(i);
      // ESC, then intermediate bytes 0x20-0x2F, then one final byte.
      let j = i + 1;
      while (j < bytes.length && bytes[j]! >= 0x20 && bytes[j]! <= 0x2f) j++;
      i = j;
      start = j + 1;
    } else if (b === 0x5e || b === 0x3d || b === 0x20 || b === 0x5c) {
      flush(i);
      start = i + 1;
    }
  }
  flush(bytes.length);
  return parts;
}

describe.skipIf(!hasCorpus)('Specific Character Set inputs: no part of the patient name survives', () => {
  for (const path of [...CHARSET_FILES, ...GB18030_FILES]) {
    it(path, () => {
      const input = parseDicom(new MemorySource(readCorpusFile(path)));
      const names: Array<{ bytes: Uint8Array; text: string }> = [];
      walkElements(input.source, input.dataset, (el, ctx) => {
        if (ctx.vr === 'PN' && el.length > 0 && !el.items) {
          names.push({
            bytes: input.source.read(el.valueStart, el.length),
            text: readText(input.source, el, 'PN', ctx.charset),
          });
        }
        return undefined;
      });
      expect(names.length, 'the file holds names').toBeGreaterThan(0);
      for (const profile of [getPreset('basic'), profileOf(['cleanDescriptors', 'cleanStructuredContent'])]) {
        const { outBytes, out } = run(readCorpusFile(path), profile);
        const haystack = out.source === out.fileSource ? outBytes : out.source.read(0, out.source.size);
        for (const n of names) {
          for (const part of nameByteParts(n.bytes)) {
            // Short ASCII parts (e.g. "Li") could occur anywhere by chance; non-ASCII ones cannot.
            if (part.every((b) => b < 0x80) && part.length < 3) continue;
            expect(has(haystack, part), `${Buffer.from(part).toString('hex')} of ${n.text} survived`).toBe(
              false,
            );
          }
        }
        // And no decoded text of the output contains a name component.
        const components = names.flatMap((n) =>
          n.text.split(/[\^=\\ ]+/).filter((c) => c.length >= 2 && !/^[\x00-\x7f]{1,2}$/.test(c)),
        );
        walkElements(out.source, out.dataset, (el, ctx) => {
          const text = readText(out.source, el, ctx.vr, ctx.charset);
          for (const c of components) expect(text.includes(c), `${c} in ${el.tag.toString(16)}`).toBe(false);
          return undefined;
        });
      }
    });
  }
});

describe.skipIf(!hasCorpus)('consistency across files of one patient', () => {
  const research = getPreset('research');

  it('PatientWith2studies: the same pseudonym and the same date shift in both files', () => {
    const dir = 'orthanc-mirrors+orthanc-tests/Database/PatientWith2studies';
    const files = ['TEST_1_study_1234.dcm', 'TEST_1_study_2345.dcm'].map((f) =>
      readCorpusFile(`${dir}/${f}`),
    );
    const inputs = files.map((b) => parseDicom(new MemorySource(b)));
    const ids = inputs.map((p) => str(p, find(p.dataset, 0x00100020), 'LO'));
    expect(ids[0]).toBe(ids[1]);
    const outs = files.map((b) => run(b, research).out);
    const day = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8)) / 86_400_000;
    const shifts = inputs.map((p, i) => {
      const before = str(p, find(p.dataset, 0x00080020), 'DA')!;
      const after = str(outs[i]!, find(outs[i]!.dataset, 0x00080020), 'DA')!;
      expect(after).not.toBe(before);
      return day(after) - day(before);
    });
    expect(shifts[0]).toBe(shifts[1]);
    expect(shifts[0]).toBe(patientShiftDays(KEY, ids[0]!.trim(), research.dateShift));
    for (const [tag, vr] of [
      [0x00100020, 'LO'],
      [0x00100010, 'PN'],
    ] as const) {
      const [a, b] = outs.map((o) => str(o, find(o.dataset, tag), vr));
      expect(a).toBe(b);
      expect(a).not.toBe(str(inputs[0]!, find(inputs[0]!.dataset, tag), vr));
    }
    expect(str(outs[0]!, find(outs[0]!.dataset, 0x00100020), 'LO')).toBe(
      pseudonymFor(KEY, ids[0]!).patientId,
    );
    // Two studies stay two studies.
    expect(str(outs[0]!, find(outs[0]!.dataset, 0x0020000d), 'UI')).not.toBe(
      str(outs[1]!, find(outs[1]!.dataset, 0x0020000d), 'UI'),
    );
  });

  it('RTH: the RT Structure Set still references the de-identified CT', () => {
    const dir = 'orthanc-mirrors+orthanc-tests/Database/HierarchicalAnonymization/RTH';
    for (const profile of [getPreset('basic'), getPreset('research')]) {
      const ct = run(readCorpusFile(`${dir}/CT01.dcm`), profile).out;
      const rtIn = parseDicom(new MemorySource(readCorpusFile(`${dir}/RT.dcm`)));
      const rt = run(readCorpusFile(`${dir}/RT.dcm`), profile).out;
      const ctSop = str(ct, find(ct.dataset, 0x00080018), 'UI')!;
      const ctIn = parseDicom(new MemorySource(readCorpusFile(`${dir}/CT01.dcm`)));
      const ctSopIn = str(ctIn, find(ctIn.dataset, 0x00080018), 'UI')!;
      // The input RT references this CT instance.
      expect(valuesOf(rtIn, 0x00081155, 'UI')).toContain(ctSopIn);
      const refs = valuesOf(rt, 0x00081155, 'UI');
      expect(refs).toContain(ctSop);
      expect(refs).not.toContain(ctSopIn);
      for (const r of refs) expect(r).toMatch(/^2\.25\.\d+$/);
      // Same study, same frame of reference, referenced series = the CT's series.
      expect(str(rt, find(rt.dataset, 0x0020000d), 'UI')).toBe(str(ct, find(ct.dataset, 0x0020000d), 'UI'));
      expect(valuesOf(rt, 0x00200052, 'UI')).toContain(str(ct, find(ct.dataset, 0x00200052), 'UI'));
      expect(valuesOf(rt, 0x0020000e, 'UI')).toContain(str(ct, find(ct.dataset, 0x0020000e), 'UI'));
      expect(valuesOf(rt, 0x00200052, 'UI').every((u) => u.startsWith('2.25.'))).toBe(true);
      // Same patient pseudonym.
      expect(str(rt, find(rt.dataset, 0x00100020), 'LO')).toBe(str(ct, find(ct.dataset, 0x00100020), 'LO'));
    }
  });
});

const DCIODVFY_FILES = [
  'orthanc-mirrors+orthanc-tests/Database/HierarchicalAnonymization/RTH/CT01.dcm',
  'orthanc-mirrors+orthanc-tests/Database/HierarchicalAnonymization/RTH/RT.dcm',
  'orthanc-mirrors+orthanc-tests/Database/PatientWith2studies/TEST_1_study_1234.dcm',
  'dicompyler+dicompyler-core/tests/testdata/example_data/ct.0.dcm',
  'dicompyler+dicompyler-core/tests/testdata/example_data/rtplan.dcm',
  'dicompyler+dicompyler-core/tests/testdata/example_data/rtss.dcm',
  'cornerstonejs+cornerstone3D/testImages/US-YBR_FULL_422-EVRLE.dcm',
  'cornerstonejs+dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm',
  'fo-dicom+fo-dicom/TestData/charset/chrX1.dcm',
  'bastula+eyeplantodicom/rtdose.dcm',
];

/** dciodvfy's error lines without values, which differ by design after de-identification. */
const errorKinds = (lines: string[]) =>
  lines.map((l) => l.replace(/<[^>]*>/g, '<>').replace(/"[^"]*"/g, '""'));

describe.skipIf(!hasCorpus)('dciodvfy: no new errors', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'deid-dciodvfy-'));
  for (const path of DCIODVFY_FILES) {
    it.skipIf(!hasTool('dciodvfy'))(path, () => {
      const input = corpus(path);
      const output = join(tmp, 'out.dcm');
      for (const profile of [getPreset('basic'), getPreset('research')]) {
        writeFileSync(output, run(readCorpusFile(path), profile).outBytes);
        const before = errorKinds(dciodvfyErrors(input));
        const after = errorKinds(dciodvfyErrors(output));
        const remaining = [...before];
        const added = after.filter((l) => {
          const i = remaining.indexOf(l);
          if (i === -1) return true;
          remaining.splice(i, 1);
          return false;
        });
        expect(added, `${profile.base}: new dciodvfy errors`).toEqual([]);
        expect(after.length).toBeLessThanOrEqual(before.length);
      }
    });
  }
  it.runIf(!hasTool('dciodvfy'))('skipped: dciodvfy is not installed', () => {
    expect(hasTool('dciodvfy')).toBe(false);
  });
});

describe('identifiers hidden in awkward places', () => {
  it('cleans every person of a multi-valued name, and hyphenated surnames part by part', () => {
    const bytes = part10(
      base([
        t(0x00101001, 'PN', 'SMITH^MARY\\JONES^ANNA'), // Other Patient Names: two people
        t(0x00080090, 'PN', 'WALKER-HOLT^PETER'), // Referring Physician
        t(0x00204000, 'LT', 'Seen by Dr Holt; sister Anna Jones present'),
      ]),
    );
    const { outBytes } = run(bytes, profileOf(['cleanDescriptors']));
    for (const s of ['JONES', 'Jones', 'ANNA', 'Anna', 'Holt', 'WALKER'])
      expect(has(outBytes, s), s).toBe(false);
  });

  it('treats a Patient Name written with the wrong VR (LO) as a name', () => {
    const bytes = part10(base([t(0x00100010, 'LO', 'DOE^JANE'), t(0x00204000, 'LT', 'Jane is anxious')]));
    const { outBytes } = run(bytes, profileOf(['cleanDescriptors']));
    expect(has(outBytes, 'Jane')).toBe(false);
  });

  it('removes a free-text value stored encapsulated (undefined length), which cannot be read or checked', () => {
    const ut = asciiBytes('DOE JANE PAT-0042');
    // (0040,A160) UT with undefined length: one fragment holding the text, then a sequence delimiter.
    const head = new Uint8Array(12);
    const v = new DataView(head.buffer);
    v.setUint16(0, 0x0040, true);
    v.setUint16(2, 0xa160, true);
    head.set(asciiBytes('UT'), 4);
    v.setUint32(8, 0xffffffff, true);
    const item = new Uint8Array(8 + 18);
    const iv = new DataView(item.buffer);
    iv.setUint16(0, 0xfffe, true);
    iv.setUint16(2, 0xe000, true);
    iv.setUint32(4, 18, true);
    item.set(ut, 8);
    const delim = Uint8Array.of(0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0);
    const file = part10(base());
    const bytes = new Uint8Array(file.length + head.length + item.length + delim.length);
    bytes.set(file);
    bytes.set(head, file.length);
    bytes.set(item, file.length + head.length);
    bytes.set(delim, file.length + head.length + item.length);
    const { outBytes } = run(bytes, getPreset('basic'));
    expect(has(outBytes, 'DOE JANE')).toBe(false);
    expect(has(outBytes, 'PAT-0042')).toBe(false);
  });

  it('removes a sequence that a rule asks to replace or hash (its items could not be processed)', () => {
    const profile = parseProfileFile(
      JSON.stringify({
        name: 'r',
        base: 'basic',
        rules: [{ keyword: 'RequestAttributesSequence', action: 'hash' }],
      }),
      'r.json',
    );
    const seq: NewElement = {
      tag: 0x00400275,
      vr: 'SQ',
      items: [[t(0x00321060, 'LO', 'PROC FOR JANE DOE'), t(0x00401001, 'SH', 'RP-777')]],
    };
    const { out, outBytes } = run(part10(base([seq])), profile);
    expect(find(out.dataset, 0x00400275)).toBeUndefined();
    expect(has(outBytes, 'RP-777')).toBe(false);
  });

  it('gives patients without a Patient ID different pseudonyms', () => {
    const a = run(
      part10(base([t(0x00100020, 'LO', ''), t(0x00100010, 'PN', 'DOE^JANE')])),
      getPreset('basic'),
    );
    const b = run(
      part10(base([t(0x00100020, 'LO', ''), t(0x00100010, 'PN', 'ROE^RICHARD')])),
      getPreset('basic'),
    );
    expect(a.result.identity.patientId).not.toBe(b.result.identity.patientId);
  });

  it('shifts each value of a multi-valued date', () => {
    const { out } = run(
      part10(base([t(0x00181200, 'DA', '20200101\\20200301')])), // Date of Last Calibration
      profileOf(['retainLongModifiedDates']),
    );
    const shifted = str(out, find(out.dataset, 0x00181200), 'DA')!.split('\\');
    expect(shifted).toHaveLength(2);
    expect(shifted.every((d) => /^\d{8}$/.test(d) && !['20200101', '20200301'].includes(d))).toBe(true);
  });

  it('keeps code values with digits intact while cleaning prose dates', () => {
    const code: NewElement = {
      tag: 0x00082218, // Anatomic Region Sequence: not in the table, kept and scrubbed
      vr: 'SQ',
      items: [[t(0x00080100, 'SH', '20050412'), t(0x00080102, 'SH', 'SCT'), t(0x00080104, 'LO', 'Chest')]],
    };
    const { out } = run(
      part10(base([code, t(0x00204000, 'LT', 'Compared with 2019-03-04')])),
      profileOf(['cleanDescriptors']),
    );
    const item = find(out.dataset, 0x00082218)!.items!.at(0)!;
    expect(str(out, find(item, 0x00080100), 'SH')).toBe('20050412');
    expect(str(out, find(out.dataset, 0x00204000), 'LT')).not.toContain('2019-03-04');
  });
});

describe('the residual targets leave out what an option keeps and what the engine writes', () => {
  it('does not ask the check to find a name part that the retained Institution Name contains', () => {
    const bytes = part10(base([t(0x00080080, 'LO', 'ST MARY HOSPITAL'), t(0x00080090, 'PN', 'SMITH^MARY')]));
    const { result } = run(bytes, profileOf(['retainInstitutionIdentity']));
    const texts = result.removedIdentifiers.map((i) => i.text.toUpperCase());
    expect(texts).toContain('SMITH');
    expect(texts).not.toContain('MARY');
  });

  it('does not look for a birth date equal to the dummy date the engine writes', () => {
    const { result } = run(part10(base([t(0x00100030, 'DA', '19000101')])), getPreset('basic'));
    expect(result.removedIdentifiers.map((i) => i.text)).not.toContain('19000101');
  });
});

describe('Retain Safe Private, on values a file does not type', () => {
  it('remaps a safe private UID like a public one', () => {
    const bytes = part10(base([t(0x00990010, 'LO', 'NQHeader'), t(0x00991002, 'UI', `${ROOT}.900`)]));
    const { out, outBytes } = run(bytes, profileOf(['retainSafePrivate']));
    expect(str(out, find(out.dataset, 0x00991002), 'UI')).toBe(remapUid(KEY, `${ROOT}.900`));
    expect(has(outBytes, `${ROOT}.900`)).toBe(false);
  });

  it('uses the table VR in implicit VR files, so safe private text is cleaned, not kept as unknown bytes', () => {
    const bytes = part10(
      base([t(0x20010010, 'LO', 'Philips Imaging DD 001'), t(0x20011050, 'LO', 'MARKER FOR DOE JANE')]),
      TS.implicit!,
    );
    const { out, outBytes } = run(bytes, profileOf(['retainSafePrivate']));
    expect(find(out.dataset, 0x20011050)).toBeDefined();
    expect(has(outBytes, 'DOE')).toBe(false);
  });
});

describe('instances without a SOP Instance UID', () => {
  it('get distinct, stable new UIDs, so two of them in one series are not taken for one', () => {
    const a = part10(base([t(0x00080018, 'UI', ''), t(0x00200013, 'IS', '1')]));
    const b = part10(base([t(0x00080018, 'UI', ''), t(0x00200013, 'IS', '2')]));
    const ua = run(a, getPreset('basic')).result.identity.sopInstanceUID;
    const ub = run(b, getPreset('basic')).result.identity.sopInstanceUID;
    expect(ua).not.toBe(ub);
    expect(run(a, getPreset('basic')).result.identity.sopInstanceUID).toBe(ua);
  });
});

describe('two-letter surnames', () => {
  it('are cleaned from free text, while titles and modality codes stay', () => {
    const bytes = part10(
      base([t(0x00100010, 'PN', 'LI^WEI^^DR'), t(0x00204000, 'LT', 'Dr Li seen for MR HEAD follow-up')]),
    );
    const { out } = run(bytes, profileOf(['cleanDescriptors']));
    const comments = str(out, find(out.dataset, 0x00204000), 'LT')!;
    expect(comments).not.toMatch(/\bLi\b/);
    expect(comments).toContain('MR HEAD');
    expect(comments).toContain('Dr');
  });
});
