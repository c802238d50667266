import { stat } from 'node:fs/promises';
import { walkInputs } from '../electron/services/inputs.js';
import { addToSummary, emptySummary } from '../shared/scan/report.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import { renderEntry } from './scan-file.js';

export const SCAN_USAGE = `Usage: dicom-deid scan [--json] <file or folder>...

Lists the attributes in DICOM files that the DICOM Confidentiality Profile (PS3.15 Table E.1-1)
says may identify someone, grouped by category and shown with their values, and says whether the
pixels may carry burned-in text. Folders are searched recursively; files are recognised by their
content, not their names. Nothing is changed.

Options:
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
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      await writeOut(SCAN_USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('scan needs at least one file or folder');
    await requireExisting(positionals);

    const json = values.json ?? false;
    const summary = emptySummary();
    // The JSON document is written file by file, so a large folder is never held in memory whole.
    if (json) await writeOut('{"files":[');
    for await (const entry of walkInputs(positionals)) {
      const { outcome, text } = renderEntry(entry, json);
      await writeOut(`${json && summary.files > 0 ? ',' : ''}${text}`);
      addToSummary(summary, outcome);
    }
    if (json) {
      await writeOut(`],"summary":${JSON.stringify(summary)}}\n`);
    } else {
      const parts = [`${summary.ok} read`, `${summary.notDicom} not DICOM`, `${summary.errors} failed`];
      if (summary.skipped > 0) parts.push(`${summary.skipped} skipped`);
      await writeOut(`${summary.files} file${summary.files === 1 ? '' : 's'}: ${parts.join(', ')}\n`);
    }
    return summary.errors > 0 ? 1 : 0;
  },
};
