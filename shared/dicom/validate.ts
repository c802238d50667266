import { lookup } from '../dictionary/index.js';
import { latin1 } from './charset.js';
import type { Dataset, DicomElement } from './model.js';
import { UNDEFINED_LENGTH } from './model.js';
import type { ByteSource } from './source.js';
import { endsInSwallowedElements } from './swallowed.js';
import { readNumbers, readText, withoutPadding } from './values.js';
import { BINARY_SIZE } from './vr.js';

/** A UID as PS3.5 9.1 shapes it: digits and dots, no empty component, at most 64 characters. */
export const isUid = (text: string): boolean => text.length <= 64 && /^[0-9]+(\.[0-9]+)*$/.test(text);

/**
 * Whether a value is what its VR allows (PS3.5 6.2): character repertoire, length per value, size of
 * binary numbers. A value that is not may hold bytes the parser never saw as elements (a wrong length
 * swallows the attributes after it), so it must not be copied. Returns the problem in words that name
 * the VR only, or undefined when the value is valid.
 */
export function valueProblem(
  source: ByteSource,
  el: DicomElement,
  ctx: { readonly vr: string; readonly charset: string | undefined; readonly dataset?: Dataset },
): string | undefined {
  const { vr, charset } = ctx;
  if (el.damaged) return 'it could not be read as a sequence';
  const descriptor = LUT_DESCRIPTOR.get(el.tag);
  if (descriptor !== undefined && ctx.dataset) {
    const problem = lutLengthProblem(source, el, ctx.dataset, descriptor);
    if (problem) return problem;
  }
  if (el.items || el.fragments) return undefined;
  if (vr === 'SQ') return el.length === 0 ? undefined : 'it could not be read as a sequence';
  if (el.length === 0 || el.length === UNDEFINED_LENGTH) return undefined;
  if (BULK_VRS.has(vr) && !PIXEL_DATA_TAGS.has(el.tag)) {
    const problem = bulkProblem(source, el, ctx.dataset);
    if (problem) return problem;
  }
  const size = BINARY_SIZE[vr];
  if (size !== undefined) {
    if (el.length % size !== 0) return `its length is not a multiple of ${size} bytes`;
    // Binary numbers have no character set to betray swallowed bytes; their count, fixed by the
    // dictionary (Bits Stored holds one US), does.
    // An OB/OW-like value is one value however long.
    const vm = vr.startsWith('O') ? undefined : lookup(el.tag)?.vm;
    return vm && !fitsMultiplicity(el.length / size, vm)
      ? `it holds more or fewer values than ${vr} allows here`
      : undefined;
  }
  const ascii = ASCII_RULES[vr];
  if (ascii) {
    const text = withoutPadding(latin1(source.read(el.valueStart, el.length)), vr);
    const values = ascii.multiValued === false ? [text] : text.split('\\');
    return values.every((v) => v === '' || (v.length <= ascii.max && ascii.shape.test(v)))
      ? undefined
      : `it is not a valid ${vr}`;
  }
  const text = TEXT_RULES[vr];
  if (text) {
    const decoded = readText(source, el, vr, charset);
    if (text.controls.test(decoded)) return `it is not a valid ${vr}`;
    const values = text.multiValued ? decoded.split('\\') : [decoded];
    const pieces = vr === 'PN' ? values.flatMap((v) => v.split('=')) : values;
    // Characters, not UTF-16 units; a value no longer in units than the limit is within it in characters.
    const fits = (p: string) => p.length <= text.max || [...p].length <= text.max;
    return pieces.every(fits) ? undefined : `it is longer than a ${vr} may be`;
  }
  return undefined;
}

// LUT data and the descriptor in the same dataset that says how many entries it holds (PS3.3 C.7.6.3.1.5,
// C.11.1.1.1): a binary value with a length of its own, which nothing else could check.
const LUT_DESCRIPTOR = new Map<number, number>([
  [0x00281201, 0x00281101],
  [0x00281202, 0x00281102],
  [0x00281203, 0x00281103],
  [0x00281204, 0x00281104],
  [0x00283006, 0x00283002],
]);

function lutLengthProblem(
  source: ByteSource,
  el: DicomElement,
  dataset: Dataset,
  descriptorTag: number,
): string | undefined {
  const descriptor = dataset.elements.find((e) => e.tag === descriptorTag);
  if (!descriptor || el.length === UNDEFINED_LENGTH) return undefined;
  const [entries] = readNumbers(source, descriptor, 'US', dataset.syntax, 1);
  if (entries === undefined) return undefined;
  const count = entries === 0 ? 65536 : entries;
  // 16 bits an entry, or 8-bit entries packed two to a word.
  const fits = el.length === count * 2 || el.length === count + (count % 2);
  return fits ? undefined : 'its length disagrees with its LUT descriptor';
}

// Values of any length, whose bytes no character set or value count can check; pixel data is the pixel
// stage's (its size follows from Rows, Columns and frames).
const BULK_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);
const PIXEL_DATA_TAGS = new Set([0x7fe00008, 0x7fe00009, 0x7fe00010]);
const ICC_PROFILE = 0x00282000;
const WAVEFORM_DATA = 0x54001010;
const CHANNEL_DEFINITION_SEQUENCE = 0x003a0200;

/**
 * A bulk value has no length rule of its own, so an exactly wrong length could swallow the attributes after
 * it. What can betray one: a size the value or its dataset declares (an ICC profile's header, a waveform's
 * samples, channels and bits), and elements at its end (see endsInSwallowedElements).
 */
