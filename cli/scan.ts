import { stat } from 'node:fs/promises';
import { walkInputs } from '../node/inputs.js';
import { addToSummary, emptySummary } from '../shared/scan/report.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import { ParallelScan } from './scan-parallel.js';
import { ScanTally } from './scan-summary.js';

/**
 * Output piped or redirected is written in pieces of about this size (one write per file would be thousands
 * of calls); on a terminal each batch of files (a few milliseconds of work) shows as soon as it is read.
 */
const WRITE_SIZE = 64 * 1024;

/**
 * Text encoded straight into a buffer that is written when full: the pieces of a file's text are never
 * joined into a string of their own first (those copies were an eighth of what a scan of (a) allocated).
 */
class OutputBuffer {
  private buffer = Buffer.allocUnsafe(WRITE_SIZE);
  private used = 0;

  async add(text: string): Promise<void> {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    if (this.used + 3 * text.length > WRITE_SIZE) {
      await this.flush();
      if (3 * text.length > WRITE_SIZE) return writeOut(text);
    }
    this.used += this.buffer.write(text, this.used);
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    // A fresh buffer for what follows: the stream may hold on to the full one until it is written.
    this.buffer = Buffer.allocUnsafe(WRITE_SIZE);
    this.used = 0;
    await writeOut(full);
  }
}

export const SCAN_USAGE = `Usage: dicom-deid scan [--details | --json] <file or folder>...

Looks for the attributes in DICOM files that the DICOM Confidentiality Profile (PS3.15 Table E.1-1)
says may identify someone, and for pixels that may carry burned-in text, and prints a one-screen
summary: burned-in totals, SOP classes, modalities, how many files hold each category of identifying
attribute, and the files that could not be read. Folders are searched recursively; files are
recognised by their content, not their names. Nothing is changed.

Files are named by their path relative to the input on an interactive terminal; when the output is
piped or logged, by their number in the listing order (the same as in --json), so logs hold no names.

Options:
  --details    also print each file's attributes, grouped by category, with their values
  --json       print one JSON report instead, with no values in it, for scripts and records
  -h, --help   show this help

Exit status: 0 when every DICOM file was read (files that are not DICOM are listed, not failed),
1 when a file could not be read (truncated, malformed, permission denied), 2 on a usage error.
`;

async function requireExisting(paths: readonly string[]) {
  for (const path of paths) {
    try {
      await stat(path);
    } catch {
      throw new UsageError(`no such file or folder: ${path}`);
    }
  }
}

export const scanCommand: Command = {
  name: 'scan',
  summary: 'list the identifying attributes in DICOM files, and whether pixels may show text',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      details: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      await writeOut(SCAN_USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('scan needs at least one file or folder');
    await requireExisting(positionals);

    const json = values.json ?? false;
    if (json && values.details) throw new UsageError('--details and --json cannot be combined');
    const summary = emptySummary();
    // The one-screen summary is for the terminal: a JSON report carries its own.
    const tally = json ? undefined : new ScanTally(positionals, process.stdout.isTTY === true);
    // The JSON document is written a few files at a time, so a large folder is never held in memory whole.
    const out = new OutputBuffer();
    if (json) await out.add('{"files":[');
    const mode = json ? 'json' : values.details ? 'table' : 'summary';
    const scan = new ParallelScan(
      mode,
      async ({ texts, outcomes }) => {
        // A batch's JSON file objects come with commas between them; one goes before each batch but the first.
        if (json && summary.files > 0) await out.add(',');
        for (const text of texts) await out.add(text);
        if (process.stdout.isTTY) await out.flush();
        for (const outcome of outcomes) {
          addToSummary(summary, outcome);
          tally?.add(outcome);
        }
      },
      new URL('./scan-worker.js', import.meta.url),
    );
    try {
      for await (const entry of walkInputs(positionals)) await scan.add(entry);
      await scan.finish();
    } finally {
      await scan.close();
    }
    await out.flush();
    if (!tally) {
      await writeOut(`],"summary":${JSON.stringify(summary)}}\n`);
    } else {
      await writeOut(`${tally.lines().join('\n')}\n`);
      if (!values.details && summary.ok > 0)
        await writeOut("Run with --details for each file's attributes and values.\n");
    }
    return summary.errors > 0 ? 1 : 0;
  },
};
