import { closeSync, constants, fchmodSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ReportableError } from '../../shared/errors.js';
import { type CsvRecord, parseCsv } from './csv.js';

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** An audit file that cannot be continued: it was not written by this version, or is damaged. */
export class AuditFileError extends ReportableError {
  override readonly name = 'AuditFileError';
}

/**
 * Opens a private CSV log (0600) to append to, with the records it already holds. A log is never
 * truncated: a rerun or a resumed run continues it. A record cut short by a crash (a kill, a full disk)
 * is removed first, so the run that redoes that input writes it whole. `name` words errors; `header` is
 * the line a new file starts with, and an existing one must start with.
 */
export function openAppendLog(
  path: string,
  header: string,
  name: string,
): { fd: number; records: CsvRecord[] } {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | NO_FOLLOW, 0o600);
  try {
    if (process.platform !== 'win32') fchmodSync(fd, 0o600);
    const text = readFileSync(fd, 'utf8');
    if (text === '') {
      writeSync(fd, header);
      return { fd, records: [] };
    }
    if (!text.startsWith(header))
      throw new AuditFileError(
        `the ${name} in the audit folder has other columns (another version wrote it); choose another audit folder`,
      );
    const whole = text.endsWith('\r\n') ? text : text.slice(0, text.lastIndexOf('\r\n') + 2);
    if (whole.length < text.length) ftruncateSync(fd, Buffer.byteLength(whole, 'utf8'));
    let records: CsvRecord[];
    try {
      records = parseCsv(whole).slice(1);
    } catch (e) {
      throw new AuditFileError(`the ${name} in the audit folder is damaged (${(e as Error).message})`);
    }
    return { fd, records };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
