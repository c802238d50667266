import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type AnonymizationKey, keyFingerprint } from '../../shared/anonymize/key.js';
import { errorText } from '../../shared/errors.js';
import type { RunProgress } from '../../shared/ipc/contract.js';
import type { Profile } from '../../shared/profile/index.js';
import { PROFILE_EDITION } from '../../shared/profile/index.js';
import { type BatchFileResult, CommitStage } from './commit.js';
import { InOrder } from './in-order.js';
import { PixelTools } from './pixel-pass.js';
import { type PassedOver, type Pending, planInputs } from './plan.js';
import { runInThisThread, runInWorkers, type TaskSource } from './pool.js';
import { type FileOutcome, processFileTimed, unlinkQuietly, type WorkerConfig } from './process-file.js';
import { type Shard, ShardSelector } from './shard.js';
import { BatchSetupError, openSite, type Site } from './site.js';
import { addTimes, type StageTimes } from './stage-clock.js';
import { Wakeup } from './wakeup.js';

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
  /** Time each stage and report it in the summary (`--profile-stages`). */
  readonly profileStages?: boolean;
  /** Process only this shard of the inputs (the others are left to other runs, on this or other machines). */
  readonly shard?: Shard;
}

/** Progress as the app's window and the CLI's bar show it; the type is the IPC contract's. */
export type BatchProgress = RunProgress;

