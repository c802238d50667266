import { deflateSync } from 'fflate';
import { encodeHeader, padValue } from './encode.js';
import { EncodeError } from './errors.js';
import {
  type Dataset,
  type DicomElement,
  type DicomItem,
  type ParsedDicom,
  UNDEFINED_LENGTH,
} from './model.js';
import type { ByteSource } from './source.js';
import { formatTag, ITEM, ITEM_DELIMITER, SEQUENCE_DELIMITER, type Tag } from './tag.js';
import { EXPLICIT_LE, IMPLICIT_LE, type Syntax } from './transfer-syntax.js';

/**
 * What changes in a dataset. Elements without an entry are copied byte for byte from the input, which is
 * how pixel data and every kept attribute come out identical.
 */
export interface DatasetEdits {
  readonly elements: ReadonlyMap<DicomElement, ElementEdit>;
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

class Out {
  readonly chunks: Chunk[] = [];
  size = 0;
  bytes(b: Uint8Array) {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.size += b.length;
  }
  copy(source: ByteSource, offset: number, length: number) {
    if (length <= 0) return;
    const last = this.chunks[this.chunks.length - 1];
    // Adjacent unchanged elements become one range, so an untouched run is one copy.
    if (
      last &&
      !(last instanceof Uint8Array) &&
      last.source === source &&
      last.offset + last.length === offset
    ) {
      this.chunks[this.chunks.length - 1] = { source, offset: last.offset, length: last.length + length };
    } else {
      this.chunks.push({ source, offset, length });
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

const delimiter = (tag: Tag, syntax: Syntax) => encodeHeader(tag, '', 0, syntax);

function writeNew(el: NewElement, syntax: Syntax, out: Out) {
  if ('items' in el) {
    const body = new Out();
    for (const item of el.items) {
      const content = new Out();
      for (const child of [...item].sort((a, b) => a.tag - b.tag)) writeNew(child, syntax, content);
      body.bytes(encodeHeader(ITEM, '', content.size, syntax));
      body.append(content);
    }
    out.bytes(encodeHeader(el.tag, 'SQ', body.size, syntax));
    out.append(body);
    return;
  }
  const value = padValue(el.vr, el.value);
  out.bytes(encodeHeader(el.tag, el.vr, value.length, syntax));
  out.bytes(value);
}

function writeItem(source: ByteSource, item: DicomItem, edits: DatasetEdits, out: Out) {
  const content = new Out();
  writeDatasetBody(source, item, edits, content);
  if (item.length === UNDEFINED_LENGTH) {
    out.bytes(encodeHeader(ITEM, '', UNDEFINED_LENGTH, item.syntax));
    out.append(content);
    out.bytes(delimiter(ITEM_DELIMITER, item.syntax));
  } else {
    out.bytes(encodeHeader(ITEM, '', content.size, item.syntax));
    out.append(content);
  }
}

function writeEdited(source: ByteSource, el: DicomElement, edit: ElementEdit, syntax: Syntax, out: Out) {
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
      out.bytes(encodeHeader(el.tag, edit.vr, value.length, syntax));
      out.bytes(value);
      return;
    }
    case 'items': {
      const items = el.items ?? [];
      const body = new Out();
      items.forEach((item, i) => {
        const itemEdit = edit.items[i];
        if (itemEdit === null) return;
        if (itemEdit === undefined) body.copy(source, item.start, item.end - item.start);
        else writeItem(source, item, itemEdit, body);
      });
      if (el.length === UNDEFINED_LENGTH) {
        out.bytes(encodeHeader(el.tag, el.vr, UNDEFINED_LENGTH, syntax));
        out.append(body);
        // A UN that holds a sequence keeps its content, delimiter included, in implicit VR LE (CP-246).
        out.bytes(delimiter(SEQUENCE_DELIMITER, el.vr === 'UN' ? IMPLICIT_LE : syntax));
      } else {
        out.bytes(encodeHeader(el.tag, el.vr, body.size, syntax));
        out.append(body);
      }
      return;
    }
  }
}

function writeDatasetBody(source: ByteSource, ds: Dataset, edits: DatasetEdits | undefined, out: Out) {
  const inserts = [...(edits?.insert ?? [])].sort((a, b) => a.tag - b.tag);
  let next = 0;
  for (const el of ds.elements) {
    while (next < inserts.length && inserts[next]!.tag < el.tag) writeNew(inserts[next++]!, ds.syntax, out);
    const edit = edits?.elements.get(el);
    if (edit) writeEdited(source, el, edit, ds.syntax, out);
    else out.copy(source, el.start, el.end - el.start);
  }
  while (next < inserts.length) writeNew(inserts[next++]!, ds.syntax, out);
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
}

/** Reads a chunk's bytes; used where the output must be materialised (deflate). */
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

  const body = new Out();
  writeDatasetBody(parsed.source, parsed.dataset, edits, body);
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
