import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReportableError } from '../../shared/errors.js';
import { duplicateReason } from '../batch/commit.js';
import { plainOutputPath } from '../batch/output-path.js';
import { csvRow } from './csv.js';
import { makePrivateDir, replacePrivateFile } from './private-files.js';
import { readCrosswalkCsv, readCsvFile } from './read.js';
import {
  REPORT_CSV_HEADER,
  type ReportEntry,
  reportCsvRow,
  reportJsonEntry,
  reportJsonTail,
} from './report-layout.js';
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

/** Why the reports cannot be combined: plain words, no value from them. */
export class MergeError extends ReportableError {
  override readonly name = 'MergeError';
}

/** What must be equal in every shard's report for them to describe one run. */
const SAME_RUN = ['tool', 'version', 'profile', 'edition', 'options', 'keyFingerprint'] as const;

interface ReportDoc {
  readonly [field: string]: unknown;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly files: ReportEntry[];
}

/** One input of one shard: its shareable entry and, when the audits are given, its private line. */
interface Item {
  readonly shard: number;
  readonly inputNo: number;
  entry?: ReportEntry;
  /** Its audit lines in file order: the first, and one for each later move of its output. */
  audit: Record<string, string>[];
}

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
 * Combines the reports, audits and crosswalks of the shards of one sharded run into what a single run
 * over all the inputs writes: one entry per input, numbered in the order a single run walks the inputs
 * (by their paths, when the audits are given; else by output), one written row per output, one crosswalk
 * row per original identifier. The same inputs in any order of shards give the same bytes.
 */
export function mergeReports(req: MergeRequest): MergeSummary {
  const docs = req.reportDirs.map((dir, i) => readReport(dir, i + 1));
  for (const field of SAME_RUN) {
    const first = JSON.stringify(docs[0]![field]);
    if (docs.some((d) => JSON.stringify(d[field]) !== first))
      throw new MergeError(
        `the reports differ in ${field}: they are not shards of one run (same key, profile and version)`,
      );
  }
  const auditDirs = req.auditDirs ?? [];
  if (auditDirs.length > 0 && auditDirs.length !== req.reportDirs.length)
    throw new MergeError('give one audit folder per report folder, in the same order');
  if (req.auditOut && auditDirs.length === 0) throw new MergeError('--audit needs the shards’ audit folders');
  if (existsSync(join(req.reportOut, REPORT_JSON)))
    throw new MergeError('the report folder for the combined report already holds a report');
  if (req.auditOut && existsSync(join(req.auditOut, AUDIT_CSV)))
    throw new MergeError('the audit folder for the combined audit already holds an audit');

  const items = new Map<string, Item>();
  const item = (shard: number, inputNo: number) => {
    const id = `${shard}:${inputNo}`;
    const known = items.get(id);
    if (known) return known;
    const it: Item = { shard, inputNo, audit: [] };
    items.set(id, it);
    return it;
  };
  docs.forEach((doc, s) => {
    for (const entry of doc.files) item(s + 1, entry.inputNo).entry = entry;
  });
  auditDirs.forEach((dir, s) => {
    for (const row of readAudit(dir, s + 1)) item(s + 1, Number(row.input_no)).audit.push(row);
  });
  if (auditDirs.length > 0 && [...items.values()].some((it) => it.entry && it.audit.length === 0))
    throw new MergeError(
      'a report folder and its audit folder do not belong to the same run (check the order)',
    );

  const ordered = [...items.values()].sort(auditDirs.length > 0 ? byInputPath : byOutput);
  const numbers = new Map(ordered.map((it, i) => [it, i + 1]));
  renumberDuplicates(ordered, (shard, inputNo) => numbers.get(items.get(`${shard}:${inputNo}`)!));
  const duplicates = resolveDuplicates(ordered, numbers);

  const entries = ordered.flatMap((it) => (it.entry ? [{ ...it.entry, inputNo: numbers.get(it)! }] : []));
  const summary = summarize(entries);
  // Everything is read and checked before anything is written: a refused merge leaves nothing behind.
  const outDirs = req.outDir === undefined ? new Map() : gatheredOutputs(ordered, resolve(req.outDir));
  const privateFiles: Array<[string, string]> = req.auditOut
    ? [
        [
          AUDIT_CSV,
          auditRow(AUDIT_COLUMNS) +
            ordered
              .flatMap((it) => it.audit.map((row) => auditLine(row, numbers.get(it)!, outDirs.get(it.shard))))
              .join(''),
        ],
        ...[UID_CROSSWALK, PATIENT_ID_CROSSWALK].map((name): [string, string] => [
          name,
          mergeCrosswalks(auditDirs.map((d) => join(d, name))),
        ]),
      ]
    : [];
  writeReport(req.reportOut, docs, entries, summary);
  for (const [name, text] of privateFiles) writePrivate(req.auditOut!, name, text);
  return { ...summary, shards: docs.length, duplicates };
}

