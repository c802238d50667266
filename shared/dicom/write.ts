// The browser build, as in parse.ts: one copy of fflate in a bundle, and no worker_threads loaded for it.
import { deflateSync } from 'fflate/browser';
import { headerSize, padValue, swapBytes, writeHeader } from './encode.js';
import { EncodeError } from './errors.js';
import {
  type Dataset,
  type DicomElement,
  type DicomItem,
  type ParsedDicom,
  UNDEFINED_LENGTH,
} from './model.js';
import type { ByteSource } from './source.js';
import { formatTag, ITEM, ITEM_DELIMITER, PIXEL_DATA, SEQUENCE_DELIMITER, type Tag } from './tag.js';
import {
  detectedSyntax,
  EXPLICIT_LE,
  IMPLICIT_LE,
  type Syntax,
  transferSyntaxFor,
} from './transfer-syntax.js';
import { isUid } from './validate.js';
import { hasLongHeader } from './vr.js';

/**
 * What changes in a dataset. Elements without an entry are copied byte for byte from the input, which is
 * how pixel data and every kept attribute come out identical.
 */
export interface DatasetEdits {
  /**
   * Keyed by the element's start offset in the dataset's source: the elements of an item are read again
   * each time they are asked for, so an element object is no lasting key.
   */
  readonly elements: ReadonlyMap<number, ElementEdit>;
  /** Elements to add; an added tag must not also be present in the dataset. */
  readonly insert?: readonly NewElement[];
}

export type ElementEdit =
  | { readonly kind: 'remove' }
  /** A new value (unpadded, already in the dataset's byte order) and the VR to write it with. */
  | { readonly kind: 'value'; readonly vr: string; readonly value: Uint8Array }
  /** Per original item: its edits, `undefined` to copy it, `null` to drop it. */
  | { readonly kind: 'items'; readonly items: ReadonlyArray<DatasetEdits | null | undefined> }
  /**
   * The whole element, header included, as pieces (new pixel data): a source range may be a lazily computed
   * source, so a cleaned multi-frame image is produced frame by frame as it is written.
   */
  | { readonly kind: 'raw'; readonly chunks: readonly Chunk[] };

export type NewElement =
  | { readonly tag: Tag; readonly vr: string; readonly value: Uint8Array }
  | { readonly tag: Tag; readonly vr: 'SQ'; readonly items: ReadonlyArray<readonly NewElement[]> };

/** A run of output: new bytes, or a range of an input to copy (so large values are streamed, not loaded). */
export type Chunk = Uint8Array | SourceRange;
export interface SourceRange {
  readonly source: ByteSource;
  readonly offset: number;
  readonly length: number;
}

// New bytes up to this size are gathered into shared blocks: a file of a million edited items would
// otherwise hold millions of tiny arrays, each costing far more than its bytes.
const SMALL = 512;
const FIRST_BLOCK = 256;
const MAX_BLOCK = 64 * 1024;

class Out {
  private readonly done: Chunk[] = [];
  /**
   * The block small writes go into, and how much of it is used: its bytes from `sealed` on are not yet in
   * `done`. A copied range between two writes seals what came before but keeps the rest of the block, so
   * a file whose edited elements alternate with unchanged ones fills one block, not one block per edit.
   */
  private block: Uint8Array | undefined;
  private sealed = 0;
  private used = 0;
  size = 0;

  /** Every chunk written so far. */
  get chunks(): Chunk[] {
    this.seal();
    return this.done;
  }

  private seal() {
    if (this.block && this.used > this.sealed) this.done.push(this.block.subarray(this.sealed, this.used));
    this.sealed = this.used;
  }

  bytes(b: Uint8Array) {
    if (b.length === 0) return;
    if (b.length > SMALL) {
      this.seal();
      this.done.push(b);
      this.size += b.length;
      return;
    }
    this.room(b.length).set(b, this.used);
    this.used += b.length;
    this.size += b.length;
  }

  /** An element header, written in place. */
  header(tag: Tag, vr: string, length: number, syntax: Syntax) {
    const n = headerSize(tag, vr, syntax);
    writeHeader(this.room(n), this.used, tag, vr, length, syntax);
    this.used += n;
    this.size += n;
  }

  /** The block, with room for `n` more bytes after `used`. */
  private room(n: number): Uint8Array {
    if (!this.block || this.used + n > this.block.length) {
      const grown = this.block ? Math.min(this.block.length * 2, MAX_BLOCK) : FIRST_BLOCK;
      this.seal();
      this.block = new Uint8Array(Math.max(grown, n));
      this.sealed = 0;
      this.used = 0;
    }
    return this.block;
  }

