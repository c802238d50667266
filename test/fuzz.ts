import { readFileSync } from 'node:fs';
import { anonymize } from '../shared/anonymize/engine.js';
import { keyFromBytes } from '../shared/anonymize/key.js';
import { findResidualIdentifiers } from '../shared/anonymize/verify.js';
import { asciiBytes } from '../shared/dicom/encode.js';
import { isDicomdir } from '../shared/dicom/header.js';
import type { Dataset, ParsedDicom } from '../shared/dicom/model.js';
import { UNDEFINED_LENGTH } from '../shared/dicom/model.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { MemorySource } from '../shared/dicom/source.js';
import { hasLongHeader } from '../shared/dicom/vr.js';
import {
  concatChunks,
  type DatasetEdits,
  type ElementEdit,
  type NewElement,
  writeDicom,
} from '../shared/dicom/write.js';
import { ReportableError } from '../shared/errors.js';
import { getPreset } from '../shared/profile/index.js';
import { readableCorpusFiles } from './corpus.js';

/**
 * Seeded mutation fuzzing of the engine: corpus files get identifiers planted in them, then their bytes
 * are damaged (lengths that swallow what follows, item lengths, flipped bytes, cuts, insertions), and every
 * output that would be written — de-identified, and passing the residual check — must hold none of the
 * planted identifiers.
 */

// Identifiers no real file holds, so finding one in an output can only mean it was copied.
const PLANTED: ReadonlyArray<readonly [number, string, string]> = [
  [0x00080080, 'LO', 'ZANZIBAR ROYAL INFIRMARY'],
  [0x00080090, 'PN', 'XAVIERA^QUILLFEATHER'],
  [0x00081030, 'LO', 'ZEBEDEE follow-up'],
  [0x00100010, 'PN', 'QUAGMIRE^ZEBEDEE'],
  [0x00100020, 'LO', 'QZ77319'],
  [0x00100030, 'DA', '19471123'],
  [0x00321032, 'PN', 'OCTAVIA^WINTERBOTTOM'],
];
const PLANTED_UID = '1.2.826.0.1.3680043.9.7777.31337.4242';
const REFERENCED_IMAGE_SEQUENCE = 0x00081140;
export const NEEDLES: readonly string[] = [
  'ZANZIBAR',
  'QUILLFEATHER',
  'ZEBEDEE',
  'QUAGMIRE',
  'QZ77319',
  '19471123',
  'WINTERBOTTOM',
  '31337.4242',
];

const KEY = keyFromBytes(new Uint8Array(32).fill(0x46));
const MAX_SEED_FILE = 1 << 20;

/** mulberry32: small, fast and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A corpus file with the planted identifiers at the top level and a planted UID in a nested item. */
function plant(parsed: ParsedDicom): Uint8Array {
  const edits = new Map<number, ElementEdit>();
  const insert: NewElement[] = [];
  const ascii = (text: string) => asciiBytes(text);
  for (const [tag, vr, text] of PLANTED) {
    const el = parsed.dataset.elements.find((e) => e.tag === tag);
    if (el && !el.items) edits.set(el.start, { kind: 'value', vr, value: ascii(text) });
    else {
      if (el) edits.set(el.start, { kind: 'remove' });
      insert.push({ tag, vr, value: ascii(text) });
    }
  }
  const sequence = parsed.dataset.elements.find((e) => e.tag === REFERENCED_IMAGE_SEQUENCE);
  if (sequence) edits.set(sequence.start, { kind: 'remove' });
  insert.push({
    tag: REFERENCED_IMAGE_SEQUENCE,
    vr: 'SQ',
    items: [
      [
        { tag: 0x00081150, vr: 'UI', value: ascii('1.2.840.10008.5.1.4.1.1.7') },
        { tag: 0x00081155, vr: 'UI', value: ascii(PLANTED_UID) },
      ],
    ],
  });
  const datasetEdits: DatasetEdits = { elements: edits, insert };
  return concatChunks(writeDicom(parsed, datasetEdits));
}

/** Where each element's and item's length field lies, so a mutation can make it lie. */
interface LengthField {
  readonly at: number;
  readonly size: 2 | 4;
  readonly littleEndian: boolean;
  /** Ends of the elements after it in the same dataset: lengths that swallow them exactly. */
  readonly swallowTo: readonly number[];
  readonly valueStart: number;
}

