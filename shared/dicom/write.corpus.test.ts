import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFiles, hasCorpus, readableCorpusFiles } from '../../test/corpus.js';
import type { Dataset } from './model.js';
import { parseDicom } from './parse.js';
import { MemorySource } from './source.js';
import { concatChunks, type DatasetEdits, type ElementEdit, writeDicom } from './write.js';

/** Edits that rewrite every sequence and item header instead of copying them: the serializer's own work. */
function rewriteEverySequence(ds: Dataset): DatasetEdits {
  const elements = new Map<number, ElementEdit>();
  for (const el of ds.elements) {
    if (el.items) elements.set(el.start, { kind: 'items', items: el.items.map(rewriteEverySequence) });
  }
  return { elements };
}

describe.skipIf(!hasCorpus)('write: no-change round trip of every corpus file', () => {
  const files = readableCorpusFiles();
  it('parses all but the few broken corpus files', () => {
    expect(files.length).toBeGreaterThanOrEqual(corpusFiles().length - 4);
  });
  for (const f of files) {
    it(`copy ${f.path}`, () => {
      const bytes = new Uint8Array(readFileSync(f.abs));
      const parsed = parseDicom(new MemorySource(bytes));
      const out = concatChunks(writeDicom(parsed, undefined, { keepTrailing: true }));
      expect(Buffer.compare(out, bytes)).toBe(0);
    });
  }
});

describe.skipIf(!hasCorpus)('write: re-encoding every sequence header reproduces well-formed files', () => {
  const rows: string[] = [];
  for (const f of readableCorpusFiles()) {
    it(`rewrite ${f.path}`, () => {
      const bytes = new Uint8Array(readFileSync(f.abs));
      const parsed = parseDicom(new MemorySource(bytes));
      const out = concatChunks(
        writeDicom(parsed, rewriteEverySequence(parsed.dataset), { keepTrailing: true }),
      );
      if (parsed.transferSyntax.deflated) return;
      if (Buffer.compare(out, bytes) !== 0) rows.push(`${f.path} ${parsed.warnings.length} warnings`);
      // Whatever differs must still parse to the same element structure.
      const again = parseDicom(new MemorySource(out));
      expect(again.dataset.elements.map((e) => e.tag)).toEqual(parsed.dataset.elements.map((e) => e.tag));
    });
  }
  it('differences', () => {
    console.log(rows.join('\n'));
  });
});
