import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type AnonymizationKey, keyFingerprint } from '../../../shared/anonymize/key.js';
import { buildDicomdir, type DicomdirEntry } from '../../../shared/dicomdir/build.js';
import { FileIdAllocator } from '../../../shared/dicomdir/file-id.js';
import { errorText } from '../../../shared/errors.js';
import type { RunProgress } from '../../../shared/ipc/contract.js';
import type { Profile } from '../../../shared/profile/index.js';
import { PROFILE_EDITION } from '../../../shared/profile/index.js';
import type { BatchFileRecord } from '../reports/types.js';
import { distinctOutputPath } from './output-path.js';
import { type Pending, planInputs } from './plan.js';
import { runInWorkers } from './pool.js';
import {
  type FileOutcome,
  failureReason,
  processFile,
  unlinkQuietly,
  type WorkerConfig,
} from './process-file.js';
import { keepForReview } from './review.js';
import { BatchSetupError, openSite, type Site } from './site.js';

export interface BatchRequest {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly profile: Profile;
  readonly key: AnonymizationKey;
  readonly toolVersion: string;
  /** Site crosswalk: original Patient ID → pseudonym. */
  readonly crosswalk?: ReadonlyMap<string, string>;
  /**
   * Where copies that must not be shared are kept on site for review: `quarantine/` (failed the residual
   * check) and `held/` (pixels may show identity). Default: the private audit folder; without reports
   * and without this folder they are deleted.
   */
  readonly reviewDir?: string;
  /** The residual-PHI check; on unless explicitly turned off. */
  readonly verify?: boolean;
  /** Worker threads; 0 processes in this thread (tests, tiny batches). Default: one per core. */
  readonly workers?: number;
  /** The bundled worker script, required when workers > 0. */
  readonly workerScript?: string;
  /**
   * Name outputs as a PS3.10 file-set (`DEID/P0001/S0001/SE0001/I0001`) and write a fresh DICOMDIR for
   * them. An input DICOMDIR is never copied.
   */
  readonly dicomdir?: boolean;
  /** Write the shareable report and the private audit/crosswalks (defaults: see reports/locations). */
  readonly reports?: { readonly reportDir?: string; readonly auditDir?: string };
  /** Where the resume state lives (PHI-free); default: in the report folder, else beside the output folder. */
  readonly stateDir?: string;
  /**
   * Replace the outputs another profile or key wrote into the output folder. Without it such a folder is
   * refused: its files would sit beside this run's, or some be silently replaced.
   */
  readonly overwrite?: boolean;
}

/** Progress as the app's window and the CLI's bar show it; the type is the IPC contract's. */
export type BatchProgress = RunProgress;

/** One input's fate. `outcome` carries the PHI-free report and the private mapping for the log writers. */
export interface BatchFileResult {
  /** The input's number in the audit: what the console and the copies kept for review are named by. */
  readonly inputNo: number;
  readonly input: string;
  readonly output: string | null;
  readonly status: 'written' | 'skipped' | 'failed' | 'held';
  readonly reason?: string;
  readonly outcome?: FileOutcome;
  /** Where the copy kept for review went (private). */
  readonly review?: string;
  /** Skipped because an earlier run wrote this output: what it recorded of it. */
  readonly alreadyWritten?: BatchFileRecord['alreadyWritten'];
}

export interface BatchSummary {
  readonly total: number;
  readonly written: number;
  readonly skipped: number;
  readonly failed: number;
  /** Not written: their pixels may show identity; kept on site for review. */
  readonly held: number;
  /** Written with pixels at risk because a profile rule or a person accepted them (the audit says which). */
  readonly accepted: number;
  readonly verificationFailed: number;
  /** Why files were held, each reason once, PHI-free. */
  readonly heldReasons: readonly string[];
  /** Skipped because an earlier run already wrote them (counted in `skipped` too). */
  readonly previouslyWritten: number;
  /** Why the run stopped before the end on its own (a full disk, say): plain words, exit status 1. */
  readonly stopped?: string;
  /** Inputs never reached because the batch was cancelled or stopped. */
  readonly notProcessed: number;
  readonly cancelled: boolean;
  readonly seconds: number;
  readonly bytes: number;
  readonly keyFingerprint: string;
  readonly profileEdition: string;
  /** Why the DICOMDIR could not be written, when it was asked for and could not be. */
  readonly dicomdirProblem?: string;
  /** Where the reports went, when they were asked for. */
  readonly reportDir?: string;
  readonly auditDir?: string;
}

