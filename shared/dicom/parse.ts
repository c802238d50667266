// The browser build: the same inflater, without the Node build's load of worker_threads at start-up (for
// asynchronous functions not used here).
import { Inflate } from 'fflate/browser';
import { impliedVR, lookup } from '../dictionary/index.js';
import { DicomError } from './errors.js';
import { ItemContents, ItemPlaces, type ItemScope } from './items.js';
import {
  type DicomElement,
  type Fragment,
  type ItemList,
  type Layout,
  type ParsedDicom,
  UNDEFINED_LENGTH,
} from './model.js';
import { type ByteSource, MemorySource } from './source.js';
import {
  formatTag,
  groupOf,
  ITEM,
  ITEM_DELIMITER,
  PIXEL_DATA,
  SEQUENCE_DELIMITER,
  TRANSFER_SYNTAX_UID,
} from './tag.js';
import {
  detectedSyntax,
  EXPLICIT_LE,
  IMPLICIT_LE,
  type Syntax,
  type TransferSyntax,
  transferSyntaxFor,
} from './transfer-syntax.js';
import { hasLongHeader, isVR, vrOfCode } from './vr.js';

export interface ParseOptions {
  /** Deeper nesting is refused: real objects stay below ten levels, hostile ones go to 100,000. */
  readonly maxDepth?: number;
  /** Stop after the top-level Pixel Data header, for callers that only need the header. */
  readonly stopAtPixelData?: boolean;
}

const DEFAULT_MAX_DEPTH = 64;
/** Item elements a parse keeps at most (about 100 bytes each), the rest being read again when asked for. */
const KEPT_ELEMENTS = 512;
const DICM = [0x44, 0x49, 0x43, 0x4d];

// What a reader sees before its first window: one for all, since a DataView over a new empty array costs the
// array a buffer of its own (allocated outside the heap), and there is a reader per file parsed.
const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

/** Reads little- or big-endian integers through a window of a ByteSource. */
class Reader {
  private bytes: Uint8Array = NO_BYTES;
  private view: DataView = NO_VIEW;
  private base = 0;
  constructor(readonly source: ByteSource) {}

  get size(): number {
    return this.source.size;
  }

  private ensure(pos: number, n: number): number {
    const rel = pos - this.base;
    if (rel < 0 || rel + n > this.bytes.length) {
      if (pos + n > this.source.size) {
        throw new DicomError(
          'truncated',
          `file ends at byte ${this.source.size} inside data expected at ${pos}`,
        );
      }
      const w = this.source.window(pos, n);
      this.bytes = w.bytes;
      this.base = w.base;
      this.view = new DataView(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength);
      return pos - this.base;
    }
    return rel;
  }

  // `ensure` may move the window, so it runs before `bytes`/`view` are read.
  u8(pos: number): number {
    const rel = this.ensure(pos, 1);
    return this.bytes[rel]!;
  }
  u16(pos: number, le: boolean): number {
    const rel = this.ensure(pos, 2);
    return this.view.getUint16(rel, le);
  }
  u32(pos: number, le: boolean): number {
    const rel = this.ensure(pos, 4);
    return this.view.getUint32(rel, le);
  }
  tag(pos: number, le: boolean): number {
    const rel = this.ensure(pos, 4);
    return ((this.view.getUint16(rel, le) << 16) | this.view.getUint16(rel + 2, le)) >>> 0;
  }
  has(pos: number, n: number): boolean {
    return pos + n <= this.source.size;
  }
  matches(pos: number, expected: readonly number[]): boolean {
    if (!this.has(pos, expected.length)) return false;
    return expected.every((b, i) => this.u8(pos + i) === b);
  }
  vrAt(pos: number): string {
    return String.fromCharCode(this.u8(pos), this.u8(pos + 1));
  }
  ascii(pos: number, length: number): string {
    const b = this.source.read(pos, length);
    let s = '';
    for (const c of b) s += String.fromCharCode(c);
    return s;
  }
}

class Parser {
  readonly warnings: string[] = [];
  /** Item elements kept so far (see keep). */
  private kept = 0;
  /** What the items of this parse read their elements with again. */
  private contents: ItemContents | undefined;
  constructor(
    readonly r: Reader,
    readonly maxDepth: number,
    readonly stopAtPixelData: boolean,
  ) {}

  /**
   * A second parser reads item contents again: its warnings are dropped, the first, complete parse gave
   * them already. Both share one ItemContents, so nested items read theirs through it too.
   */
  private itemContents(): ItemContents {
    if (!this.contents) {
      const again = new Parser(this.r, this.maxDepth, false);
      this.contents = new ItemContents(
        (start, end, syntax, depth, inUndefinedItem) =>
          again.elements(start, end, syntax, depth, inUndefinedItem).elements,
      );
      again.contents = this.contents;
    }
    return this.contents;
  }