export type { BatchFileResult };

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
  /**
   * Milliseconds per stage, summed over files, when asked for: the workers' stages (read, parse,
   * de-identify, write, hash input, verify) run in parallel threads; walk and commit in the main thread.
   */
  readonly stages?: StageTimes;
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
  // Found by the walk so far (this shard's inputs); final when the walk ends.
  let total = 0;
  let bytesTotal = 0;
  let walking = true;
  // Cancelled by the caller, or stopped because a write failed: either way no further file starts.
  const halt = new AbortController();
  let stopped: string | undefined;
  const stop = (reason: string) => {
    stopped ??= reason;
    halt.abort();
  };
  const committer = new CommitStage({
    outDir,
    tempDir,
    resume,
    ...(writer ? { writer } : {}),
    ...(reviewDir ? { reviewDir } : {}),
    dicomdir: req.dicomdir === true,
  });

  function progress() {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    hooks.onProgress?.({
      done,
      total,
      bytesDone,
      bytesTotal,
      filesPerSecond: rate,
      // Unknown while the walk still finds inputs: the total is only what it found so far.
      etaSeconds: rate > 0 && !walking ? (total - done) / rate : null,
      ...(walking ? { counting: true } : {}),
      ...counts,
    });
  }
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

  const stages: StageTimes | undefined = req.profileStages ? {} : undefined;
  const timed = (stage: string, began: number) => {
    if (stages) stages[stage] = (stages[stage] ?? 0) + (performance.now() - began);
  };

  // The stages, joined by bounded queues: the walk hands work to the pool through `queue`, the pool's
  // outcomes wait in `finished` until every input before them is in, the commit takes them in input order.
  // The walk pauses while WINDOW inputs are between it and the commit, so memory does not grow with the
  // number of inputs.
  const queue: Queued[] = [];
  const finished = new InOrder<Finished>();
  const walkMayGo = new Wakeup();
  const commitMayGo = new Wakeup();
  let wakePool = () => {};
  const workers = req.workers ?? Math.max(1, availableParallelism());
  // In this thread, one file at a time: the next starts once the last is committed, so a cancel stops
  // the batch right after the file it came with.
  let handedOut = 0;
  const source: TaskSource<Queued> = {
    take: () => {
      if (workers === 0 && finished.taken < handedOut) return undefined;
      const task = queue.shift();
      if (task) handedOut = task.id + 1;
      return task;
    },
    get waiting() {
      return queue.length;
    },
    get ended() {
      return halt.signal.aborted || (!walking && queue.length === 0);
    },
    onReady(wake) {
      wakePool = wake;
    },
  };
  const onHalt = () => {
    walkMayGo.wake();
    commitMayGo.wake();
    wakePool();
  };
  halt.signal.addEventListener('abort', onHalt);
  const onCancel = () => halt.abort();
  const haltOn = (e: unknown): never => {
    halt.abort();
    throw e;
  };
  hooks.signal?.addEventListener('abort', onCancel);
  if (hooks.signal?.aborted) halt.abort();

  const shard = req.shard ? new ShardSelector(req.shard, req.key, req.inputs) : undefined;
  const walk = async () => {
    let began = performance.now();
    try {
      for await (const item of planInputs(req.inputs, outDir, resume, shard)) {
        if (halt.signal.aborted) break;
        const seq = total++;
        bytesTotal += item.bytes;
        if ('status' in item) {
          finished.put(seq, { passed: item });
          commitMayGo.wake();
        } else {
          queue.push({ ...item, id: seq });
          wakePool();
        }
        timed('walk', began);
        while (total - finished.taken >= WINDOW && !halt.signal.aborted) await walkMayGo.wait();
        began = performance.now();
      }
      timed('walk', began);
    } catch (e) {
      stop(`the inputs could not be listed: ${errorText(e)}`);
    } finally {
      walking = false;
      wakePool();
      commitMayGo.wake();
      progress();
    }
  };

  /**
   * Commits finished inputs in input order, in groups: whatever is ready when the previous group's
   * records reached the disk. Writes that fail here (a full disk under the audit or the state, the output
   * folder's disk) stop the run with the reason instead of going on without a record.
   */
  const commitInOrder = async () => {
    while (!halt.signal.aborted && (walking || finished.taken < total)) {
      const ready = finished.takeReady();
      if (ready.length === 0) {
        await commitMayGo.wait();
        continue;
      }
      const began = performance.now();
      try {
        for (const item of ready) {
          if (stopped !== undefined) {
            if ('outcome' in item && item.outcome.status === 'written') unlinkQuietly(item.outcome.tempPath);
            continue;
          }
          if ('passed' in item) {
            const { bytes, taken, ...r } = item.passed;
            committer.pass({ ...r, output: r.output ?? null }, bytes, taken);
            continue;
          }
          const { task, outcome } = item;
          if (!committer.add(task, outcome)) {
            await committer.commit(announce);
            committer.add(task, outcome);
          }
          if (outcome.status !== 'written' && outcome.diskFull) {
            await committer.commit(announce);
            stop(outcome.reason);
          }
        }
        await committer.commit(announce);
      } catch (e) {
        committer.discard();
        stop(`a record could not be written: ${errorText(e)}`);
      }
      timed('commit', began);
      walkMayGo.wake();
      wakePool();
    }
  };

  const config: WorkerConfig = {
    tempDir,
    profile: req.profile,
    keySecret: req.key.secret,
    ...(req.crosswalk ? { crosswalk: [...req.crosswalk] } : {}),
    toolVersion: req.toolVersion,
    verify: req.verify ?? true,
    ...(req.dicomdir ? { dicomdir: true } : {}),
    ...(stages ? { profileStages: true } : {}),
  };
  const onOutcome = (task: Queued, outcome: FileOutcome) => {
    if (stages && outcome.stages) addTimes(stages, outcome.stages);
    finished.put(task.id, { task, outcome });
    commitMayGo.wake();
  };
  const process = async () => {
    if (workers > 0) {
      await runInWorkers(req.workerScript, config, source, workers, halt.signal, onOutcome);
      return;
    }
    const tools = new PixelTools();
    try {
      await runInThisThread(
        source,
        halt.signal,
        (task) => processFileTimed({ id: task.id, input: task.osPath }, config, tools),
        onOutcome,
      );
    } finally {
      await tools.close();
    }
  };
  // A stage that throws (no worker script, say) halts the others before the error goes up.
  const settled = await Promise.allSettled(
    [walk(), process(), commitInOrder()].map((stage) => stage.catch(haltOn)),
  );
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  if (stages?.commit !== undefined) {
    stages.commit -= committer.syncWait;
    stages['sync wait'] = committer.syncWait;
  }
  halt.signal.removeEventListener('abort', onHalt);
  const cancelled = hooks.signal?.aborted === true && stopped === undefined;
  hooks.signal?.removeEventListener('abort', onCancel);
  let dicomdirProblem: string | undefined;
  if (req.dicomdir && !halt.signal.aborted) {
    try {
      committer.writeDicomdir(req.toolVersion);
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
    ...(stages ? { stages } : {}),
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

// How many inputs may be between the walk and the commit: the queue for the workers, the files in flight
// and those finished out of order waiting for the ones before them. Enough to keep the workers busy
// behind a slow file; small enough that what they hold (a few kB each) stays bounded.
const WINDOW = 256;

/** An input on its way to the pool: `id` is its place among this run's inputs, from 0. */
type Queued = Pending & { readonly id: number };

/** What waits for the commit: an input passed over by the walk, or one the pool finished. */
type Finished = { readonly passed: PassedOver } | { readonly task: Queued; readonly outcome: FileOutcome };
