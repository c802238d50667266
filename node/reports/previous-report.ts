import { closeSync, openSync } from 'node:fs';
import { DigestTable, textDigest } from '../digest-table.js';
import { fileLines, lineAt, lineText } from '../file-lines.js';
import { entryOnLine } from './report-file.js';
import type { ReportEntry } from './report-layout.js';

/**
 * The written outputs of the reports earlier runs left in this folder, by output: the last one
 * published, then what interrupted runs had written of theirs, a later entry of an output replacing an
 * earlier one. A report of a million files is gigabytes, more than a string can hold, so each entry is
 * kept as the digest of its output and its place (one per line, as reportJsonEntry lays them out), and
 * read again when this run meets its output or carries it over at the end. The files are read before
 * the run publishes its own report over them.
 */
export class PreviousReport {
  /** By output: the file (low two bits) and where in it the entry's line starts; its length. */
  private readonly places = new DigestTable(2);

  private constructor(private readonly fds: readonly number[]) {
    fds.forEach((fd, file) => {
      for (const line of fileLines(fd)) {
        const text = line.complete ? lineText(fd, line) : undefined;
        const output = text === undefined ? undefined : writtenOutput(text);
        if (output) this.places.set(textDigest(output), line.start * FILES + file, line.bytes);
      }
    });
  }

  /** The reports in `paths` that exist, oldest first; undefined when there is none. */
  static open(paths: readonly string[]): PreviousReport | undefined {
    const fds: number[] = [];
    for (const path of paths.slice(0, FILES)) {
      try {
        fds.push(openSync(path, 'r'));
      } catch {
        // Not there: no run left it.
      }
    }
    if (fds.length === 0) return undefined;
    try {
      return new PreviousReport(fds);
    } catch (e) {
      for (const fd of fds) closeSync(fd);
      throw e;
    }
  }

  /** The entry of `output`, forgotten once given: it is written again by this run. */
  take(output: string): ReportEntry | undefined {
    const d = textDigest(output);
    const place = this.places.get(d);
    if (place === undefined) return undefined;
    const bytes = this.places.get(d, 1) ?? 0;
    this.places.delete(d);
    const line = lineAt(this.fds[place % FILES]!, Math.floor(place / FILES), bytes);
    const entry = line === undefined ? undefined : writtenEntry(line);
    return entry?.output === output ? entry : undefined;
  }

  /** The entries not taken, in the reports' order. */
  *rest(): Generator<ReportEntry> {
    for (const [file, fd] of this.fds.entries()) {
      for (const line of fileLines(fd)) {
        const text = line.complete ? lineText(fd, line) : undefined;
        const output = text === undefined ? undefined : writtenOutput(text);
        if (!output || this.places.get(textDigest(output)) !== line.start * FILES + file) continue;
        const entry = writtenEntry(text!);
        if (entry?.output === output) yield entry;
      }
    }
  }

  close() {
    for (const fd of this.fds) closeSync(fd);
  }
}

// How many files one table tells apart, in the low bits of a place.
const FILES = 4;

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
  const entry = entryOnLine(line);
  return entry?.status === 'written' && typeof entry.output === 'string' && entry.output
    ? (entry as ReportEntry & { readonly output: string })
    : undefined;
}