export interface BatchHooks {
  onProgress?(p: BatchProgress): void;
  onFile?(r: BatchFileResult): void;
  readonly signal?: AbortSignal;
}

export { BatchSetupError };

/**
 * Runs a batch: walks the inputs, de-identifies every DICOM file (in worker threads), moves each checked
 * output into place atomically and reports every input as written, skipped or failed. Cancelling stops
 * promptly and leaves no partial file; a re-run with the same profile and key skips what is done.
 */
export async function runBatch(req: BatchRequest, hooks: BatchHooks = {}): Promise<BatchSummary> {
  const started = Date.now();
  const outDir = resolve(req.outDir);
  const site = openSite({
    inputs: req.inputs,
    outDir,
    profile: req.profile,
    key: req.key,
    toolVersion: req.toolVersion,
    startedAt: new Date(started).toISOString(),
    ...(req.reports ? { reports: req.reports } : {}),
    ...(req.stateDir ? { stateDir: req.stateDir } : {}),
    overwrite: req.overwrite === true,
  });
  let summary: BatchSummary;
  try {
    summary = await runOnSite(req, hooks, outDir, site, started);
  } catch (e) {
    site.close();
    throw e;
  }
  try {
    site.close();
  } catch (e) {
    // The files are in place and the audit holds their lines; the shareable report could not be finished.
    return { ...summary, stopped: summary.stopped ?? `the report could not be finished: ${errorText(e)}` };
  }
  return summary;
}

