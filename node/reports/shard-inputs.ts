import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { plainOutputPath } from '../batch/output-path.js';
import { DigestTable, textDigest } from '../digest-table.js';
import { lineAt } from '../file-lines.js';
import { CsvHeaderError, recordsAfterHeader } from './append-log.js';
import { parseCsv } from './csv.js';
import { MergeError, openOrRefuse } from './merge-error.js';
import { entryOnLine, ReportFileError, type ReportFrame, readReportFile } from './report-file.js';
import type { ReportEntry } from './report-layout.js';
import { AUDIT_COLUMNS, AUDIT_CSV, auditRow, REPORT_JSON } from './writer.js';

const AUDIT_HEADER = auditRow(AUDIT_COLUMNS);
const INPUT_NO = AUDIT_COLUMNS.indexOf('input_no');
const INPUT = AUDIT_COLUMNS.indexOf('input');

/**
 * A run numbers inputs by their place in its walk, and keeps an earlier run's outputs and audit rows under
 * that run's numbers: when inputs were added or removed in between, one number names two inputs, whose
 * entries and rows the merge, which joins them by number, could no longer tell apart.
 */
const twoInputs = (kind: 'report' | 'audit', shard: number, inputNo: number) =>
  new MergeError(
    `${kind} folder ${shard + 1} numbers two inputs ${inputNo}: runs over different inputs (files added or removed in between) wrote into its folders; run that shard again into new folders`,
  );

/**
 * Every input of the shards of one run, as the merge needs them: an archive's shards hold millions, and
 * their reports and audits are gigabytes, so each input keeps only its shard, its number there, where
 * its report entry and audit lines are in the shards' files (read again when it is written out) and
 * what orders it. Numbered 0, 1, … in the order they were read.
 */
export class ShardInputs {
  /** Each shard's report head and end. */
  readonly frames: ReportFrame[] = [];
  private readonly shardOf: number[] = [];
  private readonly inputNoOf: number[] = [];
  /** Where the input's line is in its shard's report, and its length; -1 when it has none. */
  private readonly entryAt: number[] = [];
  private readonly entryBytes: number[] = [];
  /** Where its first audit record is in its shard's audit, and its length; -1 when it has none… */
  private readonly auditAt: number[] = [];
  private readonly auditBytes: number[] = [];
  /** …and the same of its later records (an input has one but for a rerun or a move), in file order. */
  private readonly moreAudit = new Map<number, number[]>();
  /** What orders it: its input path, folder by folder, when the audits are given, else its output. */
  private readonly key: string[] = [];
  private readonly byShard: Array<Map<number, number>> = [];
  /** Written outputs by plain name (see plainOutputPath): the first input that wrote one… */
  private readonly plainNames = new DigestTable(1);
  /** …and, for the few names written more than once, all their inputs. */
  private readonly sharing = new Map<number, number[]>();
  private readonly reportFds: number[] = [];
  private readonly auditFds: number[] = [];

  /** Reads the shards' reports; close() it when done. */
  static read(reportDirs: readonly string[]): ShardInputs {
    const inputs = new ShardInputs();
    try {
      for (const [s, dir] of reportDirs.entries()) inputs.readReport(dir, s);
      return inputs;
    } catch (e) {
      inputs.close();
      throw e;
    }
  }

  /** Reads the shards' audits, one per report, in the same order. */
  readAudits(auditDirs: readonly string[]) {
    for (const [s, dir] of auditDirs.entries()) this.readAudit(dir, s);
  }

  get count(): number {
    return this.shardOf.length;
  }

  /** The input's shard, numbered from 1 as the user gave them. */
  shard(item: number): number {
    return this.shardOf[item]! + 1;
  }

  /** The input a shard numbered `inputNo`; undefined when it has none. */
  item(shard: number, inputNo: number): number | undefined {
    return this.byShard[shard - 1]?.get(inputNo);
  }

  hasEntry(item: number): boolean {
    return this.entryAt[item]! >= 0;
  }

  hasAudit(item: number): boolean {
    return this.auditAt[item]! >= 0;
  }

  /** The inputs in the order one run numbers them; ties by shard, then by the shard's number. */
  ordered(): number[] {
    const { key, shardOf, inputNoOf } = this;
    const items = Array.from({ length: this.count }, (_, i) => i);
    return items.sort(
      (a, b) =>
        (key[a]! < key[b]! ? -1 : key[a]! > key[b]! ? 1 : 0) ||
        shardOf[a]! - shardOf[b]! ||
        inputNoOf[a]! - inputNoOf[b]!,
    );
  }

  /** Groups of inputs whose written outputs share a plain name (or, once in 2^95, its digest). */
  sharedOutputs(): Iterable<readonly number[]> {
    return this.sharing.values();
  }

  /** The input's report entry, read again. */
  entry(item: number): ReportEntry | undefined {
    const at = this.entryAt[item]!;
    if (at < 0) return undefined;
    const line = lineAt(this.reportFds[this.shardOf[item]!]!, at, this.entryBytes[item]!);
    const entry = line === undefined ? undefined : entryOnLine(line);
    if (!entry)
      throw new MergeError(`the ${REPORT_JSON} of report folder ${this.shard(item)} changed while read`);
    return entry;
  }