function bulkProblem(source: ByteSource, el: DicomElement, dataset: Dataset | undefined): string | undefined {
  if (el.tag === ICC_PROFILE && !fitsDeclared(el.length, iccDeclaredSize(source, el)))
    return 'its length disagrees with the size its ICC profile header declares';
  if (el.tag === WAVEFORM_DATA && dataset) {
    const sizes = waveformSizes(source, dataset);
    if (sizes.length > 0 && !sizes.some((size) => fitsDeclared(el.length, size)))
      return 'its length disagrees with its waveform samples, channels and bits';
  }
  if (dataset && endsInSwallowedElements(source, el, dataset.syntax))
    return 'its value ends in data elements that its length swallowed';
  return undefined;
}

/** A declared size fits a length padded to even; an unknown size fits anything. */
const fitsDeclared = (length: number, size: number | undefined) =>
  size === undefined || length === size || length === size + (size % 2);

/** An ICC profile starts with its own size, big-endian (ICC.1 7.2.2). */
function iccDeclaredSize(source: ByteSource, el: DicomElement): number {
  const head = source.read(el.valueStart, 4);
  return head.length < 4 ? 0 : ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
}

/**
 * Waveform Data holds samples × channels values of Waveform Bits Allocated (PS3.3 C.10.9.1.4). Some
 * writers miscount Number of Waveform Channels; the channels they define (Channel Definition Sequence
 * items) count too.
 */
function waveformSizes(source: ByteSource, dataset: Dataset): number[] {
  const number = (tag: number, vr: string) => {
    const el = dataset.elements.find((e) => e.tag === tag);
    return el ? readNumbers(source, el, vr, dataset.syntax, 1)[0] : undefined;
  };
  const samples = number(0x003a0010, 'UL');
  const bits = number(0x54001004, 'US');
  if (samples === undefined || bits === undefined || bits % 8 !== 0) return [];
  const defined = dataset.elements.find((e) => e.tag === CHANNEL_DEFINITION_SEQUENCE)?.items?.length;
  const counts = [number(0x003a0005, 'US'), defined].filter((n) => n !== undefined);
  return counts.map((channels) => channels * samples * (bits / 8));
}

/** Whether `count` values fit a PS3.6 value multiplicity: `1`, `1-3`, `1-n`, `2-2n`, `3-3n`... */
function fitsMultiplicity(count: number, vm: string): boolean {
  const m = /^(\d+)(?:-(\d*)(n?))?$/.exec(vm.trim());
  if (!m) return true;
  const min = Number(m[1]);
  if (m[2] === undefined) return count === min;
  if (m[3] === 'n') return count >= min && count % (Number(m[2]) || 1) === 0;
  return count >= min && count <= Number(m[2]);
}

interface AsciiRule {
  readonly max: number;
  readonly shape: RegExp;
  readonly multiValued?: false;
}

// Leading and trailing spaces are allowed padding in every one of these (PS3.5 Table 6.2-1).
const ASCII_RULES: Readonly<Record<string, AsciiRule>> = {
  AE: { max: 16, shape: /^[\x20-\x5b\x5d-\x7e]*$/ },
  AS: { max: 4, shape: /^\d{3}[DWMY]$/ },
  CS: { max: 16, shape: /^[A-Z0-9 _]*$/ },
  // YYYYMMDD, and the ACR-NEMA form YYYY.MM.DD that old archives still hold.
  DA: { max: 10, shape: /^ *(?:\d{8}|\d{4}\.\d{2}\.\d{2}) *$/ },
  DS: { max: 16, shape: /^ *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *$/ },
  DT: { max: 26, shape: /^ *\d{4,14}(?:\.\d{1,6})?(?:[+-]\d{4})? *$/ },
  IS: { max: 12, shape: /^ *[+-]?\d+ *$/ },
  // HHMMSS.FFFFFF, and the ACR-NEMA form HH:MM:SS.
  TM: { max: 16, shape: /^ *(?:\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{0,6})?)?)?) *$/ },
  UI: { max: 64, shape: /^[0-9.]+$/ },
  UR: { max: Number.MAX_SAFE_INTEGER, shape: /^[\x21-\x7e]*$/, multiValued: false },
};

interface TextRule {
  /** Characters per value (per component group for PN). */
  readonly max: number;
  readonly multiValued: boolean;
  /** Control characters the VR does not allow; ESC belongs to ISO 2022 and is consumed by decoding. */
  readonly controls: RegExp;
}

const SINGLE_LINE = /[\0-\x1f\x7f]/;
const MULTI_LINE = /[\0-\x08\x0b\x0e-\x1f\x7f]/;

const TEXT_RULES: Readonly<Record<string, TextRule>> = {
  SH: { max: 16, multiValued: true, controls: SINGLE_LINE },
  LO: { max: 64, multiValued: true, controls: SINGLE_LINE },
  PN: { max: 64, multiValued: true, controls: SINGLE_LINE },
  UC: { max: Number.MAX_SAFE_INTEGER, multiValued: true, controls: SINGLE_LINE },
  ST: { max: 1024, multiValued: false, controls: MULTI_LINE },
  LT: { max: 10240, multiValued: false, controls: MULTI_LINE },
  UT: { max: Number.MAX_SAFE_INTEGER, multiValued: false, controls: MULTI_LINE },
};
