import { type DicomElement, type ParsedDicom, UNDEFINED_LENGTH } from '../dicom/model.js';
import type { ByteSource } from '../dicom/source.js';
import { groupOf, type Tag } from '../dicom/tag.js';

/** Values longer than this are not remembered (the facts read from them are short codes and numbers). */
const MAX_REMEMBERED = 256;

/** One element as it was in a file: all that reading it depends on. */
interface Kept {
  readonly vr: string;
  readonly length: number;
  readonly items: boolean;
  readonly value: Uint8Array;
}

function firstWith(elements: readonly DicomElement[], tag: Tag): DicomElement | undefined {
  for (const el of elements) if (el.tag === tag) return el;
  return undefined;
}

/** Undefined for an absent element; null for one too long to remember. */
function kept(source: ByteSource, el: DicomElement | undefined): Kept | undefined | null {
  if (!el) return undefined;
  if (el.length === UNDEFINED_LENGTH || el.length > MAX_REMEMBERED) return null;
  return {
    vr: el.vr,
    length: el.length,
    items: el.items !== undefined,
    value: source.read(el.valueStart, el.length).slice(),
  };
}

function same(source: ByteSource, el: DicomElement | undefined, was: Kept | undefined): boolean {
  if (!el || !was) return el === was;
  if (el.vr !== was.vr || el.length !== was.length || (el.items !== undefined) !== was.items) return false;
  const { bytes, base } = source.window(el.valueStart, was.value.length);
  const from = el.valueStart - base;
  for (let i = 0; i < was.value.length; i++) if (bytes[from + i] !== was.value[i]) return false;
  return true;
}

/**
 * What a few top-level elements of a file give (a file meta element when its group is 0002), remembered
 * for the next file: the files of a series carry the same bytes in them, and comparing those costs a
 * fraction of decoding them again. `tags` must be every element the computation reads, and `key` every
 * other thing it depends on (compared with ===).
 */
export class Remembered<T> {
  private last:
    | {
        readonly key: readonly unknown[];
        readonly elements: ReadonlyArray<Kept | undefined>;
        readonly value: T;
      }
    | undefined;

  constructor(private readonly tags: readonly Tag[]) {}

  of(parsed: ParsedDicom, key: readonly unknown[], compute: () => T): T {
    const where = (tag: Tag) =>
      groupOf(tag) === 0x0002
        ? { source: parsed.fileSource, el: firstWith(parsed.meta, tag) }
        : { source: parsed.source, el: firstWith(parsed.dataset.elements, tag) };
    const found = this.tags.map(where);
    const { last } = this;
    if (
      last &&
      key.length === last.key.length &&
      key.every((k, i) => k === last.key[i]) &&
      found.every(({ source, el }, i) => same(source, el, last.elements[i]))
    )
      return last.value;
    const value = compute();
    const elements = found.map(({ source, el }) => kept(source, el));
    this.last = elements.includes(null)
      ? undefined
      : { key: [...key], elements: elements as Array<Kept | undefined>, value };
    return value;
  }
}
