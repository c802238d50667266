import { existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { duplicateReason } from '../batch/commit.js';
import { LOCK_FILE } from '../batch/lock.js';
import { plainOutputPath } from '../batch/output-path.js';
import { mergeCrosswalkFiles } from './merge-crosswalks.js';
import { MergeError } from './merge-error.js';
import { makePrivateDir, openPrivateFile } from './private-files.js';
import type { ReportFrame } from './report-file.js';
import {
  REPORT_CSV_HEADER,
  type ReportEntry,
  reportCsvRow,
  reportJsonEntry,
  reportJsonHead,
  reportJsonTail,
} from './report-layout.js';
import { ShardInputs } from './shard-inputs.js';
import { fillFile } from './sink.js';
import type { BatchSummary } from './types.js';
import {
  AUDIT_COLUMNS,
  AUDIT_CSV,
  auditRow,
  PATIENT_ID_CROSSWALK,
  REPORT_CSV,
  REPORT_JSON,
  UID_CROSSWALK,
} from './writer.js';

export { MergeError };

/** What must be equal in every shard's report for them to describe one run. */
const SAME_RUN = ['tool', 'version', 'profile', 'edition', 'options', 'keyFingerprint'] as const;

export interface MergeRequest {
  /** The shards' report folders (each holds deid-report.json). */
  readonly reportDirs: readonly string[];
  /** Where the combined shareable report goes; it must not hold a report yet. */
  readonly reportOut: string;
  /** The shards' audit folders, in the order of `reportDirs`. */
  readonly auditDirs?: readonly string[];
  /** Where the combined audit and crosswalks go (private); it must not hold an audit yet. */
  readonly auditOut?: string;
  /** The folder the shards' outputs were gathered into: the audit's output paths are rewritten to it. */
  readonly outDir?: string;
}

export interface MergeSummary extends BatchSummary {
  readonly shards: number;
  /** Inputs written by more than one shard with the same bytes: now one written, the others duplicates. */
  readonly duplicates: number;
}

/**
 * A shard's folder a run still holds is one being written (its published report, if any, is an earlier
 * run's), or one whose run died before the end: either way not the shard's whole run.
 */
function refuseHeldFolders(dirs: readonly string[], kind: 'report' | 'audit') {
  const held = dirs.findIndex((d) => existsSync(join(d, LOCK_FILE)));
  if (held >= 0)
    throw new MergeError(
      `${kind} folder ${held + 1} is held by a run (${LOCK_FILE}): one still writing that shard, or one that did not finish; wait for it, or run that shard again`,
    );
}

/**
 * Combines the reports, audits and crosswalks of the shards of one sharded run into what a single run
 * over all the inputs writes: one entry per input, numbered in the order a single run walks the inputs
 * (by their paths, when the audits are given; else by output), one written row per output, one crosswalk
 * row per original identifier. The same inputs in any order of shards give the same bytes.
 *
 * The shards of an archive hold millions of inputs, and their reports and audits are far larger than a
 * string may be: they are read line by line, each input kept as its places in them (ShardInputs), and
 * written out one input at a time. Everything that can refuse the merge is checked before anything is
 * published, and the files are published only once all are complete: a refused or failed merge leaves
 * nothing behind.
 */
export function mergeReports(req: MergeRequest): MergeSummary {
  const auditDirs = req.auditDirs ?? [];
  if (auditDirs.length > 0 && auditDirs.length !== req.reportDirs.length)
    throw new MergeError('give one audit folder per report folder, in the same order');
  if (req.auditOut && auditDirs.length === 0) throw new MergeError('--audit needs the shards’ audit folders');
  if (existsSync(join(req.reportOut, REPORT_JSON)))
    throw new MergeError('the report folder for the combined report already holds a report');
  if (req.auditOut && existsSync(join(req.auditOut, AUDIT_CSV)))
    throw new MergeError('the audit folder for the combined audit already holds an audit');
  refuseHeldFolders(req.reportDirs, 'report');
  refuseHeldFolders(auditDirs, 'audit');
  const inputs = ShardInputs.read(req.reportDirs);
  try {
    checkSameRun(inputs.frames);
    inputs.readAudits(auditDirs);
    if (auditDirs.length > 0)
      for (let item = 0; item < inputs.count; item++)
        if (inputs.hasEntry(item) && !inputs.hasAudit(item))
          throw new MergeError(
            'a report folder and its audit folder do not belong to the same run (check the order)',
          );
    const ordered = inputs.ordered();
    const numbers = new Int32Array(inputs.count);
    ordered.forEach((item, i) => {
      numbers[item] = i + 1;
    });
    const merged: MergedInputs = {
      inputs,
      ordered,
      numbers,
      duplicateOf: resolveDuplicates(inputs, numbers),
    };
    const outDirs = req.outDir === undefined ? new Map() : gatheredOutputs(merged, resolve(req.outDir));
    const summary = publishAll(req, merged, outDirs);
    return { ...summary, shards: inputs.frames.length, duplicates: merged.duplicateOf.size };
  } finally {
    inputs.close();
  }
}

/** The inputs of all shards in merged order, with their merged numbers and what duplicates what. */
interface MergedInputs {
  readonly inputs: ShardInputs;
  readonly ordered: readonly number[];
  /** By input: its number in the merged run. */
  readonly numbers: Int32Array;
  /** By duplicate: the merged number of the input whose output it repeats. */
  readonly duplicateOf: ReadonlyMap<number, number>;
}

function checkSameRun(frames: readonly ReportFrame[]) {
  for (const field of SAME_RUN) {
    const first = JSON.stringify(frames[0]!.head[field]);
    if (frames.some((f) => JSON.stringify(f.head[field]) !== first))
      throw new MergeError(
        `the reports differ in ${field}: they are not shards of one run (same key, profile and version)`,
      );
  }
}

const DUPLICATE_OF = duplicateReason('input ');

/** A shard's duplicate names the input it repeats by the shard's number: give it the merged one. */
function renumbered(merged: MergedInputs, shard: number, reason: string): string {
  if (!reason.startsWith(DUPLICATE_OF)) return reason;
  const item = merged.inputs.item(shard, Number(reason.slice(DUPLICATE_OF.length)));
  return item === undefined ? reason : duplicateReason(`input ${merged.numbers[item]}`);
}

/**
 * Outputs of one instance across shards, resolved by the single run's naming rule (batch/commit.ts): the
 * same bytes under one name are one output, the first input (in merged order) keeps it and the others are
 * duplicates of it. Different bytes for one instance are named by their content hashes in a single run;
 * a shard that saw only one of them gave it the plain name, which cannot be undone here: refused.
 * Returns, by duplicate, the merged number of the input it repeats.
 */
function resolveDuplicates(inputs: ShardInputs, numbers: Int32Array): Map<number, number> {
  const duplicateOf = new Map<number, number>();
  for (const group of inputs.sharedOutputs()) {
    const instances = new Map<string, Array<{ readonly item: number; readonly entry: ReportEntry }>>();
    for (const item of [...group].sort((a, b) => numbers[a]! - numbers[b]!)) {
      const entry = inputs.entry(item)!;
      const plain = plainOutputPath(entry.output!);
      instances.set(plain, [...(instances.get(plain) ?? []), { item, entry }]);
    }
    for (const [plain, outputs] of instances) {
      const contents = new Set(outputs.map((o) => o.entry.outputSha256));
      if (contents.size > 1 && outputs.some((o) => o.entry.output === plain))
        throw new MergeError(
          'inputs of one instance with different content were split between shards, so a shard wrote one of ' +
            'them under the name a single run gives none of them: shard with --shard-by study, which keeps ' +
            'them together',
        );
      const writer = new Map<string, number>();
      for (const { item, entry } of outputs) {
        const first = writer.get(entry.output!);
        if (first === undefined) writer.set(entry.output!, item);
        else duplicateOf.set(item, numbers[first]!);
      }
    }
  }
  return duplicateOf;
}

/** The input's entry in the merged report: numbered anew, and made a duplicate when it is one. */
function mergedEntry(merged: MergedInputs, item: number): ReportEntry | undefined {
  const entry = merged.inputs.entry(item);
  if (!entry) return undefined;
  const inputNo = merged.numbers[item]!;
  const first = merged.duplicateOf.get(item);
  if (first !== undefined)
    return {
      ...entry,
      inputNo,
      output: null,
      status: 'skipped',
      reason: duplicateReason(`input ${first}`),
      sopClassUID: null,
      transferSyntaxUID: null,
      modality: null,
      actionCounts: null,
      attributes: null,
      outputSha256: null,
    };
  const reason = entry.reason ? renumbered(merged, merged.inputs.shard(item), entry.reason) : entry.reason;
  return { ...entry, inputNo, reason };
}

/** The input's audit rows in the merged audit: renumbered, and made a duplicate's when it is one. */
function mergedAuditRows(merged: MergedInputs, item: number): Record<string, string>[] {
  const first = merged.duplicateOf.get(item);
  const shard = merged.inputs.shard(item);
  return merged.inputs.auditRows(item).map((row) =>
    first === undefined
      ? { ...row, reason: renumbered(merged, shard, row.reason ?? '') }
      : {
          ...row,
          input_sha256: '',
          output: '',
          output_sha256: '',
          status: 'skipped',
          reason: duplicateReason(`input ${first}`),
        },
  );
}

/** Rewrites an absolute output path of one shard's audit into the folder the outputs were gathered in. */
interface Gathered {
  readonly from: string;
  readonly to: string;
}

/**
 * Each shard's output folder, as its audit names it, mapped to the folder the outputs were gathered in:
 * found from a written output, whose audit path ends with the relative name the report gives it.
 */
function gatheredOutputs(merged: MergedInputs, to: string): Map<number, Gathered> {
  const { inputs } = merged;
  const found = new Map<number, Gathered>();
  for (const item of merged.ordered) {
    if (found.size === inputs.frames.length) break;
    const shard = inputs.shard(item);
    if (found.has(shard) || !inputs.hasAudit(item) || merged.duplicateOf.has(item)) continue;
    const entry = inputs.entry(item);
    const rel = entry?.status === 'written' ? entry.output : null;
    if (!rel) continue;
    const suffix = `/${rel}`;
    const row = inputs.auditRows(item).find((r) => r.output?.replaceAll('\\', '/').endsWith(suffix));
    if (row) found.set(shard, { from: row.output!.slice(0, -suffix.length), to });
  }
  return found;
}

/** A shard's audit line, renumbered, its output path moved into the folder the outputs were gathered in. */
function auditLine(row: Record<string, string>, inputNo: number, gathered: Gathered | undefined): string {
  const output = row.output ?? '';
  const moved =
    gathered && output.startsWith(gathered.from)
      ? join(gathered.to, output.slice(gathered.from.length))
      : output;
  return auditRow(
    AUDIT_COLUMNS.map((c) => (c === 'input_no' ? inputNo : c === 'output' ? moved : (row[c] ?? ''))),
  );
}

/**
 * Writes every merged file under a temporary name, then renames them all; on any failure (a refusal
 * found on the way, a full disk) the temporary files and the folders this made are removed.
 */
function publishAll(
  req: MergeRequest,
  merged: MergedInputs,
  outDirs: ReadonlyMap<number, Gathered>,
): BatchSummary {
  const made: string[] = [];
  const parts: string[] = [];
  const part = (file: string, exclusive: boolean, fill: (write: (text: string) => void) => void) => {
    parts.push(file);
    writePart(file, exclusive, fill);
  };
  try {
    const reportMade = mkdirSync(req.reportOut, { recursive: true });
    if (reportMade) made.push(reportMade);
    const { auditOut } = req;
    if (auditOut) {
      const auditMade = makePrivateDir(auditOut);
      if (auditMade) made.push(auditMade);
      // First: merging them may find two shards that disagree, before the rest is written.
      for (const name of [UID_CROSSWALK, PATIENT_ID_CROSSWALK])
        part(join(auditOut, name), true, (write) =>
          mergeCrosswalkFiles(
            req.auditDirs!.map((dir) => join(dir, name)),
            join(auditOut, `${name}.run-`),
            write,
          ),
        );
    }
    let summary: BatchSummary | undefined;
    part(join(req.reportOut, REPORT_JSON), false, (json) =>
      part(join(req.reportOut, REPORT_CSV), false, (csv) => {
        if (!auditOut) summary = writeInputs(merged, outDirs, json, csv, undefined);
        else
          part(join(auditOut, AUDIT_CSV), true, (audit) => {
            summary = writeInputs(merged, outDirs, json, csv, audit);
          });
      }),
    );
    for (const file of parts) renameSync(`${file}.part`, file);
    return summary!;
  } catch (e) {
    for (const file of parts) rmSync(`${file}.part`, { force: true });
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** `file`.part, filled and on disk; private (0600) when `private`. */
function writePart(file: string, isPrivate: boolean, fill: (write: (text: string) => void) => void) {
  fillFile(isPrivate ? openPrivateFile(`${file}.part`) : openSync(`${file}.part`, 'w'), fill);
}

/** The merged report's files (from the first shard's start to the last one's end) and audit, one input at a time. */
function writeInputs(
  merged: MergedInputs,
  outDirs: ReadonlyMap<number, Gathered>,
  json: (text: string) => void,
  csv: (text: string) => void,
  audit: ((text: string) => void) | undefined,
): BatchSummary {
  const { frames } = merged.inputs;
  const head: Record<string, unknown> = {};
  for (const field of SAME_RUN) head[field] = frames[0]!.head[field];
  head.startedAt = frames.map((f) => f.head.startedAt).sort()[0];
  json(reportJsonHead(head));
  csv(REPORT_CSV_HEADER);
  if (audit) audit(auditRow(AUDIT_COLUMNS));
  const counts = { written: 0, skipped: 0, failed: 0, held: 0, accepted: 0, verificationFailed: 0 };
  let entries = 0;
  for (const item of merged.ordered) {
    const entry = mergedEntry(merged, item);
    if (entry) {
      json(reportJsonEntry(entry, entries++ === 0));
      csv(reportCsvRow(entry));
      counts[entry.status]++;
      if (entry.status === 'written' && entry.pixels === 'accepted') counts.accepted++;
      if (entry.verification === 'failed') counts.verificationFailed++;
    }
    if (!audit) continue;
    const gathered = outDirs.get(merged.inputs.shard(item));
    for (const row of mergedAuditRows(merged, item)) audit(auditLine(row, merged.numbers[item]!, gathered));
  }
  const finishedAt = frames
    .map((f) => f.finishedAt)
    .sort()
    .at(-1)!;
  json(reportJsonTail(entries, finishedAt, counts));
  return counts;
}
