import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dciodvfyErrors, dcmdumpErrors, hasTool } from '../../test/tools.js';
import { IMPLEMENTATION_CLASS_UID } from '../anonymize/engine.js';
import { EncodeError } from '../dicom/errors.js';
import { MEDIA_STORAGE_DIRECTORY } from '../dicom/header.js';
import type { Dataset, DicomElement, DicomItem } from '../dicom/model.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { readText } from '../dicom/values.js';
import { isStringVR } from '../dicom/vr.js';
import { walkElements } from '../dicom/walk.js';
import { buildDicomdir, type DicomdirEntry } from './build.js';
import { FileIdAllocator, fileIdFor } from './file-id.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const EXPLICIT = '1.2.840.10008.1.2.1';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';

/** Two patients: one with retained study facts, one whose dates, IDs and numbers the profile removed. */
function fileSet(): DicomdirEntry[] {
  const ids = new FileIdAllocator();
  const entries: DicomdirEntry[] = [];
  const add = (e: Omit<DicomdirEntry, 'fileId'>) => entries.push({ ...e, fileId: ids.next(e) });
  for (const [series, modality, sopClass] of [
    ['2.25.1002', 'CT', CT],
    ['2.25.1003', 'MR', MR],
  ] as const) {
    for (let i = 1; i <= 3; i++) {
      add({
        patientId: 'ANON-K7Q2M',
        patientName: 'ANONYMOUS^K7Q2M',
        studyInstanceUID: '2.25.1001',
        studyDate: '20200315',
        studyTime: '101500',
        studyId: 'S77',
        seriesInstanceUID: series,
        modality,
        seriesNumber: series.endsWith('2') ? '2' : '5',
        sopClassUID: sopClass,
        sopInstanceUID: `${series}.${i}`,
        transferSyntaxUID: i === 3 ? JPEG_LOSSLESS : EXPLICIT,
        instanceNumber: String(4 - i),
      });
    }
  }
  for (const study of ['2.25.2001', '2.25.2002']) {
    add({
      patientId: 'ANON-ZX9PL',
      patientName: '',
      studyInstanceUID: study,
      seriesInstanceUID: `${study}.9`,
      modality: '',
      sopClassUID: CT,
      sopInstanceUID: `${study}.9.1`,
      transferSyntaxUID: EXPLICIT,
    });
  }
  return entries;
}

