import type { BurnedIn } from './burned-in.js';
import { CATEGORY_IDS, type CategoryId } from './categories.js';
import type { FileScan, Finding } from './scan.js';

/** What happened to one input: read and scanned, or why not. */
export type FileOutcome<S extends Partial<FileScan> = FileScan> =
  | { readonly path: string; readonly status: 'ok'; readonly scan: S }
  | { readonly path: string; readonly status: 'not-dicom' | 'error' | 'skipped'; readonly reason: string };

export type FileStatus = FileOutcome['status'];

/** Of a file's scan, what a summary counts. */
export type ScanFacts = Pick<FileScan, 'counts' | 'burnedIn' | 'sopClassUID' | 'modality'>;

export interface JsonFinding {
  readonly tag: string;
  readonly keyword: string;
  readonly category: CategoryId;
  readonly path: string;
  readonly present: boolean;
  readonly vr: string;
  readonly privateCreator?: string;
}

export interface JsonFile {
  readonly path: string;
  readonly status: FileStatus;
  readonly reason?: string;
  readonly transferSyntax?: { readonly uid: string; readonly name: string };
  readonly sopClassUID?: string;
  readonly modality?: string;
  readonly dicomdir?: boolean;
  readonly warnings?: number;
  readonly burnedIn?: BurnedIn;
  readonly privateCreators?: readonly string[];
  readonly counts?: Readonly<Record<CategoryId, number>>;
  readonly findings?: readonly JsonFinding[];
}

export interface ScanSummary {
  files: number;
  ok: number;
  notDicom: number;
  errors: number;
  skipped: number;
  /** Present findings per category over all files read. */
  byCategory: Record<CategoryId, number>;
}

export interface JsonReport {
  readonly files: readonly JsonFile[];
  readonly summary: ScanSummary;
}

const jsonFinding = (f: Finding): JsonFinding => ({
  tag: f.tag,
  keyword: f.keyword,
  category: f.category,
  path: f.path,
  present: f.present,
  vr: f.vr,
  ...(f.privateCreator !== undefined ? { privateCreator: f.privateCreator } : {}),
});

/** Everything of a report file but its findings, which come last. */
function jsonHead(outcome: FileOutcome): JsonFile {
  if (outcome.status !== 'ok') return { path: outcome.path, status: outcome.status, reason: outcome.reason };
  return { path: outcome.path, status: 'ok', ...headFacts(outcome.scan) };
}

/** What a scanned file's report says of it after its path and status, in the order it says it. */
const headFacts = (scan: FileScan) => ({
  transferSyntax: { uid: scan.transferSyntax.uid, name: scan.transferSyntax.name },
  ...(scan.sopClassUID !== undefined ? { sopClassUID: scan.sopClassUID } : {}),
  ...(scan.modality !== undefined ? { modality: scan.modality } : {}),
  dicomdir: scan.dicomdir,
  warnings: scan.warnings,
  burnedIn: { risk: scan.burnedIn.risk, reason: scan.burnedIn.reason },
  privateCreators: [...scan.privateCreators],
  counts: { ...scan.counts },
});

/**
 * The report form of an outcome. Fields are copied one by one, never spread, so a value that reaches a scan
 * object (the table's `values`) cannot slip into a report that must hold none.
 */
export function jsonFile(outcome: FileOutcome): JsonFile {
  const head = jsonHead(outcome);
  return outcome.status === 'ok' ? { ...head, findings: outcome.scan.findings.map(jsonFinding) } : head;
}

/**
 * The text of each finding, made once: the scan shares findings between files (see findingOf), so a folder of
 * thousands writes the same few hundred. Weakly held, so it goes with findings no file shares.
 */
const FINDING_TEXT = new WeakMap<Finding, string>();

function findingText(f: Finding): string {
  let text = FINDING_TEXT.get(f);
  if (text === undefined) {
    text = JSON.stringify(jsonFinding(f));
    FINDING_TEXT.set(f, text);
  }
  return text;
}

/**
 * The findings of the last file written, and their text with the end of the file object. The files of a
 * series list the same shared findings in the same order, so most write the text of the one before.
 */
let lastFindings: readonly Finding[] = [];
let lastTail = ']}';

function findingsTail(findings: readonly Finding[]): string {
  if (findings.length !== lastFindings.length || findings.some((f, i) => f !== lastFindings[i])) {
    // Joined, not added up: one flat string, which writing it does not have to copy first.
    lastTail = `${findings.map(findingText).join(',')}]}`;
    lastFindings = findings;
  }
  return lastTail;
}

/** Whether two JSON-like values would be written alike: the same members in the same order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b))
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  const keys = Object.keys(a);
  const other = Object.keys(b);
  return (
    keys.length === other.length &&
    keys.every(
      (k, i) =>
        k === other[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** The last file's head facts, and their text (the files of a series share them). */
let lastFacts: ReturnType<typeof headFacts> | undefined;
let lastHeadRest = '';

/**
 * `JSON.stringify(jsonFile(outcome))` in pieces, to be written one after the other: each finding's text is
 * made once, and the head after the path and the findings of files that have the same ones are one string
 * each, not a copy per file.
 */
export function jsonFileTexts(outcome: FileOutcome): string[] {
  if (outcome.status !== 'ok') return [JSON.stringify(jsonHead(outcome))];
  const { path, scan } = outcome;
  const facts = headFacts(scan);
  if (!lastFacts || !sameJson(facts, lastFacts)) {
    lastHeadRest = `${JSON.stringify(facts).slice(1, -1)},"findings":[`;
    lastFacts = facts;
  }
  return [`{"path":${JSON.stringify(path)},"status":"ok",`, lastHeadRest, findingsTail(scan.findings)];
}

export const emptySummary = (): ScanSummary => ({
  files: 0,
  ok: 0,
  notDicom: 0,
  errors: 0,
  skipped: 0,
  byCategory: Object.fromEntries(CATEGORY_IDS.map((id) => [id, 0])) as Record<CategoryId, number>,
});

export function addToSummary(summary: ScanSummary, outcome: FileOutcome<ScanFacts>): void {
  summary.files++;
  switch (outcome.status) {
    case 'ok':
      summary.ok++;
      for (const id of CATEGORY_IDS) summary.byCategory[id] += outcome.scan.counts[id];
      break;
    case 'not-dicom':
      summary.notDicom++;
      break;
    case 'error':
      summary.errors++;
      break;
    case 'skipped':
      summary.skipped++;
      break;
  }
}
