import { BoundedMemo } from '../bounded-memo.js';
import { latin1 } from '../dicom/charset.js';
import type { Dataset, ParsedDicom } from '../dicom/model.js';
import { groupOf, isPrivateGroup, PIXEL_DATA } from '../dicom/tag.js';
import { readText } from '../dicom/values.js';
import { datasetCharset, type ElementPath, effectiveVR, formatPath } from '../dicom/walk.js';
import { lookup } from '../dictionary/index.js';
import { IdentifierMatcher, inUnspacedScript } from './clean-text.js';
import type { Identifier, IdentifierKind } from './identifiers.js';

/** Where a removed identifier was found again. Names the place and the kind, never the value. */
export interface ResidualHit {
  readonly kind: IdentifierKind;
  readonly where: string;
}

// Values where a person's identifier can hide. Numbers (IS, DS, US, ...) are left out: a short ID such
// as 123 would "match" every Series Number 123.
const SEARCHED = new Set(['AE', 'DA', 'DT', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UI', 'UR', 'UT']);
const OPAQUE_LIMIT = 64 * 1024;

/**
 * Short all-digit IDs turn up by chance in numbers and UIDs, and two-letter name parts in any text;
 * only longer ones are evidence enough to fail a file (Clean still removes the short ones). In Chinese,
 * Japanese and Korean two characters are a whole family or given name.
 */
const worthSearching = (i: Identifier) =>
  !(i.kind === 'id' && /^\d{1,5}$/.test(i.text)) &&
  (i.text.length >= 3 || (inUnspacedScript(i.text) && [...i.text].length >= 2));

/**
 * The residual check: reads a written output back and looks, in every value at every depth (private and
 * unknown elements included, decoded with their character set) and in the output's relative path, for
 * the identifying values the profile removed or replaced in its input.
 */
export function findResidualIdentifiers(
  output: ParsedDicom,
  removed: readonly Identifier[],
  outputPath: string,
): ResidualHit[] {
  const targets = removed.filter(worthSearching);
  const matcher = new IdentifierMatcher(targets);
  if (matcher.empty) return [];
  // Made for a hit only, as its place is.
  let kinds: Map<string, IdentifierKind> | undefined;
  const kindOf = (found: string) => {
    kinds ??= new Map(targets.map((t) => [t.text.toLowerCase(), t.kind]));
    return kinds.get(found.toLowerCase()) ?? 'name';
  };
  const hits: ResidualHit[] = [];
  // The place is named only for a hit: formatting it for every value searched cost more than the search.
  const check = (text: string, path: ElementPath | undefined, tag: number) => {
    const found = matcher.find(text);
    if (found !== undefined)
      hits.push({
        kind: kindOf(found),
        where: path
          ? `${formatPath(path, tag)} ${isPrivateGroup(groupOf(tag)) ? 'private' : (lookup(tag)?.keyword ?? 'unknown')}`
          : 'the output file name',
      });
  };
  check(outputPath, undefined, 0);
  // Values the decoded search read, or left out on purpose (codes, numbers): the raw search skips them.
  const accounted = new ByteSpans();
  const source = output.source;
  // Every element at every depth, its items after it; a walk of its own, which builds no context per
  // element: only the VR and the character set in force matter here.
  const search = (ds: Dataset, path: ElementPath, inherited: string | undefined) => {
    const charset = datasetCharset(source, ds, inherited);
    for (const el of ds.elements) {
      if (el.items) {
        let i = 0;
        for (const item of el.items) search(item, [...path, { tag: el.tag, item: i++ }], charset);
        continue;
      }
      if (el.tag === PIXEL_DATA) continue;
      const vr = effectiveVR(el);
      if (!BULK.has(vr) || SEARCHED.has(vr)) accounted.add(el.valueStart, el.valueStart + el.length);
      const opaque = vr === 'UN' || (isPrivateGroup(groupOf(el.tag)) && (vr === 'OB' || vr === 'OW'));
      if (opaque) {
        if (el.length <= OPAQUE_LIMIT) check(latin1(source.read(el.valueStart, el.length)), path, el.tag);
      } else if (SEARCHED.has(vr)) check(readText(source, el, vr, charset), path, el.tag);
    }
  };
  search(output.dataset, [], undefined);
  return hits.length > 0 ? hits : findInRawBytes(output, targets, accounted);
}

/**
 * Disjoint byte ranges [from, to), two numbers each rather than an array per range (a file can hold a
 * million values), searched by bisection: the walk adds them in file order, so they come sorted. Were one
 * ever out of order, bisection could only miss a range that covers an offset, never invent one: the raw
 * search would then report more, not less.
 */
class ByteSpans {
  private readonly bounds: number[] = [];

  add(from: number, to: number): void {
    this.bounds.push(from, to);
  }

  covers(offset: number): boolean {
    const b = this.bounds;
    // The last range starting at or before offset.
    let lo = 0;
    let hi = b.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (b[2 * mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && offset < b[2 * found + 1]!;
  }
}

// Binary values the decoded search cannot read (except private and UN ones, which it reads as text).
const BULK = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);

const utf8 = new TextEncoder();

// A study's identifiers are searched for in each of its files: their forms are made once (bounded, as
// identifierStrings' are). Only read, never changed.
const formsOf = new BoundedMemo<readonly Uint8Array[]>();
const LONGEST_KEPT = 256;

/** The byte forms a value can take in a file: as written, in capitals, in lower case; Latin-1 and UTF-8. */
function byteForms(text: string): readonly Uint8Array[] {
  if (text.length > LONGEST_KEPT) return makeByteForms(text);
  return formsOf.known(text) ?? formsOf.remember(text, makeByteForms(text));
}

function makeByteForms(text: string): Uint8Array[] {
  const forms: Uint8Array[] = [];
  for (const t of new Set([text, text.toUpperCase(), text.toLowerCase()])) {
    const latin1 = latin1Bytes(t);
    // Most identifiers are ASCII, whose UTF-8 is its Latin-1: encoded without the encoder's call cost.
    if (latin1?.every((b) => b < 0x80)) forms.push(latin1);
    else {
      forms.push(utf8.encode(t));
      if (latin1) forms.push(latin1);
    }
  }
  return forms;
}

/** The text's Latin-1 bytes; undefined when a character lies beyond Latin-1. */
function latin1Bytes(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return undefined;
    bytes[i] = c;
  }
  return bytes;
}

// Shorter values are left to the decoded search: as raw bytes they turn up by chance.
const RAW_SEARCH_MIN = 4;

const isAlnum = (b: number | undefined) =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));

