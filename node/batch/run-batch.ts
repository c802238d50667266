import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type AnonymizationKey, keyFingerprint } from '../../shared/anonymize/key.js';
import { errorText } from '../../shared/errors.js';
import type { RunProgress } from '../../shared/ipc/contract.js';
import type { Profile } from '../../shared/profile/profile.js';
import { PROFILE_EDITION } from '../../shared/profile/table.js';
import { nativeKey } from '../native-key.js';
import { type BatchFileResult, CommitStage } from './commit.js';
import { CommitInOrder } from './commit-in-order.js';
import { dispatch } from './dispatch.js';
import { Feed, type Queued } from './feed.js';
import { RunHalt } from './halt.js';
import { planInputs } from './plan.js';
import type { FileOutcome, WorkerConfig } from './process-file.js';
import { RunTally } from './progress.js';
import { type Shard, ShardSelector } from './shard.js';
import { BatchSetupError, openSite, type Site } from './site.js';
import { addTimes, type StageTimes, stageTimer } from './stage-clock.js';

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
  /**
   * Why the shareable report could not be published (a full disk): what was written of it stays in its
   * folder, and the next run into the same folders carries it over.
   */
  readonly reportProblem?: string;
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
export async function runBatch(given: BatchRequest, hooks: BatchHooks = {}): Promise<BatchSummary> {
  const started = Date.now();
  // The main thread's digests (each input's resume key, the shard choice) with OpenSSL's HMAC: the
  // engine's plain-JavaScript one cost ~25 µs an input here, a tenth of the main thread's work per file.
  const req = given.key.hmacSha256 ? given : { ...given, key: nativeKey(given.key.secret) };
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
    const reportProblem = errorText(e);
    return {
      ...summary,
      stopped: summary.stopped ?? `the report could not be finished: ${reportProblem}`,
      reportProblem,
    };
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
  const workers = req.workers ?? Math.max(1, availableParallelism());
  const stages: StageTimes | undefined = req.profileStages ? {} : undefined;
  const timed = stageTimer(stages);
  const tally = new RunTally(started, hooks);
  const halt = new RunHalt();
  const committer = new CommitStage({
    outDir,
    tempDir,
    resume,
    ...(writer ? { writer } : {}),
    ...(reviewDir ? { reviewDir } : {}),
    dicomdir: req.dicomdir === true,
  });

  // The stages, and what this thread routes between them: the walk feeds the pool, the pool's outcomes
  // go to the commit in input order, and each committed group makes room for the walk and the pool.
  const collect: CommitInOrder = new CommitInOrder(committer, tally, halt, workers === 0, () => feed.wake());
  const feed = new Feed(
    tally,
    halt,
    { passedOver: (seq, passed) => collect.put(seq, { passed }) },
    workers === 0 ? () => collect.taken : undefined,
  );
  const onHalt = () => {
    feed.wake();
    collect.wake();
  };
  halt.signal.addEventListener('abort', onHalt);
  const onCancel = () => halt.cancel();
  hooks.signal?.addEventListener('abort', onCancel);
  if (hooks.signal?.aborted) halt.cancel();

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
    collect.put(task.id, { task, outcome });
  };
  const shard = req.shard ? new ShardSelector(req.shard, req.key, req.inputs) : undefined;
  const haltOn = (e: unknown): never => {
    halt.cancel();
    throw e;
  };
  // A stage that throws (no worker script, say) halts the others before the error goes up.
  const settled = await Promise.allSettled(
    [
      feed.walk(planInputs(req.inputs, outDir, resume, shard), timed).finally(() => collect.wake()),
      dispatch(config, feed, workers, req.workerScript, halt.signal, onOutcome),
      collect.run(timed),
    ].map((stage) => stage.catch(haltOn)),
  );
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  if (stages?.commit !== undefined) {
    stages.commit -= committer.syncWait;
    stages['sync wait'] = committer.syncWait;
  }
  halt.signal.removeEventListener('abort', onHalt);
  const stopped = halt.stopped;
  const cancelled = hooks.signal?.aborted === true && stopped === undefined;
  hooks.signal?.removeEventListener('abort', onCancel);
  let dicomdirProblem: string | undefined;
  if (req.dicomdir && !halt.halted) {
    try {
      committer.writeDicomdir(req.toolVersion);
    } catch (e) {
      dicomdirProblem = errorText(e);
    }
  }
  return {
    total: tally.total,
    ...tally.counts,
    heldReasons: [...tally.heldReasons],
    previouslyWritten: tally.previouslyWritten,
    ...(stopped !== undefined ? { stopped } : {}),
    ...(stages ? { stages } : {}),
    notProcessed: tally.total - tally.done,
    cancelled,
    seconds: (Date.now() - started) / 1000,
    bytes: tally.bytesDone,
    keyFingerprint: keyFingerprint(req.key),
    profileEdition: PROFILE_EDITION,
    ...(writer ? writer.locations : {}),
    ...(dicomdirProblem ? { dicomdirProblem } : {}),
  };
}
