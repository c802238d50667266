import { describe, expect, it } from 'vitest';
import { readableCorpusFiles, readCorpus } from '../../test/corpus.js';
import { part10, str } from '../../test/part10.js';
import { asciiBytes, encodeHeader } from './encode.js';
import type { Dataset, DicomElement } from './model.js';
import { parseDicom } from './parse.js';
import { MemorySource } from './source.js';
import { EXPLICIT_LE } from './transfer-syntax.js';
import { concatChunks } from './write.js';

// Items keep only where they lie and read their elements from the bytes each time (issue 9, item 22):
// reading them again must give the same tree, and nothing more to the parse's warnings.

type Shape = ReadonlyArray<readonly unknown[]>;

/** The whole tree below `ds` as plain values, every item's elements read afresh. */
function shape(ds: Dataset): Shape {
  return ds.elements.map((el: DicomElement) => [
    el.tag,
    el.vr,
    el.start,
    el.valueStart,
    el.length,
    el.end,
    el.damaged ?? false,
    el.fragments?.length ?? -1,
    el.items?.map((item) => [item.start, item.valueStart, item.length, item.end, item.syntax, shape(item)]),
  ]);
}

/** Items of each sequence follow one another from the sequence's value to its end. */
function itemsTile(ds: Dataset): void {
  for (const el of ds.elements) {
    if (!el.items) continue;
    let at = el.valueStart;
    for (const item of el.items) {
      expect(item.start, `(${el.tag.toString(16)}) item at ${item.start}`).toBe(at);
      expect(item.end).toBeGreaterThanOrEqual(item.valueStart);
      itemsTile(item);
      at = item.end;
    }
  }
}

describe('sequence items read again from the bytes', () => {
  const files = readableCorpusFiles();

  it('give the same tree each time and add no warnings, in every readable corpus file', () => {
    let sequences = 0;
    for (const f of files) {
      let parsed: ReturnType<typeof parseDicom>;
      try {
        parsed = parseDicom(new MemorySource(readCorpus(f.path)));
      } catch {
        continue;
      }
      const warnings = [...parsed.warnings];
      const first = shape(parsed.dataset);
      expect(shape(parsed.dataset), f.path).toEqual(first);
      expect(parsed.warnings, f.path).toEqual(warnings);
      itemsTile(parsed.dataset);
      sequences += parsed.dataset.elements.filter((e) => e.items).length;
    }
    expect(sequences).toBeGreaterThan(100);
  });

  it('are found by index across pages, from either end, and in order', () => {
    const count = 2500; // three pages of places
    const item = (i: number) => {
      const uid = asciiBytes(`1.2.3.${String(i).padStart(6, '0')}`);
      return concatChunks([
        encodeHeader(0xfffee000, '', 8 + uid.length, EXPLICIT_LE),
        encodeHeader(0x00081155, 'UI', uid.length, EXPLICIT_LE),
        uid,
      ]);
    };
    const head = part10([str(0x00100010, 'PN', 'DOE^JANE')]);
    const bytes = concatChunks([
      head,
      encodeHeader(0x00081115, 'SQ', 0xffffffff, EXPLICIT_LE),
      ...Array.from({ length: count }, (_, i) => item(i)),
      encodeHeader(0xfffee0dd, '', 0, EXPLICIT_LE),
    ]);
    const parsed = parseDicom(new MemorySource(bytes));
    const items = parsed.dataset.elements.at(-1)!.items!;
    const uidOf = (i: number | undefined) => {
      const el = i === undefined ? undefined : items.at(i)?.elements[0];
      return el && new TextDecoder().decode(parsed.source.read(el.valueStart, el.length));
    };
    expect(items.length).toBe(count);
    for (const i of [0, 1023, 1024, 2047, 2048, count - 1])
      expect(uidOf(i)).toBe(`1.2.3.${String(i).padStart(6, '0')}`);
    expect(uidOf(-1)).toBe(uidOf(count - 1));
    // The first few hundred items keep the elements the parse found; later ones are read again each time.
    const twice = (i: number) => {
      const first = items.at(i)!.elements;
      expect(items.at(i + 1)!.elements).not.toBe(first);
      return [first, items.at(i)!.elements];
    };
    const [kept, keptAgain] = twice(0);
    expect(keptAgain).toBe(kept);
    const [read, readAgain] = twice(2000);
    expect(readAgain).not.toBe(read);
    expect(readAgain).toEqual(read);
    expect(items.at(count)).toBeUndefined();
    expect(items.at(-count - 1)).toBeUndefined();
    const starts = [...items].map((it) => it.start);
    expect(starts).toEqual([...items.entries()].map(([, it]) => it.start));
    expect([...items.entries()].map(([i]) => i)).toEqual(starts.map((_, i) => i));
    expect(starts[0]).toBe(head.length + 12);
    expect(items.map((it, i) => it.end === (items.at(i + 1)?.start ?? bytes.length - 8))).not.toContain(
      false,
    );
  });
});
