import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TOOL_NAME } from '../../shared/anonymize/engine.js';
import type { PixelOutcome } from '../../shared/pixels/outcome.js';
import { DigestTable, SeenTexts, textDigest } from '../digest-table.js';
import { fileLines, lineText } from '../file-lines.js';
import { openAppendLog } from './append-log.js';
import { type AuditColumns, foldAuditFile, MOVED_REASON } from './audit-moves.js';
import { csvRow } from './csv.js';
import { reportLocations } from './locations.js';
import { PreviousReport } from './previous-report.js';
import { makePrivateDir } from './private-files.js';
import { entryOnLine } from './report-file.js';
import {
  type EntryFrame,
  entryCsvRow,
  entryJson,
  HUMAN,
  REPORT_CSV_HEADER,
  type ReportEntry,
  renderReportPart,
  reportCsvRow,
  reportJsonEntry,
  reportJsonHead,
  reportJsonTail,
} from './report-layout.js';
import { FileSink } from './sink.js';
import type { BatchContext, BatchFileRecord, BatchSummary, ReportLocations } from './types.js';

export const REPORT_JSON = 'deid-report.json';
export const REPORT_CSV = 'deid-report.csv';
export const AUDIT_CSV = 'deid-audit.csv';
export const UID_CROSSWALK = 'uid-crosswalk.csv';
export const PATIENT_ID_CROSSWALK = 'patient-id-crosswalk.csv';

export const AUDIT_COLUMNS = [
  'input_no',
  'input',
  'input_sha256',
  'output',
  'output_sha256',
  'status',
  'reason',
  'pixels',
  'quarantine',
  'timestamp',
];
const AUDIT_COLUMN: AuditColumns = {
  inputNo: AUDIT_COLUMNS.indexOf('input_no'),
  input: AUDIT_COLUMNS.indexOf('input'),
  output: AUDIT_COLUMNS.indexOf('output'),
  outputSha: AUDIT_COLUMNS.indexOf('output_sha256'),
  status: AUDIT_COLUMNS.indexOf('status'),
  reason: AUDIT_COLUMNS.indexOf('reason'),
};
export const CROSSWALK_HEADER = csvRow(['id_old', 'id_new']);