/**
 * The raw search's table of every form of every target, made for each file in arrays the thread keeps
 * (the search never yields, so no other file's search can come between): a fresh table per file was some
 * two hundred small arrays. A bitmap of the forms' first two bytes passes over most places in the bytes at
 * a glance; where it lets one through, only the forms starting with that byte are compared, found through
 * a chain per first byte. A file with many targets (thousands of referenced UIDs, which begin alike) keeps
 * its forms of PREFIX bytes or more by the hash of their first PREFIX bytes instead, so that a place is
 * compared with the forms that could begin there, not with every UID.
 */
const rawTable = {
  firstPairs: new Uint32Array(65536 / 32),
  /** The last chained form with each first byte, or -1. */
  chainHead: new Int32Array(256),
  /** Per chained form: the form chained before it with the same first byte, or -1. */
  chainNext: new Int32Array(64),
  /** Per form: its target's index. */
  target: new Int32Array(64),
  forms: [] as Uint8Array[],
  /** For many forms: those of PREFIX bytes or more, by hashPrefix; the others are chained. */
  byPrefix: undefined as Map<number, number[]> | undefined,
};

// Up to this many forms, every form is chained: a file's usual few dozen cost less so than a map.
const FEW_FORMS = 64;
const PREFIX = 8;

function fillRawTable(targets: readonly Identifier[]): void {
  const table = rawTable;
  table.firstPairs.fill(0);
  table.chainHead.fill(-1);
  table.forms.length = 0;
  targets.forEach((target, t) => {
    if (target.text.length < RAW_SEARCH_MIN) return;
    for (const form of byteForms(target.text)) {
      const i = table.forms.length;
      if (i === table.target.length) {
        table.target = grown(table.target);
        table.chainNext = grown(table.chainNext);
      }
      table.forms.push(form);
      table.target[i] = t;
    }
  });
  const byPrefix = table.forms.length > FEW_FORMS ? new Map<number, number[]>() : undefined;
  table.byPrefix = byPrefix;
  table.forms.forEach((form, i) => {
    const pair = (form[0]! << 8) | form[1]!;
    table.firstPairs[pair >>> 5]! |= 1 << (pair & 31);
    if (byPrefix && form.length >= PREFIX) {
      const h = hashPrefix(form, 0);
      const same = byPrefix.get(h);
      if (same) same.push(i);
      else byPrefix.set(h, [i]);
      return;
    }
    table.chainNext[i] = table.chainHead[form[0]!]!;
    table.chainHead[form[0]!] = i;
  });
}

