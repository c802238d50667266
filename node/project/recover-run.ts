import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../reports/csv.js';
import { PATIENT_ID_CROSSWALK, UID_CROSSWALK } from '../reports/writer.js';
import type { Mapping, MappingKind } from './crosswalk-store.js';

/** Rows of one of a run's crosswalk CSVs; a last line cut short by the crash is left out. */
function rowsOf(file: string, kind: MappingKind): Mapping[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  // Rows are appended whole, each ending in CRLF: text after the last line end was being written.
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(whole);
  } catch {
    return [];
  }
  return records
    .slice(1)
    .filter((r) => r.cells.length === 2 && r.cells[0] && r.cells[1] && r.cells[0] !== r.cells[1])
    .map((r) => ({ kind, original: r.cells[0]!, pseudonym: r.cells[1]! }));
}

/**
 * What an interrupted run (killed, machine off) wrote to its private audit's crosswalks, for the project
 * database: the run's own feed commits once a second, and the rows since then would otherwise be missing
 * for good, because a resumed run skips files already written. The audit's UID crosswalk does not say
 * which UIDs were studies, series or instances: they come back as other UIDs, found by lookup all the same.
 */
export function interruptedRunMappings(auditDir: string): Mapping[] {
  return [
    ...rowsOf(join(auditDir, PATIENT_ID_CROSSWALK), 'patient'),
    ...rowsOf(join(auditDir, UID_CROSSWALK), 'uid'),
  ];
}
