import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, hasCorpus } from '../../test/corpus.js';
import { sopClassLabel, sopClassName } from './sop-classes.js';

describe('SOP class names', () => {
  it('names SOP classes as PS3.6 does, retired ones marked, and leaves unknown UIDs bare', () => {
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.2')).toBe('CT Image Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.6')).toBe('Ultrasound Image Storage (retired)');
    expect(sopClassName('1.2.3.4')).toBeUndefined();
    expect(sopClassLabel('1.2.3.4')).toBe('1.2.3.4');
  });

  // The corpus manifest names each file's SOP class (written by other tools): every name must agree.
  it.runIf(hasCorpus)('agrees with the corpus manifest for every SOP class it names', () => {
    const rows = readFileSync(join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
    const column = rows[0]!.split('\t').indexOf('sop_class_modality');
    const named = new Map<string, string>();
    for (const row of rows.slice(1)) {
      const m = /^([\d.]+) \(([^)]+)\)/.exec(row.split('\t')[column] ?? '');
      if (m) named.set(m[1]!, m[2]!);
    }
    expect(named.size).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const [uid, name] of named) {
      const ours = sopClassName(uid);
      if (ours === undefined) missing.push(uid);
      else expect(ours.replace(' (retired)', ''), uid).toBe(name);
    }
    // Newer than the table's edition (PS3.6 2024 as pydicom 3.0.2 has it): shown as its UID until refreshed.
    expect(missing).toEqual(['1.2.840.10008.5.1.4.1.1.66.7']);
  });
});
