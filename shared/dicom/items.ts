import { type DicomElement, type DicomItem, type ItemList, UNDEFINED_LENGTH } from './model.js';
import type { Syntax } from './transfer-syntax.js';

/** Reads the elements of an item's content again: (content start, end, syntax, depth, undefined length). */
export type ReadElements = (
  start: number,
  end: number,
  syntax: Syntax,
  depth: number,
  inUndefinedItem: boolean,
) => DicomElement[];

/**
 * The item contents of one parse, read again from the bytes each time they are asked for. The contents
 * last read are kept, because readers ask one item for its elements several times in a row (its character
 * set, its private creators, then each element).
 */
export class ItemContents {
  private lastStart = -1;
  private lastElements: DicomElement[] = [];
  constructor(private readonly read: ReadElements) {}

  of(item: DicomItem, scope: ItemScope): DicomElement[] {
    if (item.start === this.lastStart) return this.lastElements;
    const undefinedLength = item.length === UNDEFINED_LENGTH;
    // The same arguments the first parse read the item with, so the same elements come out.
    const end = undefinedLength ? scope.limit : item.end;
    const elements = this.read(item.start + 8, end, scope.syntax, scope.depth + 1, undefinedLength);
    this.lastStart = item.start;
    this.lastElements = elements;
    return elements;
  }
}

/** What the items of one sequence share: how their contents are read again. */
export interface ItemScope {
  readonly contents: ItemContents;
  readonly syntax: Syntax;
  /** The depth of the sequence. */
  readonly depth: number;
  /** The end the sequence's items were read against (an undefined-length item stops at its delimiter). */
  readonly limit: number;
}

/**
 * One item, made when asked for: its elements are read from the bytes on each request and dropped after
 * use, so nothing per element outlives its reader.
 */
class Item implements DicomItem {
  constructor(
    readonly start: number,
    readonly length: number,
    readonly end: number,
    private readonly scope: ItemScope,
    /** Its elements as the parse found them, when it kept them (see ItemPlaces). */
    private readonly kept: DicomElement[] | undefined,
  ) {}
  get valueStart(): number {
    return this.start + 8;
  }
  get syntax(): Syntax {
    return this.scope.syntax;
  }
  get elements(): DicomElement[] {
    return this.kept ?? this.scope.contents.of(this, this.scope);
  }
}

/** Items per page of places: a page is 24 KB, so a long sequence grows without copying what it has. */
const PAGE = 1024;

/**
 * Collects the places (start, length field, end) of a sequence's items as the parser finds them, and the
 * elements of those the parser keeps (a few hundred per file: the sequences of most files, read
 * once instead of twice by a reader that looks at every item).
 */
export class ItemPlaces {
  private readonly pages: ArrayLike<number>[] = [];
  private page: number[] = [];
  private count = 0;
  private readonly kept: Array<DicomElement[] | undefined> = [];

  add(start: number, length: number, end: number, elements?: DicomElement[]) {
    if (elements) this.kept[this.count] = elements;
    this.page.push(start, length, end);
    if (++this.count % PAGE === 0) {
      this.pages.push(Float64Array.from(this.page));
      this.page = [];
    }
  }

  /** The items found, as a list that reads their contents through `scope`; once, when the sequence ends. */
  items(scope: ItemScope): ItemList {
    // The last page stays an array of numbers, not copied: most sequences have a few items.
    if (this.page.length > 0) this.pages.push(this.page);
    this.page = [];
    return new PlacedItems(this.pages, this.count, scope, this.kept);
  }
}

/**
 * The items of a sequence as three numbers each (start, length field, end) in pages of numbers, instead
 * of an object per item and a list of elements per item: a file of a million small items keeps 24 bytes
 * an item (issue 9, item 22).
 */
class PlacedItems implements ItemList {
  constructor(
    private readonly pages: ReadonlyArray<ArrayLike<number>>,
    readonly length: number,
    private readonly scope: ItemScope,
    private readonly kept: ReadonlyArray<DicomElement[] | undefined>,
  ) {}

  at(index: number): DicomItem | undefined {
    const i = index < 0 ? index + this.length : index;
    if (!(i >= 0 && i < this.length)) return undefined;
    const page = this.pages[Math.floor(i / PAGE)]!;
    const at = (i % PAGE) * 3;
    return new Item(page[at]!, page[at + 1]!, page[at + 2]!, this.scope, this.kept[i]);
  }

  *entries(): IterableIterator<[number, DicomItem]> {
    for (let i = 0; i < this.length; i++) yield [i, this.at(i)!];
  }

  *[Symbol.iterator](): IterableIterator<DicomItem> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!;
  }

  map<T>(fn: (item: DicomItem, index: number) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(fn(this.at(i)!, i));
    return out;
  }
}
