import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDicomError } from '../shared/dicom/errors.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { MemorySource } from '../shared/dicom/source.js';

/** The team's public test corpus, beside the checkout (CI has it there too). */
export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../shared/corpus');
export const hasCorpus = existsSync(join(CORPUS_DIR, 'MANIFEST.tsv'));

export interface CorpusFile {
  readonly path: string;
  readonly abs: string;
  readonly bytes: number;
  readonly transferSyntax: string;
  readonly charset: string;
  readonly preamble: string;
  readonly dcmdumpStatus: string;
}

export function corpusFiles(): CorpusFile[] {
  if (!hasCorpus) return [];
  const lines = readFileSync(join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    return {
      path: f[col('path')]!,
      abs: join(CORPUS_DIR, f[col('path')]!),
      bytes: Number(f[col('bytes')]),
      transferSyntax: f[col('transfer_syntax_uid')]!,
      charset: f[col('charset')] ?? '',
      preamble: f[col('preamble_DICM')] ?? '',
      dcmdumpStatus: f[col('dcmdump_status')] ?? '',
    };
  });
}

/** The corpus files our parser reads: all but the four that are truncated or hostile (parse.corpus.test). */
export function readableCorpusFiles(): CorpusFile[] {
  return corpusFiles().filter((f) => {
    try {
      parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))));
      return true;
    } catch (e) {
      if (isDicomError(e)) return false;
      throw e;
    }
  });
}

export const readCorpus = (path: string): Uint8Array => new Uint8Array(readFileSync(join(CORPUS_DIR, path)));