  /**
   * An item's elements, kept while the parse has kept fewer than KEPT_ELEMENTS in all: a file of a million
   * items holds its places only, and the few items of most files are not read a second time.
   */
  private keep(elements: DicomElement[]): DicomElement[] | undefined {
    if (this.kept + elements.length > KEPT_ELEMENTS) return undefined;
    this.kept += elements.length;
    return elements;
  }

  warn(message: string) {
    if (this.warnings.length < 100) this.warnings.push(message);
  }

  /**
   * Elements from `pos` up to `end`, or up to an Item Delimitation Item when `inUndefinedItem`.
   * Returns the elements and the offset after the last one (after the delimiter, if any).
   */
  elements(
    pos: number,
    end: number,
    syntax: Syntax,
    depth: number,
    inUndefinedItem: boolean,
  ): { elements: DicomElement[]; pos: number; trailingStart?: number } {
    const elements: DicomElement[] = [];
    const le = syntax.littleEndian;
    while (pos < end) {
      if (!this.r.has(pos, 8)) {
        if (depth === 0) {
          this.warn(`${end - pos} trailing bytes after the last element at ${pos}`);
          return { elements, pos: end, trailingStart: pos };
        }
        throw new DicomError('truncated', `file ends inside an element header at byte ${pos}`);
      }
      const tag = this.r.tag(pos, le);
      if (tag === ITEM_DELIMITER) {
        if (inUndefinedItem) return { elements, pos: pos + 8 };
        this.warn(`stray item delimiter at ${pos}`);
        pos += 8;
        continue;
      }
      if (tag === SEQUENCE_DELIMITER && depth > 0) {
        // An item missing its own delimiter ends with the sequence's; the caller reads that delimiter.
        this.warn(`item without delimiter before sequence end at ${pos}`);
        return { elements, pos };
      }
      if (depth === 0 && (tag === ITEM || tag === SEQUENCE_DELIMITER || tag === 0 || tag === 0xffffffff)) {
        if (elements.length === 0) throw new DicomError('malformed', `no data element at byte ${pos}`);
        this.warn(`unparseable bytes after the last element at ${pos}`);
        return { elements, pos: end, trailingStart: pos };
      }
      const element = this.element(pos, syntax, depth, end);
      elements.push(element);
      pos = element.end;
      if (depth === 0 && this.stopAtPixelData && tag === PIXEL_DATA) return { elements, pos };
    }
    if (inUndefinedItem) {
      this.warn(`item delimiter missing before byte ${end}`);
    }
    return { elements, pos };
  }

  /** `bound`: the end of the enclosing item or dataset, which an undefined length may not run past. */
  element(start: number, syntax: Syntax, depth: number, bound: number = this.r.size): DicomElement {
    const r = this.r;
    const le = syntax.littleEndian;
    const tag = r.tag(start, le);
    let vr: string;
    let length: number;
    let valueStart: number;
    if (syntax.explicitVR) {
      const fileVr = vrOfCode(r.u16(start + 4, false));
      if (fileVr) {
        vr = fileVr;
        if (hasLongHeader(vr)) {
          length = r.u32(start + 8, le);
          valueStart = start + 12;
        } else {
          length = r.u16(start + 6, le);
          valueStart = start + 8;
        }
      } else {
        // dcmtk's rule for VR bytes that are no VR: a 2-byte length follows, the dictionary gives the VR.
        this.warn(`invalid VR bytes in ${formatTag(tag)} at ${start}`);
        vr = impliedVR(tag);
        length = r.u16(start + 6, le);
        valueStart = start + 8;
      }
    } else {
      vr = impliedVR(tag);
      length = r.u32(start + 4, le);
      valueStart = start + 8;
    }

    if (length === UNDEFINED_LENGTH) {
      if (depth >= this.maxDepth) {
        throw new DicomError(
          'unsupported',
          `sequences nested deeper than ${this.maxDepth} levels at byte ${start}`,
        );
      }
      if (vr === 'SQ' || (!syntax.explicitVR && tag !== PIXEL_DATA)) {
        const { items, end } = this.items(valueStart, UNDEFINED_LENGTH, syntax, depth, bound);
        return { tag, vr: 'SQ', start, valueStart, length, end, items };
      }
      if (vr === 'UN' && tag !== PIXEL_DATA) {
        // CP-246: a UN of undefined length holds a sequence in Implicit VR Little Endian.
        const { items, end } = this.items(valueStart, UNDEFINED_LENGTH, IMPLICIT_LE, depth, bound);
        return { tag, vr, start, valueStart, length, end, items };
      }
      const { fragments, end } = this.fragments(valueStart, le);
      return { tag, vr, start, valueStart, length, end, fragments };
    }

    const end = valueStart + length;
    if (end > r.size) {
      throw new DicomError(
        'truncated',
        `${formatTag(tag)} at byte ${start} declares ${length} bytes but the file ends at ${r.size}`,
      );
    }
    if (vr === 'SQ' || this.mayHoldItems(tag, vr, valueStart, length, le)) {
      if (depth >= this.maxDepth) {
        throw new DicomError(
          'unsupported',
          `sequences nested deeper than ${this.maxDepth} levels at byte ${start}`,
        );
      }
      const itemSyntax = vr === 'SQ' ? syntax : IMPLICIT_LE;
      try {
        const { items } = this.items(valueStart, length, itemSyntax, depth);
        return { tag, vr, start, valueStart, length, end, items };
      } catch (e) {
        if (!(e instanceof DicomError) || e.code === 'unsupported') throw e;
        // The file goes on after it, but its content is unknown bytes: marked, so nothing copies it blindly.
        this.warn(`${formatTag(tag)} at ${start} is not a valid sequence; read as opaque bytes`);
        return { tag, vr: vr === 'SQ' ? 'UN' : vr, start, valueStart, length, end, damaged: true };
      }
    }
    return { tag, vr, start, valueStart, length, end };
  }

