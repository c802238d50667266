import { isWithin } from '../node/reports/locations.js';
import { MergeError, mergeReports } from '../node/reports/merge.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';

export const MERGE_REPORTS_USAGE = `Usage: dicom-deid merge-reports <report folder>... --report <folder>
         [--audit <folder> --audit-in <audit folder>...] [--out <folder>]

Combines the reports of the shards of one run (\`dicom-deid anonymize --shard K/N\`) into the report one
run over all the inputs would have written: one entry per input, numbered in the order one run walks them,
one written entry per output (an output two shards wrote with the same bytes counts once, the other
input as a duplicate), and the same summary.

Options:
  --report <folder>       where the combined shareable report goes (must not hold a report yet)
  --audit <folder>        where the combined private audit and crosswalks go (owner-only; must not hold an
                          audit yet); needs --audit-in
  --audit-in <folder>...  the shards' audit folders, in the order of the report folders
  --out <folder>          the folder the shards' outputs were gathered into: the audit's output paths
                          point there
  -h, --help              show this help

Exit status: 0 when combined, 2 when the reports are not shards of one run (another key, profile or
version), or could not be read or written.
`;

/** `--audit-in a b c`: the values up to the next option, as one repeated option for parseArgs. */
function spreadAuditIn(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    out.push(args[i]!);
    if (args[i] !== '--audit-in') continue;
    let first = true;
    while (i + 1 < args.length && !args[i + 1]!.startsWith('-')) {
      if (!first) out.push('--audit-in');
      out.push(args[++i]!);
      first = false;
    }
  }
  return out;
}

export const mergeReportsCommand: Command = {
  name: 'merge-reports',
  summary: 'combine the reports, audits and crosswalks of sharded runs into those of one run',
  async run(args) {
    const { values, positionals } = parseCommandArgs(spreadAuditIn(args), {
      report: { type: 'string' },
      audit: { type: 'string' },
      'audit-in': { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      await writeOut(MERGE_REPORTS_USAGE);
      return 0;
    }
    if (positionals.length === 0)
      throw new UsageError('merge-reports needs the report folders of the shards');
    if (!values.report) throw new UsageError('merge-reports needs --report <folder> for the combined report');
    const auditIn = values['audit-in'] ?? [];
    if (values.audit && auditIn.length === 0)
      throw new UsageError('--audit needs --audit-in <audit folders>');
    if (values.audit && isWithin(values.audit, values.report))
      throw new UsageError('the audit holds PHI: choose an audit folder outside the report folder');
    try {
      const summary = mergeReports({
        reportDirs: positionals,
        reportOut: values.report,
        ...(auditIn.length > 0 ? { auditDirs: auditIn } : {}),
        ...(values.audit ? { auditOut: values.audit } : {}),
        ...(values.out ? { outDir: values.out } : {}),
      });
      await writeOut(
        `${summary.shards} reports combined: ${summary.written} written, ${summary.skipped} skipped, ` +
          `${summary.failed} failed, ${summary.held} held` +
          (summary.duplicates > 0 ? ` (${summary.duplicates} written by two shards, counted once)` : '') +
          '\n',
      );
      return 0;
    } catch (e) {
      if (e instanceof MergeError) throw new UsageError(e.message);
      throw e;
    }
  },
};