// Paths inside a system error message (`EACCES: permission denied, open '/data/SMITH^JOHN/1.dcm'`): quoted
// ones whole, spaces included, then bare ones up to the next space.
const QUOTED_PATH = /(['"])(?:[A-Za-z]:)?[\\/][^'"]*\1/g;
const PATH_TOKEN = /(^|[\s(=])(?:[A-Za-z]:)?[\\/][^\s'"]*/g;

/**
 * A reason fit for the shareable report. Reasons should name tags only, but one built from a system error
 * can carry the input path, and input paths often hold patient names: paths and the file name go.
 */
export function shareableReason(reason: string, input: string): string {
  let text = reason.replaceAll(input, '<input>');
  const name = basename(input);
  // Whole words with a letter only: a name is made of letters, and a file named `0010` or `1000` must
  // leave `(0010,0010)` and `declares 1000 bytes` alone.
  if (name.length >= 3 && /[A-Za-z]/.test(name)) {
    const pattern = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(?<![A-Za-z0-9])${pattern}(?![A-Za-z0-9])`, 'g'), '<input>');
  }
  return text.replace(QUOTED_PATH, '$1<path>$1').replace(PATH_TOKEN, '$1<path>');
}

const EMPTY_ENTRY = {
  reason: null,
  sopClassUID: null,
  transferSyntaxUID: null,
  modality: null,
  actionCounts: null,
  attributes: null,
  pixels: null,
  regionsCleaned: null,
} as const;

/**
 * Keeps what an interrupted run had written of its report (its `.part`, whole entries only) after what
 * earlier interrupted runs wrote, so this run carries their entries over too, and clears the part for
 * this run's own. Returns where they are kept.
 */
function gatherInterrupted(report: string): string {
  const part = `${report}.part`;
  const kept = `${report}.interrupted`;
  let from: number;
  try {
    from = openSync(part, 'r');
  } catch {
    return kept;
  }
  const sink = new FileSink(openSync(kept, 'a'));
  try {
    // An entry ends its line only when the next one begins: the last is kept when it is whole.
    for (const line of fileLines(from)) {
      const text = lineText(from, line);
      if (text !== undefined && (line.complete || isJson(text))) sink.write(`${text}\n`);
    }
  } finally {
    closeSync(from);
    sink.close();
  }
  rmSync(part);
  return kept;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** As much of a SHA-256 as the audit's bookkeeping keeps in memory: 48 bits, a number, not a string. */
const shortSha = (sha: string): number => (sha === '' ? -1 : Number.parseInt(sha.slice(0, 12), 16));

/** The audit's pixel cell: the status, and for an accepted or held file who accepted it or why it waits. */
const pixelsCell = (pixels: PixelOutcome | undefined): string =>
  pixels ? `${pixels.status}${pixels.reason ? `: ${pixels.reason}` : ''}` : '';

/**
 * Writes a batch's reports as files complete, holding nothing per file in memory except the original
 * identifiers already in the crosswalks (each must appear there once).
 *
 * Shareable, in `reportDir`: deid-report.json and deid-report.csv, written as `.part` and renamed by
 * close(), so a report that exists is complete. Private, in `auditDir` (0700 when created, files 0600):
 * deid-audit.csv and the MIDI-B crosswalks, appended to and never truncated, each input's lines on disk
 * when the sync() after its add() returns, so a batch interrupted at any moment leaves the record of everything it wrote, and a
 * rerun into the same audit folder continues it with one row per output and one per original identifier.
 */
export class ReportWriter {
  private readonly outDir: string;
  private readonly json: FileSink;
  private readonly csv: FileSink;
  private readonly audit: FileSink;
  private readonly uids: FileSink;
  private readonly patients: FileSink;
  // The original identifiers the crosswalks hold, by digest: a project's crosswalk grows with every run,
  // and each run reads it back.
  private readonly seenUids = new SeenTexts();
  private readonly seenPatients = new SeenTexts();
  /** The previous reports' entries of written outputs, by output, until this run meets them again. */
  private readonly carried: PreviousReport | undefined;
  /** What interrupted runs wrote of their reports: carried over, and deleted once this one is published. */
  private readonly interrupted: string;
  /** Outputs moved during the run (old → new name, relative): applied to the report when it is published. */
  private readonly renames = new Map<string, string>();
  /** Outputs recorded as written that the run stopped before moving into place (relative), with why. */
  private readonly unplaced = new Map<string, string>();
  // The outputs the audit held when opened, and those moved since, by digest of the output path (tens of
  // bytes each, not hundreds): the input number and the start of the SHA-256 (shortSha), enough to tell
  // a redone output from another content. A run's own outputs are not added: the batch gives each name
  // one content, so memory does not grow with the run.
  private readonly audited = new DigestTable(2);
  private entries = 0;
  private readonly counts = {
    written: 0,
    skipped: 0,
    failed: 0,
    held: 0,
    accepted: 0,
    verificationFailed: 0,
  };
  private inputNo = 0;
  /** The audit holds a move (this run's, or one a killed run left): folded into its first row at close. */
  private movesToFold = false;
  private closed = false;

  /** Opens the five files; `chosen` folders override the defaults of reportLocations. */
  static open(ctx: BatchContext, chosen: Partial<ReportLocations> = {}): ReportWriter {
    return new ReportWriter(ctx, reportLocations(ctx.outDir, ctx.startedAt, chosen));
  }

  private constructor(
    ctx: BatchContext,
    readonly locations: ReportLocations,
  ) {
    this.outDir = resolve(ctx.outDir);
    const { reportDir, auditDir } = locations;
    mkdirSync(reportDir, { recursive: true });
    makePrivateDir(auditDir);
    const report = join(reportDir, REPORT_JSON);
    this.interrupted = gatherInterrupted(report);
    this.carried = PreviousReport.open([report, this.interrupted]);
    const opened: FileSink[] = [];
    const open = (fd: number) => {
      const sink = new FileSink(fd);
      opened.push(sink);
      return sink;
    };
    try {
      this.json = open(openSync(join(reportDir, `${REPORT_JSON}.part`), 'w'));
      this.csv = open(openSync(join(reportDir, `${REPORT_CSV}.part`), 'w'));
      const output = AUDIT_COLUMNS.indexOf('output');
      const sha = AUDIT_COLUMNS.indexOf('output_sha256');
      this.audit = open(
        openAppendLog(join(auditDir, AUDIT_CSV), csvRow(AUDIT_COLUMNS), 'audit', (cells) => {
          this.inputNo = Math.max(this.inputNo, Number(cells[0]) || 0);
          if (cells[AUDIT_COLUMN.reason]?.startsWith(MOVED_REASON)) this.movesToFold = true;
          if (cells[output]) this.remember(cells[output]!, Number(cells[0]), cells[sha] ?? '');
        }),
      );
      this.uids = open(
        openAppendLog(join(auditDir, UID_CROSSWALK), CROSSWALK_HEADER, 'UID crosswalk', (cells) =>
          this.seenUids.add(cells[0]!),
        ),
      );
      this.patients = open(
        openAppendLog(
          join(auditDir, PATIENT_ID_CROSSWALK),
          CROSSWALK_HEADER,
          'patient ID crosswalk',
          (cells) => this.seenPatients.add(cells[0]!),
        ),
      );
    } catch (e) {
      for (const sink of opened) sink.close();
      this.carried?.close();
      throw e;
    }
    // The summary is known only at the end, so it follows the files instead of preceding them.
    this.json.write(
      reportJsonHead({
        tool: TOOL_NAME,
        version: ctx.toolVersion,
        profile: ctx.profileName,
        edition: ctx.profileEdition,
        options: ctx.options,
        keyFingerprint: ctx.keyFingerprint,
        startedAt: ctx.startedAt,
      }),
    );
    this.csv.write(REPORT_CSV_HEADER);
  }

  /** Records one input, in the order the batch finishes them; returns its input number. */
  add(record: BatchFileRecord): number {
    if (this.closed) throw new Error('the report is already closed');
    // One row per output however often a run is interrupted and resumed: an output already recorded
    // (skipped as done, or redone with the same bytes after a crash) keeps its row and number.
    const recorded = record.output === null ? undefined : this.auditedRow(record.output);
    const alreadyAudited =
      recorded !== undefined &&
      (record.status === 'skipped' ||
        (record.status === 'written' && recorded.sha === shortSha(record.outputSha256 ?? '')));
    const inputNo = alreadyAudited ? recorded.inputNo : record.inputNo;
    this.inputNo = Math.max(this.inputNo, inputNo);
    this.counts[record.status]++;
    if (record.verification === 'failed') this.counts.verificationFailed++;
    if (record.status === 'written' && record.pixels?.status === 'accepted') this.counts.accepted++;

    const output = this.shareableOutput(record.output);
    if (record.alreadyWritten && output !== null) {
      // The report describes the whole output folder: an output an earlier run wrote keeps its entry.
      this.counts.skipped--;
      this.counts.written++;
      this.writeEntry(
        this.carried?.take(output) ?? {
          ...EMPTY_ENTRY,
          inputNo,
          output,
          status: 'written',
          verification: record.alreadyWritten.verification,
          outputSha256: record.alreadyWritten.sha,
        },
      );
    } else {
      if (output !== null) this.carried?.take(output);
      const reason = record.reason ? shareableReason(record.reason, record.input) : '';
      const frame: EntryFrame = {
        inputNo,
        output,
        status: record.status,
        reason: reason || null,
        verification: record.verification,
        pixelVerification: record.pixelVerification ?? 'not-run',
        pixels: record.pixels?.status ?? null,
        regionsCleaned: record.pixels?.regionsCleaned ?? null,
        outputSha256: record.outputSha256 ?? null,
      };
      const part = record.reportPart ?? renderReportPart(record.report);
      this.json.queue(`${this.entries++ === 0 ? '' : ','}\n    ${entryJson(frame, part)}`);
      this.csv.queue(entryCsvRow(frame, part.csv));
    }
    if (!alreadyAudited)
      this.audit.queue(
        auditRow([
          inputNo,
          record.input,
          record.inputSha256 ?? '',
          record.output ?? '',
          record.outputSha256 ?? '',
          record.status,
          record.reason ?? '',
          pixelsCell(record.pixels),
          record.review ?? '',
          record.finishedAt,
        ]),
      );
    // A failed or held file is not in the output set, so its new identifiers point at nothing.
    if (record.mapping && record.status === 'written') {
      const [oldId, newId] = record.mapping.patientId;
      if (oldId && this.seenPatients.add(oldId)) this.patients.queue(csvRow([oldId, newId]));
      for (const [oldUid, newUid] of record.mapping.uids) {
        if (oldUid && this.seenUids.add(oldUid)) this.uids.queue(csvRow([oldUid, newUid]));
      }
    }
    // Written only once the record is queued whole in every file: a write that fails (a full disk) then
    // leaves the record whole all the same, for its files to get when they can.
    this.flushFull();
    return inputNo;
  }

  private flushFull() {
    for (const sink of [this.json, this.csv, this.audit, this.uids, this.patients]) sink.flushIfFull();
  }

  /**
   * Puts every private line added so far on the disk: the batch waits for it before it moves their
   * outputs into place, so an output never exists without its record, even after a power cut. One call
   * for a group of files: a sync costs milliseconds, far more than a small file's de-identification.
   */
  async sync(): Promise<void> {
    // The shareable parts too, unsynced: a run killed after this group leaves their entries for the
    // run that resumes it to carry over.
    this.json.flush();
    this.csv.flush();
    await Promise.all([this.audit.sync(), this.uids.sync(), this.patients.sync()]);
  }

  /**
   * An output moved to another name (a second content arrived for its instance; `sha` is its SHA-256,
   * `inputNo` the input it came from in this run):
   * the audit gets a line for the new name, folded into the output's own row when the audit is finished,
   * and the shareable report names the new one when it is published.
   */
  moved(from: string, to: string, sha: string, inputNo?: number) {
    // An output the audit held already keeps the number of its row.
    const before = textDigest(from);
    inputNo = this.audited.get(before) ?? inputNo ?? ++this.inputNo;
    this.audited.delete(before);
    this.remember(to, inputNo, sha);
    const [relFrom, relTo] = [this.shareableOutput(from), this.shareableOutput(to)];
    if (relFrom && relTo) this.renames.set(relFrom, relTo);
    const reason = `${MOVED_REASON}${relFrom ?? 'its first name'}: another input holds the same instance with other content`;
    this.movesToFold = true;
    // The input is its first row's: the batch keeps no path per output, so the fold finds the row by
    // input number and content.
    this.audit.write(
      csvRow([inputNo, '', '', to, sha, 'written', reason, '', '', new Date().toISOString()], HUMAN),
    );
    this.audit.flush();
  }

  /**
   * An output recorded as written that was never moved into place, because the run stopped first (its
   * disk or the audit's is full): the published report lists its input as failed, for `reason`. Its audit
   * row stands for the output a resumed run writes again, with the same bytes, under that row.
   */
  notPlaced(record: BatchFileRecord, reason: string) {
    this.counts.written--;
    this.counts.failed++;
    if (record.pixels?.status === 'accepted') this.counts.accepted--;
    const output = this.shareableOutput(record.output);
    if (output !== null) this.unplaced.set(output, reason);
  }

  /** What the audit's row for an output holds: its input number and shortSha; undefined without one. */
  private auditedRow(output: string): { readonly inputNo: number; readonly sha: number } | undefined {
    const d = textDigest(output);
    const inputNo = this.audited.get(d);
    return inputNo === undefined ? undefined : { inputNo, sha: this.audited.get(d, 1) ?? -1 };
  }

  private remember(output: string, inputNo: number, sha: string) {
    this.audited.set(textDigest(output), inputNo, shortSha(sha));
  }

  /** One entry of the shareable report, in both of its files. */
  private writeEntry(entry: ReportEntry) {
    this.json.queue(reportJsonEntry(entry, this.entries++ === 0));
    this.csv.queue(reportCsvRow(entry));
  }

  /** Finishes the JSON document, closes every file and publishes the shareable ones. */
  close(finishedAt: string = new Date().toISOString()): BatchSummary {
    if (this.closed) throw new Error('the report is already closed');
    this.closed = true;
    // Outputs of earlier runs that this run did not meet (their inputs were not given again) are still
    // in the folder, so still in its report.
    for (const entry of this.carried?.rest() ?? []) {
      if (!existsSync(join(this.outDir, ...entry.output!.split('/')))) continue;
      this.writeEntry(entry);
      this.flushFull();
      this.counts.written++;
      if (entry.pixels === 'accepted') this.counts.accepted++;
    }
    this.carried?.close();
    const summary: BatchSummary = { ...this.counts };
    this.json.write(reportJsonTail(this.entries, finishedAt, summary));
    const sinks = [this.json, this.csv, this.audit, this.uids, this.patients];
    let failure: unknown;
    for (const sink of sinks) {
      try {
        sink.close();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
    if (this.movesToFold) foldAuditFile(join(this.locations.auditDir, AUDIT_CSV), AUDIT_COLUMN, HUMAN);
    if (this.renames.size > 0 || this.unplaced.size > 0) {
      // The JSON first: it finds the rows of the CSV to change.
      const csvRows = new Map<string, string>();
      const part = (name: string) => join(this.locations.reportDir, `${name}.part`);
      this.rewritePart(part(REPORT_JSON), (line) => this.renamed(this.failedIfUnplaced(line, csvRows)));
      this.rewritePart(part(REPORT_CSV), (line) =>
        this.renamed(csvRows.get(`${line}\n`)?.slice(0, -1) ?? line),
      );
    }
    for (const name of [REPORT_JSON, REPORT_CSV]) {
      const file = join(this.locations.reportDir, name);
      renameSync(`${file}.part`, file);
    }
    rmSync(this.interrupted, { force: true });
    return summary;
  }

  /**
   * Rewrites a finished report part line by line (rare: only when names were contested or outputs never
   * placed): a report of a million files is longer than a string may be.
   */
  private rewritePart(part: string, edit: (line: string) => string) {
    const rewritten = `${part}.rewritten`;
    const input = openSync(part, 'r');
    try {
      const sink = new FileSink(openSync(rewritten, 'w'));
      try {
        for (const line of fileLines(input)) {
          const text = lineText(input, line);
          // 256 MB for one file's entry: thousands of times what a file with thousands of attributes takes.
          if (text === undefined) throw new Error('a line of the report is longer than 256 MB');
          const edited = edit(text);
          sink.write(line.complete ? `${edited}\n` : edited);
        }
      } finally {
        sink.close();
      }
      renameSync(rewritten, part);
    } catch (e) {
      // The part stays as it was, for the next run to carry over; no half rewrite is left beside it.
      rmSync(rewritten, { force: true });
      throw e;
    } finally {
      closeSync(input);
    }
  }

  /** A line of the report with the outputs' final names. */
  private renamed(line: string): string {
    for (const [from, to] of this.renames) line = line.replaceAll(from, to);
    return line;
  }

  /**
   * An entry line of an output never moved into place, as the failed entry of its input; its CSV row and
   * the row replacing it go into `csvRows`.
   */
  private failedIfUnplaced(line: string, csvRows: Map<string, string>): string {
    if (this.unplaced.size === 0) return line;
    const entry = entryOnLine(line);
    const reason = entry?.status === 'written' && entry.output ? this.unplaced.get(entry.output) : undefined;
    if (!entry || reason === undefined) return line;
    const frame: EntryFrame = {
      inputNo: entry.inputNo,
      output: null,
      status: 'failed',
      reason,
      verification: entry.verification,
      pixelVerification: entry.pixelVerification ?? 'not-run',
      pixels: entry.pixels,
      regionsCleaned: entry.regionsCleaned,
      outputSha256: null,
    };
    const none = renderReportPart(undefined);
    csvRows.set(reportCsvRow(entry), entryCsvRow(frame, none.csv));
    const at = line.indexOf('{');
    return `${line.slice(0, at)}${entryJson(frame, none)}${line.endsWith(',') ? ',' : ''}`;
  }

  /** The output relative to the output folder, with `/`; null when there is none or it lies elsewhere. */
  private shareableOutput(output: string | null): string | null {
    if (!output) return null;
    const rel = relative(this.outDir, resolve(output));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    return rel.split(sep).join('/');
  }
}

/** One line of deid-audit.csv: a file people open in a spreadsheet, so formula-like cells are defused. */
export const auditRow = (cells: ReadonlyArray<string | number>): string => csvRow(cells, HUMAN);