  copy(source: ByteSource, offset: number, length: number) {
    if (length <= 0) return;
    this.seal();
    const last = this.done[this.done.length - 1];
    // Adjacent unchanged elements become one range, so an untouched run is one copy.
    if (
      last &&
      !(last instanceof Uint8Array) &&
      last.source === source &&
      last.offset + last.length === offset
    ) {
      this.done[this.done.length - 1] = { source, offset: last.offset, length: last.length + length };
    } else {
      this.done.push({ source, offset, length });
    }
    this.size += length;
  }

  append(other: Out) {
    for (const c of other.chunks) {
      if (c instanceof Uint8Array) this.bytes(c);
      else this.copy(c.source, c.offset, c.length);
    }
  }
}

function writeNew(el: NewElement, syntax: Syntax, out: Out) {
  if ('items' in el) {
    const body = new Out();
    for (const item of el.items) {
      const content = new Out();
      for (const child of [...item].sort((a, b) => a.tag - b.tag)) writeNew(child, syntax, content);
      body.header(ITEM, '', content.size, syntax);
      body.append(content);
    }
    out.header(el.tag, 'SQ', body.size, syntax);
    out.append(body);
    return;
  }
  const value = padValue(el.vr, el.value);
  out.header(el.tag, el.vr, value.length, syntax);
  out.bytes(value);
}

/**
 * Where the dataset's bytes come from and how they go out: as they lie (unchanged elements copied), or
 * re-encoded element by element into `target`: new headers, the same values (byte-swapped when the byte
 * order changes).
 */
interface Encoding {
  readonly source: ByteSource;
  readonly target?: Syntax;
  readonly repair: boolean;
}

function writeItem(enc: Encoding, item: DicomItem, edits: DatasetEdits | undefined, out: Out) {
  const syntax = enc.target ?? item.syntax;
  const content = new Out();
  writeDatasetBody(enc, item, edits, content);
  if (item.length === UNDEFINED_LENGTH) {
    out.header(ITEM, '', UNDEFINED_LENGTH, syntax);
    out.append(content);
    out.header(ITEM_DELIMITER, '', 0, syntax);
  } else {
    out.header(ITEM, '', content.size, syntax);
    out.append(content);
  }
}

const NO_ITEM_EDITS: ElementEdit = { kind: 'items', items: [] };

/** `from`: the syntax of the dataset holding `el`, in whose byte order an edit's new value is given. */
function writeEdited(enc: Encoding, el: DicomElement, edit: ElementEdit, from: Syntax, out: Out) {
  const syntax = enc.target ?? from;
  switch (edit.kind) {
    case 'remove':
      return;
    case 'raw':
      for (const c of edit.chunks) {
        if (c instanceof Uint8Array) out.bytes(c);
        else out.copy(c.source, c.offset, c.length);
      }
      return;
    case 'value': {
      const value = padValue(edit.vr, edit.value);
      out.header(el.tag, edit.vr, value.length, syntax);
      out.bytes(syntax.littleEndian === from.littleEndian ? value : swapBytes(edit.vr, value));
      return;
    }
    case 'items': {
      const items = el.items ?? [];
      const body = new Out();
      for (const [i, item] of items.entries()) {
        const itemEdit = edit.items[i];
        if (itemEdit === null) continue;
        const copyable =
          !enc.target && !(enc.repair && undelimited(enc.source, item, ITEM_DELIMITER, item.syntax));
        if (itemEdit === undefined && copyable) body.copy(enc.source, item.start, item.end - item.start);
        else writeItem(enc, item, itemEdit, body);
      }
      // Re-encoded, a UN that held a sequence (CP-246) becomes the sequence it is.
      const vr = enc.target ? 'SQ' : el.vr;
      if (el.length === UNDEFINED_LENGTH) {
        out.header(el.tag, vr, UNDEFINED_LENGTH, syntax);
        out.append(body);
        // A UN that holds a sequence keeps its content, delimiter included, in implicit VR LE (CP-246).
        out.header(SEQUENCE_DELIMITER, '', 0, vr === 'UN' ? IMPLICIT_LE : syntax);
      } else {
        out.header(el.tag, vr, body.size, syntax);
        out.append(body);
      }
      return;
    }
  }
}

/**
 * Encapsulated pixel data, its header and fragments copied; a file that ends without the sequence
 * delimiter (or in the middle of a fragment header) gets one, so that readers find the end.
 */
