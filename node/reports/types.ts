import type { FileReport, PrivateMapping } from '../../shared/anonymize/engine.js';
import type { PixelOutcome } from '../../shared/pixels/outcome.js';

/**
 * The members of a shareable report entry that come from the file's own report (SOP class, transfer
 * syntax, modality, action and attribute counts), rendered once: as JSON members without the braces and
 * as CSV cells without the line end. A worker renders them, so only strings cross to the main thread.
 */
export interface ReportPart {
  /** The members before `attributes`. */
  readonly json: string;
  /** The value of `attributes`: a file's series neighbours mostly have the same one, so it is kept apart. */
  readonly attributes: string;
  readonly csv: string;
}

/** What the batch knows about one input once it is done with it. */
export interface BatchFileRecord {
  /** The input's place in the walk: the batch numbers inputs as `scan` lists them. */
  readonly inputNo: number;
  /** Absolute input path: PHI (folders are often named after patients); goes to the private audit only. */
  readonly input: string;
  readonly inputBytes: number;
  readonly inputSha256?: string;
  readonly status: 'written' | 'skipped' | 'failed' | 'held';
  /** Names tags, keywords, offsets and sizes only, never a value. */
  readonly reason?: string;
  /** Absolute path of the written file. */
  readonly output: string | null;
  readonly outputSha256?: string;
  /** PHI-free. */
  readonly report?: FileReport;
  /** The report's part of the shareable entry, when the worker that made the report rendered it. */
  readonly reportPart?: ReportPart;
  /** PHI: original → new Patient ID and UIDs, for the private crosswalks only. */
  readonly mapping?: PrivateMapping;
  readonly verification: 'passed' | 'failed' | 'not-run';
  /** The pixel half of the residual check (the output's pixels read again); absent when it did not run. */
  readonly pixelVerification?: 'passed' | 'failed';
  /** Whether the pixels may show identity, when the engine got that far. Accepted ones say who accepted. */
  readonly pixels?: PixelOutcome;
  /** Skipped because an earlier run wrote this output: what that run recorded of it. */
  readonly alreadyWritten?: { readonly sha: string; readonly verification: 'passed' | 'not-run' };
  /** PHI: where the copy kept on site for review went (quarantined or held); private audit only. */
  readonly review?: string;
  /** ISO time. */
  readonly finishedAt: string;
}

export interface BatchContext {
  readonly outDir: string;
  readonly profileName: string;
  readonly profileEdition: string;
  readonly options: readonly string[];
  readonly toolVersion: string;
  readonly keyFingerprint: string;
  /** ISO time. */
  readonly startedAt: string;
}

export interface BatchSummary {
  readonly written: number;
  readonly skipped: number;
  readonly failed: number;
  /** Kept on site for review because their pixels may show identity. */
  readonly held: number;
  /** Written although their pixels were at risk, because a rule or a person accepted them. */
  readonly accepted: number;
  readonly verificationFailed: number;
}

/** Where a batch's reports go; see reportLocations for the defaults. */
export interface ReportLocations {
  /** Shareable report (no PHI). */
  readonly reportDir: string;
  /** Private audit and crosswalks (PHI, owner-only). */
  readonly auditDir: string;
}
