import { readFileSync } from 'node:fs';
import { ReportableError } from '../shared/errors.js';
import { CsvSyntaxError, parseCsv } from './reports/csv.js';

/** A problem in a site crosswalk, located by line: messages never quote a cell (they are patient IDs). */
export class CrosswalkError extends ReportableError {
  constructor(
    problem: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `crosswalk: ${problem}` : `crosswalk line ${line}: ${problem}`);
    this.name = 'CrosswalkError';
  }
}

// The header rows we recognise. Anything else on line 1 is data: a header mistaken for data maps a
// "Patient ID" nobody has, while data mistaken for a header would silently drop a patient.
const HEADERS = new Set(['original,pseudonym', 'id_old,id_new']);
// The pseudonym is written as Patient ID (LO): at most 64 characters, no backslash, no control characters.
const LO = /^[^\\\x00-\x1f\x7f]{1,64}$/;

/**
 * A site crosswalk, `original,pseudonym` per line (header optional; RFC 4180 quoting; UTF-8 with or
 * without BOM; a `patient-id-crosswalk.csv` from an earlier run reads as one) → original Patient ID →
 * pseudonym. Surrounding spaces are dropped, as DICOM ignores them in an LO value.
 */
export function parseCrosswalk(text: string): Map<string, string> {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new CrosswalkError(e.problem, e.line);
    throw e;
  }
  const first = records[0];
  if (first && HEADERS.has(first.cells.map((c) => c.trim().toLowerCase()).join(','))) records.shift();

  const map = new Map<string, string>();
  const lineOf = new Map<string, number>();
  const ownerOf = new Map<string, { original: string; line: number }>();
  for (const { cells, line } of records) {
    // Spreadsheets add empty columns to the right.
    const used = cells.length > 2 && cells.slice(2).every((c) => c.trim() === '') ? cells.slice(0, 2) : cells;
    if (used.length !== 2) {
      throw new CrosswalkError(`expected 2 fields (original,pseudonym), found ${used.length}`, line);
    }
    const original = used[0]!.trim();
    const pseudonym = used[1]!.trim();
    if (!original) throw new CrosswalkError('the original Patient ID is empty', line);
    if (!pseudonym) throw new CrosswalkError('the pseudonym is empty', line);
    if (!LO.test(pseudonym)) {
      throw new CrosswalkError(
        'the pseudonym is not a valid Patient ID (at most 64 characters, no backslash or control characters)',
        line,
      );
    }
    if (pseudonym === original) throw new CrosswalkError('the pseudonym equals the original', line);
    const earlier = map.get(original);
    if (earlier !== undefined && earlier !== pseudonym) {
      throw new CrosswalkError(
        `this original already has a different pseudonym on line ${lineOf.get(original)}`,
        line,
      );
    }
    const owner = ownerOf.get(pseudonym);
    if (owner && owner.original !== original) {
      // Two patients under one pseudonym would be merged into one in the output.
      throw new CrosswalkError(
        `this pseudonym is already given to another original on line ${owner.line}`,
        line,
      );
    }
    if (earlier === undefined) {
      map.set(original, pseudonym);
      lineOf.set(original, line);
      ownerOf.set(pseudonym, { original, line });
    }
  }
  return map;
}

/** Reads a site crosswalk file; see parseCrosswalk. */
export function readCrosswalk(path: string): Map<string, string> {
  const bytes = readFileSync(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CrosswalkError('the file is not UTF-8 text; save it as "CSV UTF-8"');
  }
  return parseCrosswalk(text);
}