/** A hash of the PREFIX bytes of `bytes` from `at` (FNV-1a). */
function hashPrefix(bytes: Uint8Array, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + PREFIX; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

const grown = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
  const bigger = new Int32Array(2 * a.length);
  bigger.set(a);
  return bigger;
};

/**
 * The second look, independent of decoding: the raw bytes of everything but the pixel data, searched
 * for the removed values as bytes. It catches what no value decoder would show (a wrong VR, an unknown
 * character set, text inside a binary private value, bytes outside any element).
 */
function findInRawBytes(
  output: ParsedDicom,
  targets: readonly Identifier[],
  accounted: ByteSpans,
): ResidualHit[] {
  const src = output.source;
  const pixel = output.dataset.elements.find((e) => e.tag === PIXEL_DATA);
  // Everything but the file meta (ours, rebuilt) and the pixel data.
  const start = src === output.fileSource ? output.datasetStart : 0;
  fillRawTable(targets);
  // What a hit reports is the kind of the first target found, in the order of the targets.
  let first = targets.length;
  if (pixel) {
    first = firstTargetIn(src.read(start, pixel.valueStart - start), start, accounted, first);
    first = firstTargetIn(src.read(pixel.end, src.size - pixel.end), pixel.end, accounted, first);
  } else first = firstTargetIn(src.read(start, src.size - start), start, accounted, first);
  return first < targets.length
    ? [{ kind: targets[first]!.kind, where: "the file's bytes outside any readable value" }]
    : [];
}

/**
 * The lowest target index below `first` that a form of rawTable finds in `region` (its byte 0 at offset
 * `base` of the file) outside every accounted value; else `first`.
 */
function firstTargetIn(region: Uint8Array, base: number, accounted: ByteSpans, first: number): number {
  const { firstPairs, chainHead, chainNext, byPrefix } = rawTable;
  for (let at = 0; at + RAW_SEARCH_MIN <= region.length; at++) {
    const pair = (region[at]! << 8) | region[at + 1]!;
    if ((firstPairs[pair >>> 5]! & (1 << (pair & 31))) === 0) continue;
    for (let i = chainHead[region[at]!]!; i >= 0; i = chainNext[i]!)
      first = lowerIfFound(region, at, i, base, accounted, first);
    if (!byPrefix || at + PREFIX > region.length) continue;
    const candidates = byPrefix.get(hashPrefix(region, at));
    if (candidates) for (const i of candidates) first = lowerIfFound(region, at, i, base, accounted, first);
  }
  return first;
}

/** `first`, or form i's target where that is lower and the form stands at `at`, a word of its own, unread. */
function lowerIfFound(
  region: Uint8Array,
  at: number,
  i: number,
  base: number,
  accounted: ByteSpans,
  first: number,
): number {
  const t = rawTable.target[i]!;
  const form = rawTable.forms[i]!;
  if (t >= first || at + form.length > region.length) return first;
  let j = 0;
  while (j < form.length && region[at + j] === form[j]) j++;
  if (j < form.length) return first;
  // Bounded like the decoded search, so a name inside a longer word is not a hit.
  if (isAlnum(region[at - 1]) || isAlnum(region[at + form.length])) return first;
  return accounted.covers(base + at) ? first : t;
}

/** A plain reason for a failed check, e.g. `a removed name remains in (0020,4000) ImageComments`. */
export const describeHit = (hit: ResidualHit): string => `a removed ${hit.kind} remains in ${hit.where}`;
