import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { ReportableError } from '../../shared/errors.js';
import { fileLines } from '../file-lines.js';
import { parseCsv } from './csv.js';

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
 * (what follows is one a crash cut short). A record ends at a CRLF outside quotes, so a path holding a
 * line break stays one record.
 */
function readRecords(
  fd: number,
  header: string,
  name: string,
  each: (cells: readonly string[]) => void,
): number {
  const damaged = (problem: string) =>
    new AuditFileError(`the ${name} in the audit folder is damaged (${problem})`);
  let record = '';
  let quotes = 0;
  let recordLine = 1;
  let lineNo = 0;
  let whole = 0;
  let headed = false;
  for (const line of fileLines(fd)) {
    lineNo++;
    if (!line.complete) break;
    record += `${line.text}\n`;
    for (let at = line.text.indexOf('"'); at >= 0; at = line.text.indexOf('"', at + 1)) quotes++;
    if (!line.text.endsWith('\r') || quotes % 2 === 1) continue;
    whole = line.start + line.bytes;
    if (!headed) {
      if (record !== header)
        throw new AuditFileError(
          `the ${name} in the audit folder has other columns (another version wrote it); choose another audit folder`,
        );
      headed = true;
    } else {
      let cells: readonly string[];
      try {
        cells = parseCsv(record)[0]?.cells ?? [];
      } catch (e) {
        throw damaged((e as Error).message.replace(/^line \d+/, `line ${recordLine}`));
      }
      each(cells);
    }
    record = '';
    quotes = 0;
    recordLine = lineNo + 1;
  }
  if (!headed)
    throw new AuditFileError(
      `the ${name} in the audit folder has other columns (another version wrote it); choose another audit folder`,
    );
  // Whole lines left over with a quote open: a crash inside a quoted line break, unless the quote
  // stands where none may (then something else wrote the file).
  try {
    parseCsv(record);
  } catch (e) {
    if (!/a quoted field is not closed/.test((e as Error).message))
      throw damaged((e as Error).message.replace(/^line \d+/, `line ${recordLine}`));
  }
  return whole;
}