function readReport(dir: string, shard: number): ReportDoc {
  let doc: ReportDoc;
  try {
    doc = JSON.parse(readFileSync(join(dir, REPORT_JSON), 'utf8')) as ReportDoc;
  } catch {
    throw new MergeError(`report folder ${shard} holds no complete ${REPORT_JSON}`);
  }
  if (!Array.isArray(doc.files) || typeof doc.startedAt !== 'string')
    throw new MergeError(`the ${REPORT_JSON} of report folder ${shard} is not one dicom-deid wrote`);
  return doc;
}

function readAudit(dir: string, shard: number): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = readCsvFile(join(dir, AUDIT_CSV));
  } catch {
    throw new MergeError(`audit folder ${shard} holds no readable ${AUDIT_CSV}`);
  }
  if (rows.some((r) => !/^[1-9][0-9]*$/.test(r.input_no ?? '')))
    throw new MergeError(`the ${AUDIT_CSV} of audit folder ${shard} has other columns (another version)`);
  return rows;
}

/** Path order as the walk lists files: folder by folder, each folder's names in code-unit order. */
function byInputPath(a: Item, b: Item): number {
  const pa = (a.audit[0]?.input ?? '').split(/[\\/]/);
  const pb = (b.audit[0]?.input ?? '').split(/[\\/]/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++)
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return pa.length - pb.length || a.shard - b.shard || a.inputNo - b.inputNo;
}

function byOutput(a: Item, b: Item): number {
  const oa = a.entry?.output ?? '\uffff';
  const ob = b.entry?.output ?? '\uffff';
  return oa < ob ? -1 : oa > ob ? 1 : a.shard - b.shard || a.inputNo - b.inputNo;
}

/** A shard's duplicate names the input it repeats by the shard's number: give it the merged one. */
function renumberDuplicates(
  ordered: readonly Item[],
  merged: (shard: number, inputNo: number) => number | undefined,
) {
  const prefix = duplicateReason('input ');
  const renumber = (shard: number, reason: string | null | undefined) => {
    const n = reason?.startsWith(prefix) ? merged(shard, Number(reason.slice(prefix.length))) : undefined;
    return n === undefined ? reason : duplicateReason(`input ${n}`);
  };
  for (const it of ordered) {
    if (it.entry?.reason) it.entry = { ...it.entry, reason: renumber(it.shard, it.entry.reason)! };
    it.audit = it.audit.map((row) => ({ ...row, reason: renumber(it.shard, row.reason) ?? '' }));
  }
}

/**
 * Outputs of one instance across shards, resolved by the single run's naming rule (batch/commit.ts): the
 * same bytes under one name are one output, the first input (in merged order) keeps it and the others are
 * duplicates of it. Different bytes for one instance are named by their content hashes in a single run;
 * a shard that saw only one of them gave it the plain name, which cannot be undone here: refused.
 */