function lengthFields(parsed: ParsedDicom): LengthField[] {
  const out: LengthField[] = [];
  const visit = (ds: Dataset) => {
    const le = ds.syntax.littleEndian;
    ds.elements.forEach((el, i) => {
      const ends = ds.elements.slice(i + 1, i + 6).map((e) => e.end);
      const short = ds.syntax.explicitVR && !hasLongHeader(el.vr) && el.length !== UNDEFINED_LENGTH;
      const at = ds.syntax.explicitVR ? el.start + (short ? 6 : 8) : el.start + 4;
      if (el.valueStart - el.start >= 8) {
        out.push({ at, size: short ? 2 : 4, littleEndian: le, swallowTo: ends, valueStart: el.valueStart });
      }
      for (const item of el.items ?? []) {
        out.push({
          at: item.start + 4,
          size: 4,
          littleEndian: le,
          swallowTo: [el.end],
          valueStart: item.valueStart,
        });
        visit(item);
      }
    });
  };
  visit(parsed.dataset);
  return out;
}

/**
 * The tag bytes of the planted elements. A mutation there relabels a name as, say, a Type of Patient ID:
 * no de-identifier can know such a value is a name, so the fuzzer leaves the labels alone and damages
 * everything else (lengths, values, structure).
 */
function plantedTags(parsed: ParsedDicom): Array<readonly [number, number]> {
  const tags = new Set([...PLANTED.map(([tag]) => tag), REFERENCED_IMAGE_SEQUENCE, 0x00081150, 0x00081155]);
  const out: Array<readonly [number, number]> = [];
  const visit = (ds: Dataset) => {
    for (const el of ds.elements) {
      if (tags.has(el.tag)) out.push([el.start, el.start + 4]);
      for (const item of el.items ?? []) visit(item);
    }
  };
  if (parsed.source === parsed.fileSource) visit(parsed.dataset);
  return out;
}

/** One to three seeded mutations of the dataset's bytes (the file meta is left alone). */
function mutate(bytes: Uint8Array, parsed: ParsedDicom, rand: () => number): Uint8Array {
  const labels = plantedTags(parsed);
  const isLabel = (at: number) => labels.some(([from, to]) => at >= from && at < to);
  let out: Uint8Array = bytes.slice();
  const fields = parsed.source === parsed.fileSource ? lengthFields(parsed) : [];
  const start = parsed.datasetStart;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const count = 1 + Math.floor(rand() * 3);
  for (let m = 0; m < count; m++) {
    const kind = rand();
    if (kind < 0.45 && fields.length > 0) {
      const f = pick(fields);
      // An earlier cut or insertion may have moved or removed the field: then this one is a no-op.
      if (f.at + f.size > out.length) continue;
      const view = new DataView(out.buffer);
      const current =
        f.size === 2 ? view.getUint16(f.at, f.littleEndian) : view.getUint32(f.at, f.littleEndian);
      const choice = rand();
      const length =
        choice < 0.5 && f.swallowTo.length > 0
          ? pick(f.swallowTo) - f.valueStart
          : choice < 0.8
            ? current + Math.floor(rand() * 129) - 64
            : Math.floor(rand() * (f.size === 2 ? 0x10000 : 0x100000));
      const max = f.size === 2 ? 0xffff : 0xffffffff;
      const value = Math.max(0, Math.min(max, length));
      if (f.size === 2) view.setUint16(f.at, value, f.littleEndian);
      else view.setUint32(f.at, value, f.littleEndian);
    } else if (kind < 0.75) {
      const at = start + Math.floor(rand() * (out.length - start));
      const value = rand() < 0.5 ? out[at]! ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
      if (!isLabel(at) || out.length !== bytes.length) out[at] = value;
    } else if (kind < 0.85) {
      out = out.slice(0, start + Math.floor(rand() * (out.length - start)));
    } else {
      const at = start + Math.floor(rand() * (out.length - start));
      const extra = Uint8Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256));
      const cut = rand() < 0.5 ? 0 : Math.floor(rand() * 16);
      out = concatChunks([out.subarray(0, at), extra, out.subarray(Math.min(out.length, at + cut))]);
    }
  }
  return out;
}

export type Outcome = 'rejected' | 'refused' | 'caught' | 'held' | 'written';

export interface CaseResult {
  readonly outcome: Outcome;
  /** Planted identifiers found in an output that would have been written. */
  readonly leaked: readonly string[];
  /** An error that is not one of ours: a bug, whatever the input. */
  readonly crash?: string;
}

