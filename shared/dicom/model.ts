import type { ByteSource } from './source.js';
import type { Tag } from './tag.js';
import type { Syntax, TransferSyntax } from './transfer-syntax.js';

export const UNDEFINED_LENGTH = 0xffffffff;

/**
 * One data element as it lies in its source: offsets are absolute in the source that holds the dataset,
 * so an element nobody changes is written back by copying [start, end).
 */
export interface DicomElement {
  readonly tag: Tag;
  /** The VR in the file (explicit VR) or implied by the dictionary (implicit VR; UN when unknown). */
  readonly vr: string;
  readonly start: number;
  readonly valueStart: number;
  /** The value length field as read; UNDEFINED_LENGTH for sequences and encapsulated data without one. */
  readonly length: number;
  /** First byte after the element, after its delimiter when its length is undefined. */
  readonly end: number;
  /** Items of a sequence, including a UN value that holds one (CP-246). */
  readonly items?: ItemList;
  /** Fragments of encapsulated pixel data; the first is the Basic Offset Table. */
  readonly fragments?: Fragment[];
  /** A value that announced items (an SQ, or a UN holding them) whose items could not be parsed. */
  readonly damaged?: true;
}

export interface Dataset {
  readonly elements: DicomElement[];
  readonly syntax: Syntax;
}

export interface DicomItem extends Dataset {
  readonly start: number;
  readonly valueStart: number;
  readonly length: number;
  readonly end: number;
}

/**
 * The items of a sequence. Not an array: a parsed file keeps only where each item lies, and makes an item
 * when asked for (so an item read twice is two equal objects, not one).
 */
export interface ItemList extends Iterable<DicomItem> {
  readonly length: number;
  at(index: number): DicomItem | undefined;
  entries(): Iterable<[number, DicomItem]>;
  map<T>(fn: (item: DicomItem, index: number) => T): T[];
}

export interface Fragment {
  readonly start: number;
  readonly valueStart: number;
  readonly length: number;
}

export type Layout = 'part10' | 'meta-without-preamble' | 'raw-dataset';

export interface ParsedDicom {
  /** The file as given. */
  readonly fileSource: ByteSource;
  /** Where the dataset's offsets point: the file itself, or its inflated dataset for deflated syntaxes. */
  readonly source: ByteSource;
  readonly layout: Layout;
  /** File meta elements (group 0002), in fileSource. */
  readonly meta: DicomElement[];
  /** Offset in fileSource where the dataset begins (after preamble, magic and meta). */
  readonly datasetStart: number;
  readonly transferSyntax: TransferSyntax;
  /** The Transfer Syntax UID the meta declared, when it differs from what the bytes turned out to be. */
  readonly declaredTransferSyntaxUID?: string;
  readonly dataset: Dataset;
  /** Offset in `source` of bytes after the last element that could not be parsed as elements. */
  readonly trailingStart?: number;
  /** Recoverable oddities, phrased with tags and offsets only. */
  readonly warnings: string[];
}