async function runOnSite(
  req: BatchRequest,
  hooks: BatchHooks,
  outDir: string,
  site: Site,
  started: number,
): Promise<BatchSummary> {
  const { tempDir, writer, resume } = site;
  // Copies that fail the residual check or are held hold PHI: by default they wait in the private audit folder.
  const reviewDir = req.reviewDir ?? writer?.locations.auditDir;
  const counts = { written: 0, skipped: 0, failed: 0, held: 0, accepted: 0, verificationFailed: 0 };
  let previouslyWritten = 0;
  const heldReasons = new Set<string>();
  let done = 0;
  let bytesDone = 0;
  // Output names taken so far, with the SHA-256 of what holds them and the input it came from.
  const claimed = new Map<string, { readonly sha: string; readonly inputNo?: number }>();
  // Cancelled by the caller, or stopped because a write failed: either way no further file starts.
  const halt = new AbortController();
  let stopped: string | undefined;
  const stop = (reason: string) => {
    stopped ??= reason;
    halt.abort();
  };
  const onCancel = () => halt.abort();
  hooks.signal?.addEventListener('abort', onCancel);
  if (hooks.signal?.aborted) halt.abort();
  const madeDirs = new Set<string>();
  // Replaying earlier runs' records through the allocator gives their files the numbers they already have.
  const allocator = req.dicomdir ? new FileIdAllocator() : undefined;
  const directory: DicomdirEntry[] = [];
  for (const entry of req.dicomdir ? resume.directoryEntries() : []) {
    allocator!.next(entry);
    if (existsSync(join(outDir, ...entry.fileId))) directory.push(entry);
  }

  // Without a report the batch numbers inputs itself, the same way.
  const nextInputNo = () => writer?.nextInputNo ?? done + 1;
  /** The private audit line first (on disk when this returns); its number is the one the audit gives. */
  const record = (r: BatchFileResult, bytes: number): BatchFileResult => {
    const inputNo = writer?.add(recordOf(r, bytes)) ?? r.inputNo;
    return inputNo === r.inputNo ? r : { ...r, inputNo };
  };
  const announce = (r: BatchFileResult, bytes: number) => {
    counts[r.status]++;
    if (r.outcome && r.outcome.verification === 'failed') counts.verificationFailed++;
    if (r.status === 'written' && r.outcome?.status === 'written' && r.outcome.pixels.status === 'accepted')
      counts.accepted++;
    if (r.outcome?.status === 'held') heldReasons.add(r.outcome.reason);
    if (r.alreadyWritten) previouslyWritten++;
    done++;
    bytesDone += bytes;
    hooks.onFile?.(r);
    progress();
  };
  const report = (r: BatchFileResult, bytes: number) => {
    try {
      announce(record(r, bytes), bytes);
    } catch (e) {
      stop(`a record could not be written: ${errorText(e)}`);
    }
  };

  const { skipped, pending, taken } = await planInputs(req.inputs, outDir, resume);
  for (const [name, sha] of taken) claimed.set(name, { sha });
  const total = skipped.length + pending.length;
  const bytesTotal = [...skipped, ...pending].reduce((n, t) => n + t.bytes, 0);

  function progress() {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    hooks.onProgress?.({
      done,
      total,
      bytesDone,
      bytesTotal,
      filesPerSecond: rate,
      etaSeconds: rate > 0 ? (total - done) / rate : null,
      ...counts,
    });
  }
  progress();
  for (const { bytes, ...r } of skipped)
    report({ ...r, output: r.output ?? null, inputNo: nextInputNo() }, bytes);

  const config: WorkerConfig = {
    tempDir,
    profile: req.profile,
    keySecret: req.key.secret,
    ...(req.crosswalk ? { crosswalk: [...req.crosswalk] } : {}),
    toolVersion: req.toolVersion,
    verify: req.verify ?? true,
    ...(req.dicomdir ? { dicomdir: true } : {}),
  };

  /**
   * Where a finished file goes, and the move that puts it there (for a written one). A second input
   * yielding the same instance is not written twice.
   */
  const finish = (task: Pending, outcome: FileOutcome): { result: BatchFileResult; place?: () => void } => {
    const inputNo = nextInputNo();
    if (outcome.status !== 'written') {
      const result = { inputNo, input: task.input, output: null, status: outcome.status, outcome };
      if (!outcome.review) return { result: { ...result, reason: outcome.reason } };
      try {
        const kind = outcome.status === 'held' ? 'held' : 'quarantine';
        const review = keepForReview(outcome.review, reviewDir, kind, inputNo);
        return { result: { ...result, reason: outcome.reason, ...(review ? { review } : {}) } };
      } catch (e) {
        unlinkQuietly(outcome.review);
        return {
          result: {
            ...result,
            status: 'failed',
            reason: `${outcome.reason}; the copy for review could not be kept: ${errorText(e)}`,
          },
        };
      }
    }
    // Inputs that share a SOP Instance UID: the same de-identified bytes are one output (a copy of the
    // same file); different bytes (another transfer syntax, a corrected re-send) are both kept, the later
    // under a name that carries its content hash, so neither is lost.
    let name = outcome.relativeOutput;
    const first = claimed.get(name);
    if (first && first.sha !== outcome.outputSha256)
      name = distinctOutputPath(outcome.relativeOutput, outcome.outputSha256);
    const holder = claimed.get(name);
    if (holder) {
      unlinkQuietly(outcome.tempPath);
      const earlier =
        holder.inputNo === undefined ? 'an output an earlier run wrote' : `input ${holder.inputNo}`;
      // Twelve hex digits alike with other bytes behind them: vanishingly rare, and never silently merged.
      const same = holder.sha === outcome.outputSha256;
      return {
        result: {
          inputNo,
          input: task.input,
          output: null,
          status: same ? 'skipped' : 'failed',
          reason: same
            ? `duplicate: the same instance with the same content as ${earlier}`
            : `the same instance as ${earlier} with other content, and no distinct name is left for it`,
          outcome,
        },
      };
    }
    claimed.set(name, { sha: outcome.outputSha256, inputNo });
    const fileId = allocator?.next(outcome.identity);
    const relativeOutput = fileId ? fileId.join('/') : name;
    const final = join(outDir, relativeOutput);
    const dir = dirname(final);
    try {
      if (!madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        madeDirs.add(dir);
      }
    } catch (e) {
      unlinkQuietly(outcome.tempPath);
      return {
        result: { inputNo, input: task.input, output: null, status: 'failed', reason: failureReason(e) },
      };
    }
    const entry: DicomdirEntry | undefined =
      fileId && outcome.directory
        ? {
            ...outcome.directory,
            fileId,
            patientId: outcome.identity.patientId,
            studyInstanceUID: outcome.identity.studyInstanceUID,
            seriesInstanceUID: outcome.identity.seriesInstanceUID,
            sopInstanceUID: outcome.identity.sopInstanceUID,
            transferSyntaxUID: outcome.report.transferSyntaxUID,
          }
        : undefined;
    return {
      result: { inputNo, input: task.input, output: final, status: 'written', outcome },
      place: () => {
        renameSync(outcome.tempPath, final);
        if (entry) directory.push(entry);
        resume.add(
          task.resumeKey,
          { out: relativeOutput, sha: outcome.outputSha256, verification: outcome.verification },
          entry,
        );
      },
    };
  };

  /**
   * One finished file: its audit line is on disk before its output appears, so no output ever exists
   * without the record linking it back, whenever the run is killed. Writes that fail here (a full disk
   * under the audit or the state) stop the run with the reason instead of going on without a record.
   */
  const commit = (task: Pending, outcome: FileOutcome) => {
    if (stopped !== undefined) {
      if (outcome.status === 'written') unlinkQuietly(outcome.tempPath);
      return;
    }
    try {
      const { result, place } = finish(task, outcome);
      const recorded = record(result, task.bytes);
      if (outcome.status !== 'written' && outcome.diskFull) {
        announce(recorded, task.bytes);
        return stop(outcome.reason);
      }
      if (!place) return announce(recorded, task.bytes);
      // Failing here means the output folder's disk fails: the audit line stands for an output a resumed
      // run writes again (the same bytes, so no second line), and the run stops rather than go on.
      place();
      announce(recorded, task.bytes);
    } catch (e) {
      if (outcome.status === 'written') unlinkQuietly(outcome.tempPath);
      stop(`a record could not be written: ${errorText(e)}`);
    }
  };

  const workers = req.workers ?? Math.max(1, availableParallelism());
  let dicomdirProblem: string | undefined;
  if (workers === 0 || pending.length === 0) {
    for (const [id, task] of pending.entries()) {
      if (halt.signal.aborted) break;
      commit(task, processFile({ id, input: task.osPath }, config));
    }
  } else {
    await runInWorkers(
      req.workerScript,
      config,
      pending,
      Math.min(workers, pending.length),
      halt.signal,
      commit,
    );
  }
  const cancelled = hooks.signal?.aborted === true && stopped === undefined;
  hooks.signal?.removeEventListener('abort', onCancel);
  if (req.dicomdir && !halt.signal.aborted && directory.length > 0) {
    try {
      writeDicomdir(outDir, tempDir, directory, req.toolVersion);
    } catch (e) {
      dicomdirProblem = errorText(e);
    }
  }
  return {
    total,
    ...counts,
    heldReasons: [...heldReasons],
    previouslyWritten,
    ...(stopped !== undefined ? { stopped } : {}),
    notProcessed: total - done,
    cancelled,
    seconds: (Date.now() - started) / 1000,
    bytes: bytesDone,
    keyFingerprint: keyFingerprint(req.key),
    profileEdition: PROFILE_EDITION,
    ...(writer ? writer.locations : {}),
    ...(dicomdirProblem ? { dicomdirProblem } : {}),
  };
}

/** The file-set's index, replaced atomically so a reader never sees half of it. */
function writeDicomdir(
  outDir: string,
  tempDir: string,
  entries: readonly DicomdirEntry[],
  toolVersion: string,
) {
  const temp = join(tempDir, 'DICOMDIR.part');
  writeFileSync(temp, buildDicomdir(entries, { toolVersion }));
  renameSync(temp, join(outDir, 'DICOMDIR'));
}

/** What the report writers need to know of one finished input. */
function recordOf(r: BatchFileResult, inputBytes: number): BatchFileRecord {
  const o = r.outcome;
  return {
    input: r.input,
    inputBytes,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    output: r.output,
    verification: o?.verification ?? 'not-run',
    ...(o?.pixels ? { pixels: o.pixels } : {}),
    ...(r.review ? { review: r.review } : {}),
    ...(r.alreadyWritten ? { alreadyWritten: r.alreadyWritten } : {}),
    finishedAt: new Date().toISOString(),
    ...(r.status === 'written' && o?.status === 'written'
      ? { inputSha256: o.inputSha256, outputSha256: o.outputSha256, report: o.report, mapping: o.mapping }
      : {}),
  };
}