function writeFragments(enc: Encoding, el: DicomElement, from: Syntax, out: Out) {
  const fragments = el.fragments ?? [];
  const last = fragments[fragments.length - 1];
  const contentEnd = last ? last.valueStart + last.length : el.valueStart;
  const complete = !enc.repair || el.end === contentEnd + 8;
  if (enc.target) {
    out.header(el.tag, 'OB', UNDEFINED_LENGTH, enc.target);
    out.copy(enc.source, el.valueStart, (complete ? el.end : contentEnd) - el.valueStart);
  } else {
    out.copy(enc.source, el.start, (complete ? el.end : contentEnd) - el.start);
  }
  if (!complete) out.header(SEQUENCE_DELIMITER, '', 0, enc.target ?? from);
}

/** Whether an element or item of undefined length lacks the delimiter that should end it. */
function undelimited(
  source: ByteSource,
  span: { readonly length: number; readonly valueStart: number; readonly end: number; readonly vr?: string },
  tag: Tag,
  syntax: Syntax,
): boolean {
  if (span.length !== UNDEFINED_LENGTH) return false;
  if (span.end - 8 < span.valueStart) return true;
  const b = source.read(span.end - 8, 4);
  // A UN holding a sequence (CP-246) is delimited in implicit VR little endian.
  const le = span.vr === 'UN' || syntax.littleEndian;
  const view = new DataView(b.buffer, b.byteOffset, 4);
  return ((view.getUint16(0, le) << 16) | view.getUint16(2, le)) >>> 0 !== tag;
}

/** An unchanged element in another syntax: a new header before the same value. */
function writeReencoded(enc: Encoding, el: DicomElement, from: Syntax, target: Syntax, out: Out) {
  if (el.items) return writeEdited(enc, el, NO_ITEM_EDITS, from, out);
  // Implicit VR says nothing of native pixel data's VR; a value too long for a short header becomes UN.
  const vr = el.tag === PIXEL_DATA && el.vr === 'OB' ? 'OW' : el.vr;
  const fits = !target.explicitVR || hasLongHeader(vr) || el.length <= 0xffff;
  out.header(el.tag, fits ? vr : 'UN', el.length, target);
  if (target.littleEndian === from.littleEndian) out.copy(enc.source, el.valueStart, el.length);
  else out.bytes(swapBytes(vr, enc.source.read(el.valueStart, el.length)));
}

function writeDatasetBody(enc: Encoding, ds: Dataset, edits: DatasetEdits | undefined, out: Out) {
  const syntax = enc.target ?? ds.syntax;
  const inserts = [...(edits?.insert ?? [])].sort((a, b) => a.tag - b.tag);
  let next = 0;
  for (const el of ds.elements) {
    while (next < inserts.length && inserts[next]!.tag < el.tag) writeNew(inserts[next++]!, syntax, out);
    const edit = edits?.elements.get(el.start);
    if (edit?.kind === 'remove') continue;
    if (el.fragments && !edit) writeFragments(enc, el, ds.syntax, out);
    else if (!edit && enc.repair && el.items && undelimited(enc.source, el, SEQUENCE_DELIMITER, ds.syntax)) {
      // A sequence the file ended inside: what follows it in the output must not land in its last item.
      writeEdited(enc, el, NO_ITEM_EDITS, ds.syntax, out);
    } else if (enc.repair && el.items && el.vr === 'UN' && !enc.target && !ds.syntax.littleEndian) {
      // A sequence hidden in a UN (CP-246) of a big-endian file is written as the SQ it is: readers of
      // big-endian files do not all follow CP-246's switch to implicit VR little endian (pydicom 2.3).
      writeEdited({ ...enc, target: ds.syntax }, el, edit ?? NO_ITEM_EDITS, ds.syntax, out);
    } else if (edit) writeEdited(enc, el, edit, ds.syntax, out);
    else if (enc.target) writeReencoded(enc, el, ds.syntax, enc.target, out);
    else out.copy(enc.source, el.start, el.end - el.start);
  }
  while (next < inserts.length) writeNew(inserts[next++]!, syntax, out);
}

/** A dataset built from scratch (sample data, benchmarks, tests), sorted by tag. */
export function encodeNewDataset(elements: readonly NewElement[], syntax: Syntax): Uint8Array {
  const out = new Out();
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  sorted.forEach((el, i) => {
    if (i > 0 && sorted[i - 1]!.tag === el.tag) throw new EncodeError(`tag ${formatTag(el.tag)} given twice`);
  });
  for (const el of sorted) writeNew(el, syntax, out);
  return concatChunks(out.chunks);
}

export interface WriteOptions {
  /** New file meta elements (group 0002, explicit VR LE); by default the input's preamble and meta are copied. */
  readonly meta?: readonly NewElement[];
  /** Keep bytes after the last parseable element (only in a no-change copy: they may hold anything). */
  readonly keepTrailing?: boolean;
  /** Re-encode every element of the dataset in this syntax; its byte order must be the dataset's. */
  readonly syntax?: Syntax;
  /**
   * Write valid DICOM where the input was not quite: encapsulated pixel data that the file ended inside
   * gets its delimiter, and big-endian sequences hidden in a UN (CP-246) are written as SQ.
   */
  readonly repair?: boolean;
}

