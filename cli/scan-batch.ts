import type { InputEntry } from '../node/inputs.js';
import type { FileOutcome, ScanFacts } from '../shared/scan/report.js';
import { renderEntry } from './scan-file.js';

/** What `scan` prints per file: a JSON object, a table block with values, or nothing (the summary only). */
export type ScanMode = 'json' | 'table' | 'summary';

/**
 * A run of files scanned in order: what is printed of them, in pieces (JSON file objects with commas between
 * them, table blocks, or nothing), and what the summary counts of each. The pieces stay apart: joined, a
 * batch's would be one string large enough for V8 to keep it outside the young generation, where only full
 * collections free it.
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
    const rendered = renderEntry(entry, mode === 'json', mode !== 'summary');
    if (mode === 'json' && outcomes.length > 0) texts.push(',');
    texts.push(...rendered.texts);
    outcomes.push(factsOf(rendered.outcome));
  }
  return { texts, outcomes };
}
