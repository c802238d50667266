import { fileLines, lineText } from '../file-lines.js';
import type { ReportEntry } from './report-layout.js';

/** The members of deid-report.json around its `files`. */
export interface ReportFrame {
  readonly head: Readonly<Record<string, unknown>> & { readonly startedAt: string };
  readonly finishedAt: string;
}

/** Not a deid-report.json as the writer lays it out (reportJsonHead, reportJsonEntry, reportJsonTail). */
export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';
}

/**
 * Reads a finished deid-report.json line by line, giving `each` every entry of `files` with where its
 * line starts and how many bytes it takes (for lineAt), and returns the members around them. A report
 * of a million files is more than a string may hold, so it is never read whole: only the layout the
 * writer gives it is read (one entry per line), and anything else is refused.
 */
export function readReportFile(
  fd: number,
  each: (entry: ReportEntry, start: number, bytes: number) => void,
): ReportFrame {
  const head: string[] = [];
  const tail: string[] = [];
  let part: 'head' | 'files' | 'tail' = 'head';
  for (const line of fileLines(fd)) {
    if (line.start === 0 && line.text !== '{')
      throw new ReportFileError('it is not laid out as dicom-deid lays out a report');
    if (!line.complete) throw new ReportFileError('it ends before its last line');
    const text = lineText(fd, line)?.trim();
    if (text === undefined) throw new ReportFileError('a line of it is longer than 256 MB');
    if (part === 'head') {
      if (text === '"files": [' || text === '"files": [],') part = text.endsWith(',') ? 'tail' : 'files';
      else head.push(text);
    } else if (part === 'files') {
      if (text === '],') part = 'tail';
      else {
        const entry = entryOnLine(text);
        if (entry === undefined) throw new ReportFileError('a line of its files is not one entry');
        each(entry, line.start, line.bytes);
      }
    } else tail.push(text);
  }
  if (part !== 'tail') throw new ReportFileError('it has no complete list of files');
  try {
    const frame = JSON.parse(`${head.join('')}"files":[]}`);
    const { finishedAt } = JSON.parse(`{${tail.join('')}`);
    if (typeof frame.startedAt !== 'string' || typeof finishedAt !== 'string') throw new Error();
    delete frame.files;
    return { head: frame, finishedAt };
  } catch {
    throw new ReportFileError('its head or end is not the one dicom-deid writes');
  }
}

/** The entry on a line of a report's `files` (as reportJsonEntry lays it out); undefined for any other line. */
export function entryOnLine(line: string): ReportEntry | undefined {
  const text = line.trim().replace(/,$/, '');
  if (!text.startsWith('{"')) return undefined;
  try {
    const entry = JSON.parse(text);
    return typeof entry.inputNo === 'number' && typeof entry.status === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}