const includes = (hay: Uint8Array, needle: string) =>
  Buffer.from(hay).includes(Buffer.from(needle, 'latin1'));

/** One mutated input through the engine and the residual check, as a batch would run it. */
export function runCase(bytes: Uint8Array): CaseResult {
  const none: string[] = [];
  try {
    let parsed: ParsedDicom;
    try {
      parsed = parseDicom(new MemorySource(bytes));
    } catch (e) {
      if (e instanceof ReportableError) return { outcome: 'rejected', leaked: none };
      throw e;
    }
    let result: ReturnType<typeof anonymize>;
    try {
      result = anonymize(parsed, { profile: getPreset('basic'), key: KEY, toolVersion: '0.1.0' });
    } catch (e) {
      if (e instanceof ReportableError) return { outcome: 'refused', leaked: none };
      throw e;
    }
    const out = concatChunks(result.chunks);
    const again = parseDicom(new MemorySource(out));
    if (findResidualIdentifiers(again, result.removedIdentifiers, 'out.dcm').length > 0) {
      return { outcome: 'caught', leaked: none };
    }
    const hay = again.source === again.fileSource ? out : again.source.read(0, again.source.size);
    const leaked = NEEDLES.filter((n) => includes(hay, n));
    return { outcome: result.pixels.status === 'held' ? 'held' : 'written', leaked };
  } catch (e) {
    return {
      outcome: 'refused',
      leaked: none,
      crash: e instanceof Error ? `${e.name}: ${e.message}` : 'throw',
    };
  }
}

export interface FuzzSummary {
  readonly cases: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly leaks: ReadonlyArray<{
    readonly file: string;
    readonly caseSeed: number;
    readonly leaked: readonly string[];
  }>;
  readonly crashes: ReadonlyArray<{
    readonly file: string;
    readonly caseSeed: number;
    readonly error: string;
  }>;
}

/** The seed files: readable, not DICOMDIRs, small enough to mutate many times. */
function seedFiles(): Array<{ path: string; planted: Uint8Array; parsed: ParsedDicom }> {
  return readableCorpusFiles()
    .filter((f) => f.bytes <= MAX_SEED_FILE)
    .flatMap((f) => {
      const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))));
      if (isDicomdir(parsed)) return [];
      const planted = plant(parsed);
      return [{ path: f.path, planted, parsed: parseDicom(new MemorySource(planted)) }];
    });
}

type SeedFile = ReturnType<typeof seedFiles>[number];

/** The input of one case: which seed file, mutated how, follows from the case seed alone. */
function caseInput(files: readonly SeedFile[], caseSeed: number): { file: SeedFile; bytes: Uint8Array } {
  const rand = prng(caseSeed);
  const file = files[Math.floor(rand() * files.length)]!;
  return { file, bytes: mutate(file.planted, file.parsed, rand) };
}

/** The mutated input of one case, to rerun and study it alone. */
export const inputOfCase = (caseSeed: number): Uint8Array => caseInput(seedFiles(), caseSeed).bytes;

/** `cases` seeded cases; case i uses seed `seed * 1_000_003 + i`, so any one case can be rerun alone. */
export function fuzz(cases: number, seed: number): FuzzSummary {
  const files = seedFiles();
  const outcomes: Record<Outcome, number> = { rejected: 0, refused: 0, caught: 0, held: 0, written: 0 };
  const leaks: Array<FuzzSummary['leaks'][number]> = [];
  const crashes: Array<FuzzSummary['crashes'][number]> = [];
  for (let i = 0; i < cases; i++) {
    const caseSeed = (seed * 1_000_003 + i) >>> 0;
    const { file, bytes } = caseInput(files, caseSeed);
    const result = runCase(bytes);
    outcomes[result.outcome]++;
    if (result.leaked.length > 0) leaks.push({ file: file.path, caseSeed, leaked: result.leaked });
    if (result.crash) crashes.push({ file: file.path, caseSeed, error: result.crash });
  }
  return { cases, outcomes, leaks, crashes };
}

/** The planted, unmutated files must themselves come out clean: otherwise the fuzzer proves nothing. */
export function plantedBaseline(): Array<{ file: string; planted: readonly string[]; result: CaseResult }> {
  return seedFiles().map((f) => ({
    file: f.path,
    planted: NEEDLES.filter((n) => includes(f.parsed.source.read(0, f.parsed.source.size), n)),
    result: runCase(f.planted),
  }));
}
