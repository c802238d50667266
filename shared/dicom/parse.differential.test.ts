import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { corpusFiles, hasCorpus } from '../../test/corpus.js';
import { isDicomError } from './errors.js';
import { UNDEFINED_LENGTH } from './model.js';
import { parseDicom } from './parse.js';
import { MemorySource } from './source.js';

interface TheirElement {
  readonly tag: string;
  readonly length: number;
  readonly dataOffset: number;
  readonly items?: unknown[];
  readonly hadUndefinedLength?: boolean;
}

const tagKey = (tag: number) => `x${tag.toString(16).padStart(8, '0')}`;

/**
 * An independent reading of the same bytes: cornerstone's dicom-parser must find the same top-level
 * elements at the same offsets with the same lengths as our tokenizer, on every corpus file it can read.
 */
describe.skipIf(!hasCorpus)('our tokenizer agrees with dicom-parser on the corpus', () => {
  const compared: string[] = [];
  for (const f of corpusFiles()) {
    it(f.path, () => {
      const bytes = new Uint8Array(readFileSync(f.abs));
      let theirs: Record<string, TheirElement>;
      try {
        theirs = dicomParser.parseDicom(bytes).elements as Record<string, TheirElement>;
      } catch {
        return; // dicom-parser cannot read it (no DICM marker, deflate without an inflater, damage...)
      }
      let ours: ReturnType<typeof parseDicom>;
      try {
        ours = parseDicom(new MemorySource(bytes));
      } catch (e) {
        if (isDicomError(e)) return; // the four broken files, refused with a reason (parse.corpus.test)
        throw e;
      }
      if (ours.source !== ours.fileSource) return; // deflated: offsets are in the inflated dataset
      compared.push(f.path);
      const all = [...ours.meta, ...ours.dataset.elements];
      const seen = new Map<number, number>();
      for (const el of all) seen.set(el.tag, (seen.get(el.tag) ?? 0) + 1);
      for (const el of all) {
        const their = theirs[tagKey(el.tag)];
        expect(their, `${tagKey(el.tag)} found by both`).toBeDefined();
        if (el.length === UNDEFINED_LENGTH || el.items) continue;
        // Where a tag repeats (group 0002 inside the dataset, broken files), dicom-parser keeps the last one.
        if (seen.get(el.tag)! > 1) continue;
        // Past a point we cannot parse we keep the rest as opaque trailing bytes; dicom-parser reads on.
        if (ours.trailingStart !== undefined && their!.dataOffset >= ours.trailingStart) continue;
        expect(their!.dataOffset, `${tagKey(el.tag)} value offset`).toBe(el.valueStart);
        expect(their!.length, `${tagKey(el.tag)} value length`).toBe(el.length);
      }
    });
  }
  it('compared most of the corpus', () => {
    expect(compared.length).toBeGreaterThan(180);
  });
});
