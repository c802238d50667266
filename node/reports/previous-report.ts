import { closeSync, openSync, readSync } from 'node:fs';
import { DigestTable, textDigest } from '../digest-table.js';
import { fileLines } from '../file-lines.js';
import type { ReportEntry } from './report-layout.js';

/**
 * The written outputs of the report an earlier run published in this folder, by output. A report of a
 * million files is gigabytes, more than a string can hold, so each entry is kept as the digest of its
 * output and its place in the file (one per line, as reportJsonEntry lays them out), and read again when
 * this run meets its output or carries it over at the end. The file is read before the run publishes its
 * own report over it.
 */
export class PreviousReport {
  private readonly places = new DigestTable(2);

  private constructor(private readonly fd: number) {
    for (const line of fileLines(fd)) {
      const output = writtenOutput(line.text);
      if (output) this.places.set(textDigest(output), line.start, line.bytes);
    }
  }

  /** The report in `path`; an empty one when there is none. */
  static open(path: string): PreviousReport | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    try {
      return new PreviousReport(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** The entry of `output`, forgotten once given: it is written again by this run. */
  take(output: string): ReportEntry | undefined {
    const d = textDigest(output);
    const start = this.places.get(d);
    if (start === undefined) return undefined;
    const bytes = this.places.get(d, 1) ?? 0;
    this.places.delete(d);
    const line = Buffer.alloc(bytes);
    const entry =
      readSync(this.fd, line, 0, bytes, start) === bytes ? writtenEntry(line.toString('utf8')) : undefined;
    return entry?.output === output ? entry : undefined;
  }

  /** The entries not taken, in the report's order. */
  *rest(): Generator<ReportEntry> {
    for (const line of fileLines(this.fd)) {
      const output = writtenOutput(line.text);
      if (!output || this.places.get(textDigest(output)) !== line.start) continue;
      const entry = writtenEntry(line.text);
      if (entry?.output === output) yield entry;
    }
  }

  close() {
    closeSync(this.fd);
  }
}

// Entries are one JSON object per line, which no text inside can end early (JSON escapes its quotes):
// the output and status are found without parsing the whole entry, eight times faster.
const OUTPUT = /^\s*\{.*?"output":("(?:[^"\\]|\\.)+")/;
const WRITTEN = '"status":"written"';

/** The output of a written one on a line of the report's `files`; undefined for any other line. */
function writtenOutput(line: string): string | undefined {
  const m = OUTPUT.exec(line);
  if (!m || !line.includes(WRITTEN)) return undefined;
  try {
    return JSON.parse(m[1]!) as string;
  } catch {
    return undefined;
  }
}

/** The entry of a written output on a line of the report's `files`; undefined for any other line. */
function writtenEntry(line: string): (ReportEntry & { readonly output: string }) | undefined {
  const text = line.trim().replace(/,$/, '');
  if (!text.startsWith('{"')) return undefined;
  let entry: Partial<ReportEntry>;
  try {
    entry = JSON.parse(text);
  } catch {
    return undefined;
  }
  return entry.status === 'written' && typeof entry.output === 'string' && entry.output
    ? (entry as ReportEntry & { readonly output: string })
    : undefined;
}
