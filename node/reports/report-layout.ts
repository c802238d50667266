import {
  type ActionName,
  type AttributeCounts,
  byAttribute,
  sameCounts,
} from '../../shared/anonymize/attribute-counts.js';
import { attributeLabel } from '../../shared/anonymize/attribute-label.js';
import type { FileReport } from '../../shared/anonymize/engine.js';
import type { Tag } from '../../shared/dicom/tag.js';
import { csvCells, csvRow } from './csv.js';
import type { BatchFileRecord, BatchSummary, ReportPart } from './types.js';

/*
 * How the shareable report lays out one input: its members in deid-report.json and its cells in
 * deid-report.csv. A batch worker renders the part that comes from the file's report (renderReportPart);
 * the writer adds the rest, so this module is all the worker needs of the reports.
 */

/** CSV column per action; a Record so a new action in the engine cannot be left out of the report. */
const ACTION_COLUMNS: Readonly<Record<ActionName, string>> = {
  removed: 'removed',
  emptied: 'emptied',
  dummy: 'dummy',
  replaced: 'replaced',
  pseudonymized: 'pseudonymized',
  'uid-remapped': 'uid_remapped',
  'date-shifted': 'date_shifted',
  cleaned: 'cleaned',
  hashed: 'hashed',
  kept: 'kept',
};
const ACTIONS = Object.keys(ACTION_COLUMNS) as ActionName[];

/** Cells people open in a spreadsheet: formula-like ones are defused. */
export const HUMAN = { spreadsheetSafe: true } as const;
const REPORT_COLUMNS = [
  'input_no',
  'output',
  'status',
  'reason',
  'sop_class_uid',
  'transfer_syntax_uid',
  'modality',
  ...ACTIONS.map((a) => ACTION_COLUMNS[a]),
  'verification',
  'pixel_verification',
  'pixels',
  'regions_cleaned',
  'output_sha256',
];
/** One input in the shareable report (deid-report.json's `files`, one row of deid-report.csv). */
export interface ReportEntry {
  readonly inputNo: number;
  readonly output: string | null;
  readonly status: BatchFileRecord['status'];
  readonly reason: string | null;
  readonly sopClassUID: string | null;
  readonly transferSyntaxUID: string | null;
  readonly modality: string | null;
  readonly actionCounts: Readonly<Partial<Record<ActionName, number>>> | null;
  readonly attributes: unknown;
  readonly verification: BatchFileRecord['verification'];
  /** Whether the output's pixels were read again and found free of the file's identity. */
  readonly pixelVerification?: 'passed' | 'failed' | 'not-run';
  readonly pixels: string | null;
  readonly regionsCleaned: number | null;
  readonly outputSha256: string | null;
}

export const REPORT_CSV_HEADER = csvRow(REPORT_COLUMNS);

/** The start of deid-report.json: its head members, two-space indented, then the opening of `files`. */
export const reportJsonHead = (head: Readonly<Record<string, unknown>>): string =>
  `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "files": [`;

/** An entry of deid-report.json's `files`, as the document lays them out: one per line. */
export const reportJsonEntry = (entry: ReportEntry, first: boolean): string =>
  `${first ? '' : ','}\n    ${JSON.stringify(entry)}`;

/** The end of deid-report.json, after its `entries` files. */
export const reportJsonTail = (entries: number, finishedAt: string, summary: BatchSummary): string =>
  `${entries === 0 ? '' : '\n  '}],\n  "finishedAt": ${JSON.stringify(finishedAt)},\n` +
  `  "summary": ${JSON.stringify(summary)}\n}\n`;

/** One row of deid-report.csv. */
export const reportCsvRow = (entry: ReportEntry): string => entryCsvRow(entry, reportCells(entry));

/** The members of an entry that come from the file's report; the rest is its frame. */
type ReportFields = Pick<
  ReportEntry,
  'sopClassUID' | 'transferSyntaxUID' | 'modality' | 'actionCounts' | 'attributes'
>;
export type EntryFrame = Omit<ReportEntry, keyof ReportFields>;

/**
 * The report's part of an entry (members in the order ReportEntry declares them); nulls without one. The
 * attributes are written from the engine's counts by tag, as JSON.stringify would write them labelled;
 * `attributes` is that text when the caller already has it (see AttributesText).
 */
export const renderReportPart = (r: FileReport | undefined, attributes?: string): ReportPart => {
  const fields = {
    sopClassUID: r?.sopClassUID ?? null,
    transferSyntaxUID: r?.transferSyntaxUID ?? null,
    modality: r?.modality ?? null,
    actionCounts: r?.actionCounts ?? null,
  };
  return {
    json: JSON.stringify(fields).slice(1, -1),
    attributes: attributes ?? (r ? attributesJson(r.attributes) : 'null'),
    csv: reportCells(fields),
  };
};

// `"(GGGG,EEEE) Keyword":` per tag, made once: a batch has a few hundred distinct tags, and every file
// writes most of them (a tag and a keyword: no value, nothing per file).
const labelKeys = new Map<Tag, string>();
function labelKey(tag: Tag): string {
  let key = labelKeys.get(tag);
  if (key === undefined) {
    key = `${JSON.stringify(attributeLabel(tag))}:`;
    if (labelKeys.size < 65_536) labelKeys.set(tag, key);
  }
  return key;
}

/** What JSON.stringify writes for the counts keyed by label; action names need no escaping, counts are integers. */
function attributesJson(counts: AttributeCounts): string {
  const members: string[] = [];
  for (const [tag, actions] of byAttribute(counts)) {
    let inner = '';
    for (const action in actions) inner += `${inner ? ',' : ''}"${action}":${actions[action as ActionName]}`;
    members.push(`${labelKey(tag)}{${inner}}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * The attributes' JSON of one file after another (a worker's), made again only when a file's counts were
 * not counted as the file's before were: the same counts in the same order give the same text.
 */
export class AttributesText {
  private counts: AttributeCounts = [];
  private last = '';

  /** The text for these counts. */
  get text(): string {
    return this.last;
  }

  /** Takes the next file's counts; true when its text is the one before. */
  next(counts: AttributeCounts): boolean {
    if (this.last !== '' && sameCounts(counts, this.counts)) return true;
    this.counts = counts;
    this.last = attributesJson(counts);
    return false;
  }
}

function reportCells(f: Omit<ReportFields, 'attributes'>): string {
  return csvCells(
    [
      f.sopClassUID ?? '',
      f.transferSyntaxUID ?? '',
      f.modality ?? '',
      ...ACTIONS.map((a) => f.actionCounts?.[a] ?? ''),
    ],
    HUMAN,
  );
}

/** An entry as JSON.stringify lays it out, the report's members spliced in after `reason`. */
export function entryJson(frame: EntryFrame, part: Pick<ReportPart, 'json' | 'attributes'>): string {
  const { inputNo, output, status, reason, ...after } = frame;
  const head = JSON.stringify({ inputNo, output, status, reason });
  return `${head.slice(0, -1)},${part.json},"attributes":${part.attributes},${JSON.stringify(after).slice(1)}`;
}

export function entryCsvRow(frame: EntryFrame, reportCsv: string): string {
  const head = csvCells([frame.inputNo, frame.output ?? '', frame.status, frame.reason ?? ''], HUMAN);
  const tail = csvCells(
    [
      frame.verification,
      frame.pixelVerification ?? 'not-run',
      frame.pixels ?? '',
      frame.regionsCleaned ?? '',
      frame.outputSha256 ?? '',
    ],
    HUMAN,
  );
  return `${head},${reportCsv},${tail}\r\n`;
}
