import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFiles, hasCorpus } from '../../test/corpus.js';
import { isDicomError } from './errors.js';
import { parseDicom } from './parse.js';
import { MemorySource } from './source.js';

describe.skipIf(!hasCorpus)('parse every corpus file', () => {
  const results: string[] = [];
  for (const f of corpusFiles()) {
    it(f.path, () => {
      const bytes = new Uint8Array(readFileSync(f.abs));
      try {
        const p = parseDicom(new MemorySource(bytes));
        results.push(
          `ok ${p.dataset.elements.length} ${p.transferSyntax.uid} ${f.path} ${p.warnings.join('; ')}`,
        );
      } catch (e) {
        if (!isDicomError(e)) throw e;
        results.push(`unreadable ${e.code} ${e.message} ${f.path}`);
      }
    });
  }
  it('summary', () => {
    console.log(
      results
        .filter((r) => r.startsWith('FAIL') || r.includes(';') || /warn|missing|stray/.test(r))
        .join('\n'),
    );
    expect(results.length).toBeGreaterThan(200);
  });
});
