import type { InputEntry } from '../node/inputs.js';
import type { FileOutcome, ScanFacts } from '../shared/scan/report.js';
import { renderEntry } from './scan-file.js';

/** What `scan` prints per file: a JSON object, a table block with values, or nothing (the summary only). */
export type ScanMode = 'json' | 'table' | 'summary';

/**
 * A run of files scanned in order: each one's text as printed (a JSON object, a table block, or nothing) and
 * what the summary counts of it. The texts stay apart: joined, a batch's would be one string large enough
 * for V8 to keep it outside the young generation, where only full collections free it.
 */
export interface BatchResult {
  readonly texts: string[];
  readonly outcomes: FileOutcome<ScanFacts>[];
}

/** Of a scan, only what the summary and the tally count: a batch's outcomes cross threads small. */
const factsOf = (outcome: FileOutcome): FileOutcome<ScanFacts> => {
  if (outcome.status !== 'ok') return outcome;
  const { counts, burnedIn, sopClassUID, modality } = outcome.scan;
  return { path: outcome.path, status: 'ok', scan: { counts, burnedIn, sopClassUID, modality } };
};

export function scanBatch(entries: readonly InputEntry[], mode: ScanMode): BatchResult {
  const texts: string[] = [];
  const outcomes: FileOutcome<ScanFacts>[] = [];
  for (const entry of entries) {
    const { outcome, text } = renderEntry(entry, mode === 'json', mode !== 'summary');
    texts.push(text);
    outcomes.push(factsOf(outcome));
  }
  return { texts, outcomes };
}