/** Reads a chunk's bytes; used where the output must be materialised (deflate, a whole output in memory). */
export function chunkBytes(c: Chunk): Uint8Array {
  return c instanceof Uint8Array ? c : c.source.read(c.offset, c.length);
}

export function concatChunks(chunks: readonly Chunk[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(chunkBytes(c), at);
    at += c.length;
  }
  return out;
}

/** The file meta group with its group length computed, explicit VR little endian as PS3.10 requires. */
export function encodeFileMeta(elements: readonly NewElement[]): Uint8Array {
  const body = new Out();
  for (const el of [...elements].filter((e) => e.tag !== 0x00020000).sort((a, b) => a.tag - b.tag)) {
    writeNew(el, EXPLICIT_LE, body);
  }
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, body.size, true);
  const out = new Out();
  writeNew({ tag: 0x00020000, vr: 'UL', value: groupLength }, EXPLICIT_LE, out);
  out.append(body);
  return concatChunks(out.chunks);
}

/** How an output's dataset is encoded: the syntax its meta declares, and a re-encoding when one is needed. */
export interface OutputSyntax {
  readonly uid: string;
  readonly reencode?: Syntax;
}

/**
 * A file whose meta contradicts its dataset (implicit VR under an explicit-VR syntax, say) was read by
 * what its bytes show. Its output declares the meta's syntax and is re-encoded in it when the byte order
 * allows; otherwise it declares what the bytes are, except that encapsulated pixel data needs Explicit VR
 * Little Endian, which every encapsulated syntax is (PS3.5 A.4).
 */
export function outputSyntax(parsed: ParsedDicom): OutputSyntax {
  const declaredUID = parsed.declaredTransferSyntaxUID;
  if (declaredUID === undefined) return { uid: parsed.transferSyntax.uid };
  const actual = parsed.dataset.syntax;
  const declared = transferSyntaxFor(declaredUID);
  const syntaxOf = (s: Syntax): Syntax => ({ explicitVR: s.explicitVR, littleEndian: s.littleEndian });
  if (declared && !declared.deflated && declared.littleEndian === actual.littleEndian) {
    return { uid: declared.uid, reencode: syntaxOf(declared) };
  }
  const encapsulated = parsed.dataset.elements.some((e) => e.tag === PIXEL_DATA && e.fragments);
  if (!encapsulated) return { uid: detectedSyntax(actual).uid };
  if (!actual.littleEndian) throw new EncodeError('encapsulated pixel data in big endian cannot be written');
  if (!isUid(declaredUID)) {
    throw new EncodeError('the declared transfer syntax is not a UID, and the pixel data is encapsulated');
  }
  return { uid: declaredUID, reencode: EXPLICIT_LE };
}

/**
 * The output file as chunks: preamble and meta (copied or new), then the dataset with edits applied.
 * With no edits, no new meta and keepTrailing, the result is the input byte for byte.
 */
export function writeDicom(
  parsed: ParsedDicom,
  edits: DatasetEdits | undefined,
  options: WriteOptions = {},
): Chunk[] {
  const out = new Out();
  if (options.meta) {
    const head = new Uint8Array(132);
    head.set([0x44, 0x49, 0x43, 0x4d], 128);
    out.bytes(head);
    out.bytes(encodeFileMeta(options.meta));
  } else {
    out.copy(parsed.fileSource, 0, parsed.datasetStart);
  }

  const target = options.syntax;
  if (target && target.littleEndian !== parsed.dataset.syntax.littleEndian) {
    throw new EncodeError('a dataset cannot be re-encoded in another byte order');
  }
  const body = new Out();
  const enc: Encoding = {
    source: parsed.source,
    repair: options.repair ?? false,
    ...(target ? { target } : {}),
  };
  writeDatasetBody(enc, parsed.dataset, edits, body);
  if (options.keepTrailing && parsed.trailingStart !== undefined) {
    body.copy(parsed.source, parsed.trailingStart, parsed.source.size - parsed.trailingStart);
  }

  if (parsed.transferSyntax.deflated) {
    const unchanged = !edits && options.keepTrailing;
    if (unchanged)
      out.copy(parsed.fileSource, parsed.datasetStart, parsed.fileSource.size - parsed.datasetStart);
    else out.bytes(deflateSync(concatChunks(body.chunks), { level: 6 }));
  } else {
    out.append(body);
  }
  return out.chunks;
}