  /** A UN (or an unknown tag in implicit VR) whose value starts with an Item tag is a sequence in disguise. */
  private mayHoldItems(tag: number, vr: string, valueStart: number, length: number, le: boolean): boolean {
    if (vr !== 'UN' || length < 8) return false;
    if (tag === PIXEL_DATA) return false;
    const dictVr = lookup(tag)?.vr;
    if (dictVr && dictVr !== 'SQ') return false;
    return this.r.tag(valueStart, true) === ITEM || this.r.tag(valueStart, le) === ITEM;
  }

  items(
    valueStart: number,
    length: number,
    syntax: Syntax,
    depth: number,
    bound: number = this.r.size,
  ): { items: ItemList; end: number } {
    const r = this.r;
    const le = syntax.littleEndian;
    const undefinedLength = length === UNDEFINED_LENGTH;
    const limit = undefinedLength ? bound : valueStart + length;
    // Start, length field and end of each item; the contents are read (so a bad item fails the file now)
    // and dropped, to be read again when asked for.
    const places = new ItemPlaces();
    const scope: ItemScope = { contents: this.itemContents(), syntax, depth, limit };
    const items = () => places.items(scope);
    let pos = valueStart;
    while (pos < limit) {
      if (!r.has(pos, 8)) {
        if (undefinedLength) {
          this.warn(`sequence delimiter missing at end of file (${pos})`);
          return { items: items(), end: limit };
        }
        throw new DicomError('truncated', `file ends inside a sequence at byte ${pos}`);
      }
      const tag = r.tag(pos, le);
      const itemLength = r.u32(pos + 4, le);
      if (tag === SEQUENCE_DELIMITER) {
        if (!undefinedLength) {
          // Bytes between the delimiter and the declared end would be copied unread: the sequence fails.
          if (pos + 8 < limit) {
            throw new DicomError(
              'malformed',
              `sequence delimiter at ${pos} before the declared end ${limit}`,
            );
          }
          this.warn(`sequence delimiter inside a sequence of defined length at ${pos}`);
        }
        return { items: items(), end: undefinedLength ? pos + 8 : limit };
      }
      if (tag !== ITEM) {
        throw new DicomError('malformed', `expected an item at byte ${pos}, found ${formatTag(tag)}`);
      }
      const itemStart = pos;
      const contentStart = pos + 8;
      if (itemLength === UNDEFINED_LENGTH) {
        const inner = this.elements(contentStart, limit, syntax, depth + 1, true);
        places.add(itemStart, itemLength, inner.pos, this.keep(inner.elements));
        pos = inner.pos;
      } else {
        const itemEnd = contentStart + itemLength;
        if (itemEnd > limit || itemEnd > r.size) {
          throw new DicomError(
            'malformed',
            `item at byte ${pos} declares ${itemLength} bytes beyond its sequence`,
          );
        }
        const inner = this.elements(contentStart, itemEnd, syntax, depth + 1, false);
        places.add(itemStart, itemLength, itemEnd, this.keep(inner.elements));
        pos = itemEnd;
      }
    }
    if (undefinedLength) {
      this.warn(`sequence delimiter missing at end of file (${pos})`);
      return { items: items(), end: limit };
    }
    return { items: items(), end: limit };
  }

