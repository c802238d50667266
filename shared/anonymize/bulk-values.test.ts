import { describe, expect, it } from 'vitest';
import { hasCorpus, readCorpus } from '../../test/corpus.js';
import { prng } from '../../test/fuzz.js';
import { part10, str } from '../../test/part10.js';
import { encodeNumbers } from '../dicom/encode.js';
import type { Dataset, DicomElement, ParsedDicom } from '../dicom/model.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { hasLongHeader } from '../dicom/vr.js';
import {
  concatChunks,
  type DatasetEdits,
  type ElementEdit,
  type NewElement,
  writeDicom,
} from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { anonymize } from './engine.js';
import { keyFromBytes } from './key.js';
import { findResidualIdentifiers } from './verify.js';

// Issue 9, left open after item 19: bulk values (OB/OW/UN) have no length rule, so an exactly wrong length
// swallows the attributes after it into a kept value that neither the profile nor the residual check reads.
const KEY = keyFromBytes(new Uint8Array(32).fill(0x2b));
const PLANTED: readonly NewElement[] = [
  str(0x00321032, 'PN', 'OCTAVIA^WINTERBOTTOM'),
  str(0x00380300, 'LO', 'ZANZIBAR ROYAL INFIRMARY'),
];
// Waveform Data is the last standard attribute of its item: what can follow it there is private.
const PLANTED_PRIVATE: readonly NewElement[] = [
  str(0x54010010, 'LO', 'ZANZIBAR ROYAL INFIRMARY'),
  str(0x54011001, 'PN', 'OCTAVIA^WINTERBOTTOM'),
];
const NEEDLES = ['WINTERBOTTOM', 'ZANZIBAR'];

interface Found {
  readonly el: DicomElement;
  readonly dataset: Dataset;
  /** The sequence elements and item indexes from the top level down to `dataset`. */
  readonly path: ReadonlyArray<readonly [DicomElement, number]>;
}