function resolveDuplicates(ordered: readonly Item[], numbers: ReadonlyMap<Item, number>): number {
  const instances = new Map<string, Item[]>();
  for (const it of ordered) {
    const e = it.entry;
    if (e?.status !== 'written' || e.output === null) continue;
    const plain = plainOutputPath(e.output);
    instances.set(plain, [...(instances.get(plain) ?? []), it]);
  }
  let duplicates = 0;
  for (const [plain, outputs] of instances) {
    const contents = new Set(outputs.map((it) => it.entry!.outputSha256));
    if (contents.size > 1 && outputs.some((it) => it.entry!.output === plain))
      throw new MergeError(
        'inputs of one instance with different content were split between shards, so a shard wrote one of ' +
          'them under the name a single run gives none of them: shard with --shard-by study, which keeps ' +
          'them together',
      );
    const writer = new Map<string, Item>();
    for (const it of outputs) {
      const e = it.entry!;
      const first = writer.get(e.output!);
      if (!first) {
        writer.set(e.output!, it);
        continue;
      }
      duplicates++;
      const reason = duplicateReason(`input ${numbers.get(first)}`);
      it.entry = {
        ...e,
        output: null,
        status: 'skipped',
        reason,
        sopClassUID: null,
        transferSyntaxUID: null,
        modality: null,
        actionCounts: null,
        attributes: null,
        outputSha256: null,
      };
      it.audit = it.audit.map((row) => ({
        ...row,
        input_sha256: '',
        output: '',
        output_sha256: '',
        status: 'skipped',
        reason,
      }));
    }
  }
  return duplicates;
}

function summarize(entries: readonly ReportEntry[]): BatchSummary {
  const count = (f: (e: ReportEntry) => boolean) => entries.filter(f).length;
  return {
    written: count((e) => e.status === 'written'),
    skipped: count((e) => e.status === 'skipped'),
    failed: count((e) => e.status === 'failed'),
    held: count((e) => e.status === 'held'),
    accepted: count((e) => e.status === 'written' && e.pixels === 'accepted'),
    verificationFailed: count((e) => e.verification === 'failed'),
  };
}

/** The report the first shard's head describes, from the first start to the last finish. */
function writeReport(dir: string, docs: readonly ReportDoc[], entries: ReportEntry[], summary: BatchSummary) {
  const startedAt = docs.map((d) => d.startedAt).sort()[0]!;
  const finishedAt = docs
    .map((d) => d.finishedAt)
    .sort()
    .at(-1)!;
  const head: Record<string, unknown> = {};
  for (const field of SAME_RUN) head[field] = docs[0]![field];
  head.startedAt = startedAt;
  const json =
    `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "files": [` +
    entries.map((e, i) => reportJsonEntry(e, i === 0)).join('') +
    reportJsonTail(entries.length, finishedAt, summary);
  mkdirSync(dir, { recursive: true });
  publish(join(dir, REPORT_JSON), json);
  publish(join(dir, REPORT_CSV), REPORT_CSV_HEADER + entries.map(reportCsvRow).join(''));
}

/** Written whole under a temporary name, then renamed: a report that exists is complete. */
function publish(file: string, text: string) {
  writeFileSync(`${file}.part`, text);
  renameSync(`${file}.part`, file);
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
function gatheredOutputs(ordered: readonly Item[], to: string): Map<number, Gathered> {
  const found = new Map<number, Gathered>();
  for (const it of ordered) {
    const rel = it.entry?.status === 'written' ? it.entry.output : null;
    if (found.has(it.shard) || !rel) continue;
    const suffix = `/${rel}`;
    const row = it.audit.find((r) => r.output?.replaceAll('\\', '/').endsWith(suffix));
    if (row) found.set(it.shard, { from: row.output!.slice(0, -suffix.length), to });
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

/** One row per original identifier, in identifier order; two shards mapping one differently is refused. */
function mergeCrosswalks(files: readonly string[]): string {
  const map = new Map<string, string>();
  files.forEach((file, s) => {
    let rows: Array<[string, string]>;
    try {
      rows = readCrosswalkCsv(file);
    } catch {
      throw new MergeError(`audit folder ${s + 1} holds no readable crosswalk`);
    }
    for (const [oldId, newId] of rows) {
      const known = map.get(oldId);
      if (known !== undefined && known !== newId)
        throw new MergeError('the crosswalks map one identifier to two pseudonyms: not shards of one run');
      map.set(oldId, newId);
    }
  });
  const ids = [...map.keys()].sort();
  return csvRow(['id_old', 'id_new']) + ids.map((id) => csvRow([id, map.get(id)!])).join('');
}

/** A private file (0600) in a private folder (0700), written under a temporary name and renamed. */
function writePrivate(dir: string, name: string, text: string) {
  makePrivateDir(dir);
  replacePrivateFile(join(dir, name), text);
}
