import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type AnonymizationKey, keyFingerprint } from '../../../shared/anonymize/key.js';
import { buildDicomdir, type DicomdirEntry } from '../../../shared/dicomdir/build.js';
import { FileIdAllocator } from '../../../shared/dicomdir/file-id.js';
import { errorText } from '../../../shared/errors.js';
import type { RunProgress } from '../../../shared/ipc/contract.js';
import type { Profile } from '../../../shared/profile/index.js';
import { PROFILE_EDITION } from '../../../shared/profile/index.js';
import { SKIP_REASONS, walkInputs } from '../inputs.js';
import type { BatchFileRecord } from '../reports/types.js';
import {
  type FileOutcome,
  type FileTask,
  failureReason,
  processFile,
  sha256OfFile,
  unlinkQuietly,
  type WorkerConfig,
} from './process-file.js';
import { keepForReview } from './review.js';
import { type Shard, ShardSelector } from './shard.js';
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
  /** Process only this shard of the inputs (the others are left to other runs, on this or other machines). */
  readonly shard?: Shard;
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

interface Pending {
  readonly input: string;
  readonly bytes: number;
  readonly resumeKey: string;
}

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
  const claimed = new Set<string>();
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

  const pending: Pending[] = [];
  let bytesTotal = 0;
  const early: Array<[Omit<BatchFileResult, 'inputNo'>, number]> = [];
  const shard = req.shard ? new ShardSelector(req.shard, req.key, req.inputs) : undefined;
  for await (const entry of walkInputs(req.inputs)) {
    if (shard && !shard.includes(entry.path)) continue;
    if (entry.kind === 'skipped') {
      early.push([
        { input: entry.path, output: null, status: 'skipped', reason: SKIP_REASONS[entry.reason] },
        0,
      ]);
      continue;
    }
    let size = 0;
    let mtime = 0;
    try {
      const st = statSync(entry.path);
      size = st.size;
      mtime = st.mtimeMs;
    } catch {
      // Gone since the walk: processFile reports it.
    }
    const resumeKey = resume.keyFor(resolve(entry.path), size, mtime);
    const previous = resume.outputFor(resumeKey);
    // Trust what the output holds, not that it exists: a file changed since is written again.
    if (previous && sha256OfFile(join(outDir, previous.out)) === previous.sha) {
      claimed.add(previous.out);
      early.push([
        {
          input: entry.path,
          output: join(outDir, previous.out),
          status: 'skipped',
          reason: 'already written by an earlier run with the same profile and key',
          alreadyWritten: { sha: previous.sha, verification: previous.verification },
        },
        size,
      ]);
      continue;
    }
    pending.push({ input: entry.path, bytes: size, resumeKey });
    bytesTotal += size;
  }
  const total = early.length + pending.length;
  bytesTotal += early.reduce((n, [, b]) => n + b, 0);

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
  for (const [r, b] of early) report({ ...r, inputNo: nextInputNo() }, b);

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
    if (claimed.has(outcome.relativeOutput)) {
      unlinkQuietly(outcome.tempPath);
      return {
        result: {
          inputNo,
          input: task.input,
          output: null,
          status: 'skipped',
          reason: 'duplicate: the same instance was already written from another input',
          outcome,
        },
      };
    }
    claimed.add(outcome.relativeOutput);
    const fileId = allocator?.next(outcome.identity);
    const relativeOutput = fileId ? fileId.join('/') : outcome.relativeOutput;
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
      commit(task, processFile({ id, input: task.input }, config));
    }
  } else {
    await runInWorkers(req, config, pending, Math.min(workers, pending.length), halt.signal, commit);
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

// A worker's heap cap: a hostile file that makes the engine balloon kills its worker, not the batch.
const WORKER_HEAP_MB = 1024;
// Two tasks per worker in flight, so a worker never waits for the main thread to hand it the next file.
const PER_WORKER = 2;

/**
 * Feeds tasks to a pool of worker threads; resolves true when cancelled. A worker that dies (out of
 * memory, a crash) fails the files it held with a reason and is replaced; the batch goes on.
 */
function runInWorkers(
  req: BatchRequest,
  config: WorkerConfig,
  pending: readonly Pending[],
  size: number,
  signal: AbortSignal | undefined,
  onOutcome: (task: Pending, outcome: FileOutcome) => void,
): Promise<boolean> {
  if (!req.workerScript) throw new BatchSetupError('no worker script given for a threaded batch');
  const script = req.workerScript;
  return new Promise((resolvePool) => {
    let next = 0;
    let settled = false;
    // Replacements are bounded: a worker that cannot even start must not be restarted forever.
    let respawns = 4 * size;
    const inFlight = new Map<Worker, Set<number>>();
    const active = () => [...inFlight.values()].reduce((n, ids) => n + ids.size, 0);
    const settle = (cancelled: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // Terminating mid-write is safe: partial files live only in the temporary folder, removed next.
      void Promise.all([...inFlight.keys()].map((w) => w.terminate())).then(() => resolvePool(cancelled));
    };
    const finishIfDone = () => {
      if (active() === 0 && (signal?.aborted || next >= pending.length)) settle(signal?.aborted ?? false);
    };
    const feed = (w: Worker) => {
      if (signal?.aborted || next >= pending.length) return finishIfDone();
      const id = next++;
      inFlight.get(w)!.add(id);
      const task: FileTask = { id, input: pending[id]!.input };
      w.postMessage(task);
    };
    const lost = (w: Worker) => {
      const ids = inFlight.get(w);
      if (!ids || settled) return;
      inFlight.delete(w);
      for (const id of ids) {
        onOutcome(pending[id]!, {
          id,
          status: 'failed',
          reason:
            'processing stopped unexpectedly (the worker handling this file ran out of memory or crashed)',
          inputBytes: pending[id]!.bytes,
          verification: 'not-run',
        });
      }
      if (respawns-- > 0) start();
      else if (inFlight.size === 0) {
        // No thread left to do the work: what remains fails, with the reason, rather than waiting forever.
        for (; next < pending.length; next++) {
          onOutcome(pending[next]!, {
            id: next,
            status: 'failed',
            reason: 'not processed: no worker thread could be kept running',
            inputBytes: pending[next]!.bytes,
            verification: 'not-run',
          });
        }
      }
      finishIfDone();
    };
    const start = () => {
      const w = new Worker(script, {
        workerData: config,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      });
      inFlight.set(w, new Set());
      w.on('message', (o: FileOutcome) => {
        inFlight.get(w)?.delete(o.id);
        if (settled) return;
        onOutcome(pending[o.id]!, o);
        feed(w);
      });
      w.on('error', () => lost(w));
      w.on('exit', () => lost(w));
      for (let k = 0; k < PER_WORKER; k++) feed(w);
    };
    const onAbort = () => settle(true);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) settle(true);
    else for (let i = 0; i < size; i++) start();
  });
}