function find(ds: Dataset, tag: number, path: Found['path'] = []): Found | undefined {
  for (const el of ds.elements) {
    if (el.tag === tag) return { el, dataset: ds, path };
    for (const [i, item] of (el.items ?? []).entries()) {
      const hit = find(item, tag, [...path, [el, i]]);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** The file with `elements` added to the dataset that holds `tag` (at whatever depth), in tag order. */
function plantBeside(parsed: ParsedDicom, tag: number, elements: readonly NewElement[]): Uint8Array {
  const { path } = find(parsed.dataset, tag)!;
  let edits: DatasetEdits = { elements: new Map(), insert: elements };
  for (const [sequence, index] of [...path].reverse()) {
    const items: Array<DatasetEdits | undefined> = sequence.items!.map(() => undefined);
    items[index] = edits;
    edits = { elements: new Map<number, ElementEdit>([[sequence.start, { kind: 'items', items }]]) };
  }
  return concatChunks(writeDicom(parsed, edits));
}

/** The bytes with the length of `tag` grown to end exactly where the element `through` ends. */
function swallowing(bytes: Uint8Array, tag: number, through: number): Uint8Array {
  const parsed = parseDicom(new MemorySource(bytes));
  const { el, dataset } = find(parsed.dataset, tag)!;
  const last = dataset.elements.find((e) => e.tag === through)!;
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const length = last.end - el.valueStart;
  if (!dataset.syntax.explicitVR) view.setUint32(el.start + 4, length, dataset.syntax.littleEndian);
  else if (hasLongHeader(el.vr)) view.setUint32(el.start + 8, length, dataset.syntax.littleEndian);
  else view.setUint16(el.start + 6, length, dataset.syntax.littleEndian);
  return out;
}

/** What a batch would write: the output, unless the residual check stops it. */
function written(bytes: Uint8Array) {
  const result = anonymize(parseDicom(new MemorySource(bytes)), {
    profile: getPreset('basic'),
    key: KEY,
    toolVersion: '0.1.0',
  });
  const out = concatChunks(result.chunks);
  const stopped = findResidualIdentifiers(parseDicom(new MemorySource(out)), result.removedIdentifiers, 'o');
  return { out: stopped.length > 0 ? undefined : out, warnings: result.report.warnings.join('\n') };
}

const holds = (out: Uint8Array, needle: string) => Buffer.from(out).includes(Buffer.from(needle, 'latin1'));

const CASES = [
  {
    name: 'an ICC profile in an optical path (whole-slide image)',
    file: 'ImagingDataCommons+highdicom/data/test_files/sm_image.dcm',
    tag: 0x00282000,
    planted: PLANTED,
    reason: /\(0028,2000\) was removed: its length disagrees with the size its ICC profile header declares/,
  },
  {
    name: 'a top-level ICC profile (segmentation)',
    file: 'ImagingDataCommons+highdicom/data/test_files/seg_image_sm_control_labelmap_palette_color.dcm',
    tag: 0x00282000,
    planted: PLANTED,
    reason: /\(0028,2000\) was removed: its length disagrees with the size its ICC profile header declares/,
  },
  {
    name: 'ECG waveform data',
    file: 'ptrxwsmitt+pixelmed-dicom-toolkit/displaywave/39da47b7.dcm',
    tag: 0x54001010,
    planted: PLANTED_PRIVATE,
    reason: /\(5400,1010\) was removed: its length disagrees with its waveform samples, channels and bits/,
  },
  {
    name: 'waveform data of a file that miscounts its channels (1 said, 12 defined)',
    file: 'ptrxwsmitt+pixelmed-dicom-toolkit/displaywave/1074466202.fixed.dcm',
    tag: 0x54001010,
    planted: PLANTED_PRIVATE,
    reason: /\(5400,1010\) was removed: its length disagrees with its waveform samples, channels and bits/,
  },
];

describe.runIf(hasCorpus)('a kept bulk value whose length swallowed identifiers is not copied', () => {
  for (const c of CASES) {
    it(`${c.name}: kept byte for byte when whole, removed and reported when it swallowed a name`, () => {
      const parsed = parseDicom(new MemorySource(readCorpus(c.file)));
      const planted = plantBeside(parsed, c.tag, c.planted);
      const whole = written(planted);
      expect(whole.out).toBeDefined();
      const original = find(parsed.dataset, c.tag)!.el;
      const value = parsed.source.read(original.valueStart, original.length);
      expect(Buffer.from(whole.out!).includes(Buffer.from(value))).toBe(true);
      for (const n of NEEDLES) expect(holds(whole.out!, n)).toBe(false);

      // Seeded: swallow through the first or the second planted element.
      const rand = prng(0x5eed + c.tag);
      for (let k = 0; k < 4; k++) {
        const through = c.planted[Math.floor(rand() * c.planted.length)]!.tag;
        const damaged = swallowing(planted, c.tag, through);
        // The parser now sees what was swallowed inside the bulk value, not as an attribute of its own.
        expect(find(parseDicom(new MemorySource(damaged)).dataset, through)).toBeUndefined();
        const { out, warnings } = written(damaged);
        expect(out).toBeDefined();
        for (const n of NEEDLES) expect(holds(out!, n), n).toBe(false);
        expect(warnings).toMatch(c.reason);
        expect(warnings).not.toMatch(/WINTERBOTTOM|ZANZIBAR/);
      }
    });
  }
});

describe('a bulk value with no size of its own to check', () => {
  // Two Dimensional to Three Dimensional Map Data (0022,1531) OF: kept, and nothing declares its length.
  const mapData: NewElement = {
    tag: 0x00221531,
    vr: 'OF',
    value: encodeNumbers('FL', [1.5, -2.25, 3, 0.125], EXPLICIT_LE),
  };
  const base = () => [
    str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.4.2'),
    str(0x00100010, 'PN', 'DOE^JANE'),
  ];

  it('is kept when its end is its own', () => {
    const { out } = written(part10([...base(), mapData]));
    const parsed = parseDicom(new MemorySource(out!));
    expect(parsed.dataset.elements.some((e) => e.tag === 0x00221531)).toBe(true);
  });

  it('is kept when it is a megabyte of noise', () => {
    const rand = prng(22);
    const noise = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(rand() * 256));
    const bytes = part10([...base(), { tag: 0x00221531, vr: 'OF', value: noise }]);
    const { out, warnings } = written(bytes);
    expect(warnings).not.toMatch(/\(0022,1531\)/);
    expect(Buffer.from(out!).includes(Buffer.from(noise))).toBe(true);
  });

  it('goes when its end is data elements its length swallowed', () => {
    // Tags above the bulk value's, so the inserted name follows it in the file.
    for (const through of [0x00321032, 0x00380300]) {
      const bytes = swallowing(part10([...base(), mapData, ...PLANTED]), 0x00221531, through);
      const { out, warnings } = written(bytes);
      expect(holds(out!, 'ZANZIBAR')).toBe(false);
      expect(warnings).toMatch(
        /\(0022,1531\) was removed: its value ends in data elements that its length swallowed/,
      );
    }
  });
});