  /** The input's audit rows, read again, by column. */
  auditRows(item: number): Record<string, string>[] {
    const places = [this.auditAt[item]!, this.auditBytes[item]!, ...(this.moreAudit.get(item) ?? [])];
    if (places[0]! < 0) return [];
    const rows: Record<string, string>[] = [];
    for (let i = 0; i < places.length; i += 2) {
      const text = lineAt(this.auditFds[this.shardOf[item]!]!, places[i]!, places[i + 1]!);
      const cells = text === undefined ? undefined : parseCsv(text)[0]?.cells;
      if (!cells)
        throw new MergeError(`the ${AUDIT_CSV} of audit folder ${this.shard(item)} changed while read`);
      rows.push(Object.fromEntries(AUDIT_COLUMNS.map((c, col) => [c, cells[col] ?? ''])));
    }
    return rows;
  }

  close() {
    for (const fd of [...this.reportFds, ...this.auditFds]) closeSync(fd);
    this.reportFds.length = 0;
    this.auditFds.length = 0;
  }

  private add(shard: number, inputNo: number): number {
    const known = this.byShard[shard]!.get(inputNo);
    if (known !== undefined) return known;
    const item = this.shardOf.length;
    this.shardOf.push(shard);
    this.inputNoOf.push(inputNo);
    this.entryAt.push(-1);
    this.entryBytes.push(0);
    this.auditAt.push(-1);
    this.auditBytes.push(0);
    this.key.push('');
    this.byShard[shard]!.set(inputNo, item);
    return item;
  }

  private readReport(dir: string, shard: number) {
    const fd = openOrRefuse(
      join(dir, REPORT_JSON),
      () => new MergeError(`report folder ${shard + 1} holds no complete ${REPORT_JSON}`),
    );
    this.reportFds.push(fd);
    this.byShard.push(new Map());
    try {
      this.frames.push(
        readReportFile(fd, (entry, start, bytes) => {
          const item = this.add(shard, entry.inputNo);
          if (this.entryAt[item]! >= 0) throw twoInputs('report', shard, entry.inputNo);
          this.entryAt[item] = start;
          this.entryBytes[item] = bytes;
          // Outputs sort after every input without one; U+FFFF ends no name a run gives.
          this.key[item] = entry.output ?? '\uffff';
          if (entry.status === 'written' && entry.output) this.notePlainName(item, entry.output);
        }),
      );
    } catch (e) {
      if (!(e instanceof ReportFileError)) throw e;
      throw new MergeError(
        `the ${REPORT_JSON} of report folder ${shard + 1} is not one dicom-deid wrote: ${e.message}`,
      );
    }
  }

  private notePlainName(item: number, output: string) {
    const d = textDigest(plainOutputPath(output));
    const first = this.plainNames.get(d);
    if (first === undefined) this.plainNames.set(d, item);
    else {
      const group = this.sharing.get(first) ?? [first];
      group.push(item);
      this.sharing.set(first, group);
    }
  }

  private readAudit(dir: string, shard: number) {
    const unreadable = () => new MergeError(`audit folder ${shard + 1} holds no readable ${AUDIT_CSV}`);
    const otherColumns = () =>
      new MergeError(`the ${AUDIT_CSV} of audit folder ${shard + 1} has other columns (another version)`);
    const fd = openOrRefuse(join(dir, AUDIT_CSV), unreadable);
    this.auditFds.push(fd);
    try {
      for (const { text, cells, end } of recordsAfterHeader(fd, AUDIT_HEADER)) {
        const inputNo = cells[INPUT_NO] ?? '';
        if (!/^[1-9][0-9]*$/.test(inputNo)) throw otherColumns();
        const item = this.add(shard, Number(inputNo));
        const bytes = Buffer.byteLength(text);
        // Folder by folder as the walk lists them: a separator sorts before any character a name holds.
        // Joined, not replaced: a replaced string can be pieces of the record's text, kept alive with it.
        const path = (cells[INPUT] ?? '').split(/[\\/]/).join('\u0000');
        if (this.auditAt[item]! >= 0) {
          // A move's row names no input; any other names the input of the rows before it.
          if (path !== '' && this.key[item] !== '' && path !== this.key[item])
            throw twoInputs('audit', shard, Number(inputNo));
          if (this.key[item] === '') this.key[item] = path;
          const more = this.moreAudit.get(item) ?? [];
          more.push(end - bytes, bytes);
          this.moreAudit.set(item, more);
          continue;
        }
        this.auditAt[item] = end - bytes;
        this.auditBytes[item] = bytes;
        this.key[item] = path;
      }
    } catch (e) {
      if (e instanceof CsvHeaderError) throw e.missing ? unreadable() : otherColumns();
      throw e instanceof MergeError ? e : unreadable();
    }
  }
}
