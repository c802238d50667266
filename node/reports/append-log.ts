import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { ReportableError } from '../../shared/errors.js';
import { fileLines } from '../file-lines.js';
import { CsvSyntaxError, parseCsv } from './csv.js';

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** An audit file that cannot be continued: it was not written by this version, or is damaged. */
export class AuditFileError extends ReportableError {
  override readonly name = 'AuditFileError';
}

/**
 * Opens a private CSV log (0600) to append to, giving `each` the cells of every record it already holds,
 * and returns the file. A log is never truncated: a rerun or a resumed run continues it. A record cut
 * short by a crash (a kill, a full disk) is removed first, so the run that redoes that input writes it
 * whole. `name` words errors; `header` is the line a new file starts with, and an existing one must
 * start with. The log is read record by record: a project's audit grows with every run, past what one
 * string may hold.
 */
export function openAppendLog(
  path: string,
  header: string,
  name: string,
  each: (cells: readonly string[]) => void,
): number {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | NO_FOLLOW, 0o600);
  try {
    if (process.platform !== 'win32') fchmodSync(fd, 0o600);
    if (fstatSync(fd).size === 0) {
      writeSync(fd, header);
      return fd;
    }
    const whole = readRecords(fd, header, name, each);
    if (whole < fstatSync(fd).size) ftruncateSync(fd, whole);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * Gives `each` the cells of every record after the header; returns where the last whole record ends
 * (what follows is one a crash cut short).
 */
function readRecords(
  fd: number,
  header: string,
  name: string,
  each: (cells: readonly string[]) => void,
): number {
  // The header starts the file, so it ends where its bytes do.
  let whole = Buffer.byteLength(header);
  try {
    for (const record of recordsAfterHeader(fd, header)) {
      whole = record.end;
      each(record.cells);
    }
  } catch (e) {
    if (e instanceof CsvHeaderError)
      throw new AuditFileError(
        `the ${name} in the audit folder has other columns (another version wrote it); choose another audit folder`,
      );
    if (!(e instanceof CsvSyntaxError)) throw e;
    throw new AuditFileError(`the ${name} in the audit folder is damaged (${e.message})`);
  }
  return whole;
}

/** A CSV file does not start with the header its reader expects: `missing` when it has no whole record. */
export class CsvHeaderError extends Error {
  constructor(readonly missing: boolean) {
    super(missing ? 'the file holds no whole header' : 'the file starts with another header');
    this.name = 'CsvHeaderError';
  }
}

/** csvRecords after the first, which must be `header` exactly (else CsvHeaderError). */
export function* recordsAfterHeader(fd: number, header: string): ReturnType<typeof csvRecords> {
  let headed = false;
  for (const record of csvRecords(fd)) {
    if (headed) yield record;
    else if (record.text === header) headed = true;
    else throw new CsvHeaderError(false);
  }
  if (!headed) throw new CsvHeaderError(true);
}

/**
 * A CSV file's records in order, each with its text (CRLF included), its cells and where it ends in the
 * file, read a megabyte at a time. A record ends at a CRLF outside quotes, so a path holding a line break
 * stays one record. What follows the last whole record is a record a crash cut short and is not given;
 * a quote where none may stand throws (CsvSyntaxError), wherever it is.
 */
export function* csvRecords(
  fd: number,
): Generator<{ readonly text: string; readonly cells: readonly string[]; readonly end: number }> {
  let record = '';
  let quotes = 0;
  let recordLine = 1;
  let lineNo = 0;
  const parsed = (text: string) => {
    try {
      return parseCsv(text)[0]?.cells ?? [];
    } catch (e) {
      if (!(e instanceof CsvSyntaxError)) throw e;
      throw new CsvSyntaxError(recordLine + e.line - 1, e.problem);
    }
  };
  for (const line of fileLines(fd)) {
    lineNo++;
    if (!line.complete) break;
    const { text } = line;
    // No record we write comes near 16 MB: a line that long is not ours, and is not passed over.
    if (text === undefined) throw new CsvSyntaxError(lineNo, 'a line is longer than 16 MB');
    record += `${text}\n`;
    for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) quotes++;
    if (!text.endsWith('\r') || quotes % 2 === 1) continue;
    yield { text: record, cells: parsed(record), end: line.start + line.bytes };
    record = '';
    quotes = 0;
    recordLine = lineNo + 1;
  }
  // Whole lines left over with a quote open: a crash inside a quoted line break, unless the quote
  // stands where none may (then something else wrote the file).
  try {
    parsed(record);
  } catch (e) {
    if (!(e instanceof CsvSyntaxError) || e.problem !== 'a quoted field is not closed') throw e;
  }
}