const tmp = mkdtempSync(join(tmpdir(), 'deid-dicomdir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RECORD_TYPE = 0x00041430;
const NEXT = 0x00041400;
const LOWER = 0x00041420;

function parse(bytes: Uint8Array) {
  const parsed = parseDicom(new MemorySource(bytes));
  const top = (ds: Dataset, tag: number) => ds.elements.find((e) => e.tag === tag);
  const ul = (ds: Dataset, tag: number) => {
    const el = top(ds, tag)!;
    return new DataView(bytes.buffer, bytes.byteOffset + el.valueStart, 4).getUint32(0, true);
  };
  const str = (ds: Dataset, tag: number) => {
    const el = top(ds, tag);
    return el ? readText(parsed.source, el, el.vr, undefined).trim() : undefined;
  };
  const items = [...top(parsed.dataset, 0x00041220)!.items!];
  return { parsed, items, ul, str };
}

describe('buildDicomdir', () => {
  const bytes = buildDicomdir(fileSet(), { toolVersion: '0.1.0' });

  it('links every record by offsets that point at the first byte of the referenced item', () => {
    const { parsed, items, ul, str } = parse(bytes);
    expect(parsed.layout).toBe('part10');
    const byOffset = new Map<number, DicomItem>(items.map((item) => [item.start, item]));
    const follow = (offset: number): DicomItem[] => {
      const chain: DicomItem[] = [];
      for (let at = offset; at !== 0; at = ul(chain.at(-1)!, NEXT)) {
        const item = byOffset.get(at);
        expect(item, `offset ${at} is the start of an item`).toBeDefined();
        chain.push(item!);
      }
      return chain;
    };
    const visited: string[] = [];
    const walk = (offset: number, depth: number) => {
      for (const item of follow(offset)) {
        visited.push(`${'  '.repeat(depth)}${str(item, RECORD_TYPE)}`);
        walk(ul(item, LOWER), depth + 1);
      }
    };
    const root = follow(ul(parsed.dataset, 0x00041200));
    expect(root.at(-1)!.start).toBe(ul(parsed.dataset, 0x00041202));
    walk(ul(parsed.dataset, 0x00041200), 0);
    expect(visited).toEqual([
      'PATIENT',
      '  STUDY',
      '    SERIES',
      ...Array(3).fill('      IMAGE'),
      '    SERIES',
      ...Array(3).fill('      IMAGE'),
      'PATIENT',
      '  STUDY',
      '    SERIES',
      '      IMAGE',
      '  STUDY',
      '    SERIES',
      '      IMAGE',
    ]);
    expect(visited).toHaveLength(items.length);
  });

  it('orders instances by number and files them where the allocator put them', () => {
    const { items, str } = parse(bytes);
    const images = items.filter((i) => str(i, RECORD_TYPE) === 'IMAGE').slice(0, 3);
    expect(images.map((i) => str(i, 0x00200013))).toEqual(['1', '2', '3']);
    expect(images.map((i) => str(i, 0x00041511))).toEqual(['2.25.1002.3', '2.25.1002.2', '2.25.1002.1']);
    expect(str(images[0]!, 0x00041500)).toBe('DEID\\P0001\\S0001\\SE0001\\I0003');
    expect(str(images[0]!, 0x00041512)).toBe(JPEG_LOSSLESS);
  });

  it('fills type 1 keys the profile removed with neutral placeholders', () => {
    const { items, str } = parse(bytes);
    const studies = items.filter((i) => str(i, RECORD_TYPE) === 'STUDY');
    expect(studies.map((s) => [str(s, 0x00080020), str(s, 0x00080030), str(s, 0x00200010)])).toEqual([
      ['20200315', '101500', 'S77'],
      ['19000101', '000000', '1'],
      ['19000101', '000000', '2'],
    ]);
    const series = items.filter((i) => str(i, RECORD_TYPE) === 'SERIES');
    expect(series.map((s) => [str(s, 0x00080060), str(s, 0x00200011)])).toEqual([
      ['CT', '2'],
      ['MR', '5'],
      ['OT', '1'],
      ['OT', '1'],
    ]);
  });

  it('is a Media Storage Directory with a stable file-set UID', () => {
    const { parsed } = parse(bytes);
    const meta = (tag: number) => {
      const el = parsed.meta.find((e) => e.tag === tag)!;
      return readText(parsed.fileSource, el, 'UI', undefined).trim();
    };
    expect(meta(0x00020002)).toBe(MEDIA_STORAGE_DIRECTORY);
    expect(meta(0x00020010)).toBe(EXPLICIT);
    expect(meta(0x00020003)).toMatch(/^2\.25\.\d+$/);
    expect(Buffer.compare(buildDicomdir(fileSet().reverse(), { toolVersion: '0.1.0' }), bytes)).toBe(0);
  });

  it('contains no value that was not given to it', () => {
    const { parsed } = parse(bytes);
    const given = new Set([
      ...fileSet().flatMap((e) => [...Object.values(e).flat(), e.fileId.join('\\')]),
      ...['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'DEID', 'OT', '19000101', '000000', '1', '2'],
      MEDIA_STORAGE_DIRECTORY,
      IMPLEMENTATION_CLASS_UID,
      'DICOMDEID_0.1.0',
    ]);
    const foreign: string[] = [];
    const check = (source: typeof parsed.source, el: DicomElement, vr: string, charset?: string) => {
      if (!isStringVR(vr) || el.tag === 0x00020003) return;
      const value = readText(source, el, vr, charset).trim();
      if (value && !given.has(value)) foreign.push(value);
    };
    for (const el of parsed.meta) check(parsed.fileSource, el, el.vr);
    walkElements(parsed.source, parsed.dataset, (el, ctx) => {
      check(parsed.source, el, ctx.vr, ctx.charset);
      return true;
    });
    expect(foreign).toEqual([]);
  });

  it('declares UTF-8 in a record whose pseudonym is not ASCII', () => {
    const [first] = fileSet();
    const { items, str } = parse(buildDicomdir([{ ...first!, patientName: 'Müller^Anonym' }]));
    expect(str(items[0]!, 0x00080005)).toBe('ISO_IR 192');
    expect(str(items[1]!, 0x00080005)).toBeUndefined();
  });

  it('refuses bad input without quoting it', () => {
    const [first] = fileSet();
    const refuse = (entry: DicomdirEntry, message: RegExp) => {
      let error: unknown;
      try {
        buildDicomdir([entry]);
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(message);
      return String(error);
    };
    refuse({ ...first!, fileId: ['deid', 'x'] }, /file ID/);
    refuse({ ...first!, fileId: ['ABCDEFGHI'] }, /file ID/);
    expect(refuse({ ...first!, patientId: 'SMITH\\JOHN' }, /entry 1: patientId/)).not.toMatch(/SMITH/);
    refuse({ ...first!, studyDate: '2020-03-15' }, /studyDate/);
    expect(() => buildDicomdir([first!, { ...first!, fileId: ['OTHER'] }])).toThrow(/listed twice/);
  });

  it.skipIf(!hasTool('dcmdump'))('reads cleanly in dcmdump', () => {
    const path = join(tmp, 'DICOMDIR');
    writeFileSync(path, bytes);
    expect(dcmdumpErrors(path)).toEqual([]);
  });

  it.skipIf(!hasTool('dciodvfy'))('passes dciodvfy, also with a UTF-8 record', () => {
    const path = join(tmp, 'DICOMDIR');
    writeFileSync(path, bytes);
    expect(dciodvfyErrors(path)).toEqual([]);
    const [first] = fileSet();
    writeFileSync(path, buildDicomdir([{ ...first!, patientName: 'Müller^Anonym' }]));
    expect(dciodvfyErrors(path)).toEqual([]);
  });

  it.runIf(!hasTool('dcmdump') || !hasTool('dciodvfy'))(
    'skipped: dcmdump or dciodvfy is not installed',
    () => {
      expect(hasTool('dcmdump') && hasTool('dciodvfy')).toBe(false);
    },
  );
});

describe('file IDs', () => {
  it('formats ISO 9660-safe components', () => {
    expect(fileIdFor({ patient: 1, study: 12, series: 3, instance: 4567 })).toEqual([
      'DEID',
      'P0001',
      'S0012',
      'SE0003',
      'I4567',
    ]);
    expect(fileIdFor({ patient: 1, study: 1, series: 1, instance: 1234567 })[4]).toBe('I1234567');
    expect(() => fileIdFor({ patient: 1, study: 1, series: 1_000_000, instance: 1 })).toThrow(EncodeError);
    expect(() => fileIdFor({ patient: 0, study: 1, series: 1, instance: 1 })).toThrow(EncodeError);
  });

  it('numbers each level in the order first seen', () => {
    const ids = new FileIdAllocator();
    const at = (p: string, st: string, se: string) =>
      ids.next({ patientId: p, studyInstanceUID: st, seriesInstanceUID: se }).join('/');
    expect(at('A', '1', '1')).toBe('DEID/P0001/S0001/SE0001/I0001');
    expect(at('A', '1', '1')).toBe('DEID/P0001/S0001/SE0001/I0002');
    expect(at('A', '1', '2')).toBe('DEID/P0001/S0001/SE0002/I0001');
    expect(at('B', '2', '3')).toBe('DEID/P0002/S0001/SE0001/I0001');
    expect(at('A', '4', '5')).toBe('DEID/P0001/S0002/SE0001/I0001');
  });
});