  fragments(valueStart: number, le: boolean): { fragments: Fragment[]; end: number } {
    const r = this.r;
    const fragments: Fragment[] = [];
    let pos = valueStart;
    for (;;) {
      if (!r.has(pos, 8)) {
        this.warn(`encapsulated data without sequence delimiter at end of file`);
        return { fragments, end: r.size };
      }
      const tag = r.tag(pos, le);
      const length = r.u32(pos + 4, le);
      if (tag === SEQUENCE_DELIMITER) return { fragments, end: pos + 8 };
      if (tag !== ITEM || length === UNDEFINED_LENGTH) {
        throw new DicomError(
          'malformed',
          `expected a pixel data fragment at byte ${pos}, found ${formatTag(tag)}`,
        );
      }
      if (pos + 8 + length > r.size) {
        throw new DicomError('truncated', `pixel data fragment at byte ${pos} runs past the end of the file`);
      }
      fragments.push({ start: pos, valueStart: pos + 8, length });
      pos += 8 + length;
    }
  }
}

// Deflated datasets are reports and waveforms of a few MB; a kilobyte that inflates to gigabytes is an attack.
const MAX_INFLATED = 512 * 1024 * 1024;

function inflateCapped(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > MAX_INFLATED) {
      throw new DicomError('too-large', `the deflated dataset inflates to more than ${MAX_INFLATED} bytes`);
    }
    parts.push(chunk);
  });
  const PIECE = 64 * 1024;
  for (let at = 0; at < data.length; at += PIECE) {
    inflater.push(data.subarray(at, at + PIECE), at + PIECE >= data.length);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Group numbers that a dataset plausibly starts with: command, meta, directory or identifying groups. */
const plausibleFirstGroup = (group: number) => group <= 0x0010 && group % 2 === 0;

/**
 * Guesses the encoding of a dataset from its first element, for files without meta and files whose meta
 * names a syntax the bytes contradict.
 */
function sniffSyntax(r: Reader, pos: number): Syntax | undefined {
  if (!r.has(pos, 8)) return undefined;
  const vr = r.vrAt(pos + 4);
  const explicit = isVR(vr);
  if (plausibleFirstGroup(r.u16(pos, true))) return explicit ? EXPLICIT_LE : IMPLICIT_LE;
  if (plausibleFirstGroup(r.u16(pos, false)) && explicit) return { explicitVR: true, littleEndian: false };
  return undefined;
}

function declaredSyntaxFits(r: Reader, pos: number, syntax: Syntax): boolean {
  if (!r.has(pos, 8)) return true;
  return isVR(r.vrAt(pos + 4)) === syntax.explicitVR;
}

export function parseDicom(source: ByteSource, options: ParseOptions = {}): ParsedDicom {
  if (source.size === 0) throw new DicomError('empty', 'the file is empty');
  const r = new Reader(source);
  const parser = new Parser(r, options.maxDepth ?? DEFAULT_MAX_DEPTH, options.stopAtPixelData ?? false);

  let layout: Layout = 'raw-dataset';
  let metaStart = 0;
  if (r.matches(128, DICM) && r.has(136, 4) && r.u16(132, true) === 0x0002) {
    layout = 'part10';
    metaStart = 132;
  } else if (r.matches(0, DICM) && r.has(8, 4) && r.u16(4, true) === 0x0002) {
    layout = 'part10';
    metaStart = 4;
  } else if (r.has(8, 1) && r.u16(0, true) === 0x0002 && isVR(r.vrAt(4))) {
    layout = 'meta-without-preamble';
  } else if (r.matches(128, DICM)) {
    parser.warn('DICM at byte 128 is not followed by file meta; reading a dataset from byte 0');
  }

  // File meta: always explicit VR little endian; the group length is not trusted (it is often wrong).
  const meta: DicomElement[] = [];
  let pos = metaStart;
  if (layout !== 'raw-dataset') {
    while (r.has(pos, 8) && r.u16(pos, true) === 0x0002) {
      const el = parser.element(pos, EXPLICIT_LE, 0);
      meta.push(el);
      pos = el.end;
    }
  }
  const datasetStart = pos;

  const tsElement = meta.find((e) => e.tag === TRANSFER_SYNTAX_UID);
  const declaredUID = tsElement
    ? r.ascii(tsElement.valueStart, Math.min(tsElement.length, 64)).replace(/[\0 ]+$/, '')
    : undefined;
  let transferSyntax: TransferSyntax | undefined = declaredUID ? transferSyntaxFor(declaredUID) : undefined;
  let declaredMismatch = false;

  if (transferSyntax && !transferSyntax.deflated && !declaredSyntaxFits(r, datasetStart, transferSyntax)) {
    const sniffed = sniffSyntax(r, datasetStart);
    if (sniffed) {
      parser.warn('the dataset encoding contradicts the declared transfer syntax; using what the bytes show');
      transferSyntax = { ...transferSyntax, ...sniffed };
      declaredMismatch = true;
    }
  }
  if (!transferSyntax) {
    const sniffed = sniffSyntax(r, datasetStart);
    if (!sniffed) {
      throw new DicomError(
        layout === 'raw-dataset' ? 'not-dicom' : 'malformed',
        layout === 'raw-dataset'
          ? 'not a DICOM file: no DICM marker and no recognisable data element at the start'
          : 'the dataset encoding could not be determined',
      );
    }
    if (declaredUID) parser.warn('unknown transfer syntax; the dataset encoding was detected from its bytes');
    transferSyntax = declaredUID ? { ...detectedSyntax(sniffed), uid: declaredUID } : detectedSyntax(sniffed);
    declaredMismatch = declaredUID !== undefined;
  }

  let dsSource: ByteSource = source;
  let dsPos = datasetStart;
  if (transferSyntax.deflated) {
    try {
      dsSource = new MemorySource(inflateCapped(source.read(datasetStart, source.size - datasetStart)));
    } catch (e) {
      if (e instanceof DicomError) throw e;
      throw new DicomError('malformed', 'the deflated dataset could not be inflated');
    }
    dsPos = 0;
  }
  const dsParser =
    dsSource === source ? parser : new Parser(new Reader(dsSource), parser.maxDepth, parser.stopAtPixelData);

  let parsed: ReturnType<Parser['elements']>;
  const warningsBefore = dsParser.warnings.length;
  try {
    try {
      parsed = dsParser.elements(dsPos, dsSource.size, transferSyntax, 0, false);
    } catch (e) {
      // A meta that names the wrong byte order (Big Endian over a little-endian dataset, or the reverse)
      // fails the whole read; the other order is tried once, and used only if the dataset then reads.
      if (!(e instanceof DicomError) || (e.code !== 'malformed' && e.code !== 'truncated')) throw e;
      if (layout === 'raw-dataset' || declaredMismatch || !transferSyntax.explicitVR) throw e;
      const swapped = { ...transferSyntax, littleEndian: !transferSyntax.littleEndian };
      const reader = dsParser.r;
      if (transferSyntax.deflated || !plausibleFirstGroup(reader.u16(dsPos, swapped.littleEndian))) throw e;
      dsParser.warnings.length = warningsBefore;
      try {
        parsed = dsParser.elements(dsPos, dsSource.size, swapped, 0, false);
      } catch {
        throw e;
      }
      dsParser.warn(
        'the dataset byte order contradicts the declared transfer syntax; using what the bytes show',
      );
      transferSyntax = swapped;
      declaredMismatch = true;
    }
  } catch (e) {
    if (e instanceof DicomError) {
      if (layout === 'raw-dataset' && e.code === 'truncated' && dsPos === 0 && source.size < 1024) {
        throw new DicomError('not-dicom', 'not a DICOM file: the bytes do not form data elements');
      }
      throw e;
    }
    if (e instanceof RangeError) throw new DicomError('malformed', 'the file structure is too deeply nested');
    throw e;
  }
  if (layout === 'raw-dataset' && parsed.elements.length < 2) {
    throw new DicomError('not-dicom', 'not a DICOM file: the bytes do not form data elements');
  }
  if (layout === 'raw-dataset' && groupOf(parsed.elements[0]!.tag) > 0x0010) {
    throw new DicomError('not-dicom', 'not a DICOM file: the bytes do not form data elements');
  }

  const warnings = dsParser === parser ? parser.warnings : [...parser.warnings, ...dsParser.warnings];
  return {
    fileSource: source,
    source: dsSource,
    layout,
    meta,
    datasetStart,
    transferSyntax,
    ...(declaredMismatch && declaredUID ? { declaredTransferSyntaxUID: declaredUID } : {}),
    dataset: { elements: parsed.elements, syntax: transferSyntax },
    ...(parsed.trailingStart !== undefined ? { trailingStart: parsed.trailingStart } : {}),
    warnings,
  };
}
