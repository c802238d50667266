import { createHash } from 'node:crypto';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AnonymizationKey } from '../shared/anonymize/key.js';
import { errorText, ReportableError } from '../shared/errors.js';
import type { Emit, ReportFormat, RunProgress, RunSummary } from '../shared/ipc/contract.js';
import type { Profile } from '../shared/profile/index.js';
import type { Library, LibraryFile } from './app-library.js';
import { type BatchFileResult, type BatchSummary, runBatch } from './batch/run-batch.js';
import { pathUnderInputs } from './inputs.js';
import type { RunStart } from './project/run-recorder.js';
import { isWithin } from './reports/locations.js';
import { makePrivateDir, openPrivateFile } from './reports/private-files.js';
import { AUDIT_CSV, PATIENT_ID_CROSSWALK, REPORT_CSV, REPORT_JSON, UID_CROSSWALK } from './reports/writer.js';

export interface RunnerDeps {
  readonly library: Library;
  /** Where each run keeps its private records (quarantine, audit) in the app's own folder. */
  readonly runsDir: string;
  readonly toolVersion: string;
  readonly profile: () => Profile;
  readonly key: () => AnonymizationKey;
  /** The bundled batch worker; without it the batch runs in this thread. */
  readonly workerScript?: string;
  /** The open project's record of this run (its history and crosswalk), or null when none is open. */
  readonly recordInProject?: (run: RunStart) => ProjectRecording | null;
}

/** What a run tells its project: each file as it is done, and the end (no summary: the run stopped). */
export interface ProjectRecording {
  onFile(result: BatchFileResult): void;
  finish(summary?: BatchSummary, reportDir?: string): unknown;
}

export interface RunRecord {
  readonly outDir: string;
  /** This run's shareable report and private audit, in the app's own folder. */
  readonly reportDir: string;
  readonly auditDir: string;
  readonly startedAt: string;
  readonly results: BatchFileResult[];
}

/** Progress goes to the window at most this often: a fast batch finishes thousands of files a second. */
const PROGRESS_MS = 100;

/**
 * The files a run takes: those checked in the list (`ids`), or every file when no subset was chosen. The
 * unreadable ones go too: the run then accounts for each, a damaged file failing with its reason and a
 * non-DICOM one skipped, and nothing checked is silently left out.
 */
export function filesToRun(library: Library, ids: readonly number[] | undefined): LibraryFile[] {
  if (ids === undefined) return library.all();
  const chosen = new Set(ids);
  return library.all().filter((file) => chosen.has(file.id));
}

/** Copies a private file into a private file: the audit stays owner-only wherever it is exported to. */
function copyPrivate(from: string, to: string) {
  const fd = openPrivateFile(to, true);
  try {
    const bytes = readFileSync(from);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } finally {
    closeSync(fd);
  }
}

function summarize(
  summary: BatchSummary,
  record: RunRecord,
  verify: boolean,
  inputFolders: readonly string[],
): RunSummary {
  const problems = record.results
    .filter((result) => result.status !== 'written')
    .map((result) => ({
      // Relative to the folder it was added from: two files of the same name in two series stay apart.
      name: pathUnderInputs(result.input, inputFolders) ?? basename(result.input),
      status: result.status as Exclude<BatchFileResult['status'], 'written'>,
      reason: result.reason ?? '',
    }));
  return {
    outcome: summary.stopped ? 'error' : summary.cancelled ? 'cancelled' : 'finished',
    written: summary.written,
    skipped: summary.skipped,
    failed: summary.failed,
    held: summary.held,
    accepted: summary.accepted,
    heldReasons: summary.heldReasons,
    total: summary.total,
    seconds: summary.seconds,
    verification: verify
      ? // The output folder as a whole: files earlier runs wrote (and checked) count, so a resumed run
        // never reports "all 0 written files".
        {
          checked: summary.written + summary.previouslyWritten + summary.verificationFailed,
          clean: summary.written + summary.previouslyWritten,
        }
      : null,
    problems,
    outputFolder: record.outDir,
    reportFolder: record.reportDir,
    ...(summary.stopped
      ? {
          message: `The run stopped before the end: ${summary.stopped}. ${summary.notProcessed} of ${summary.total} files were not processed; fix the cause and start again to finish them.${summary.reportProblem ? ' The shareable report could not be published; the next run completes it.' : ''}`,
        }
      : summary.cancelled && summary.notProcessed > 0
        ? {
            message: `Cancelled: ${summary.notProcessed} of ${summary.total} files were not processed. Start again to finish them; files already written are skipped.`,
          }
        : {}),
  };
}

/** Where the app keeps what earlier runs wrote into `outDir`, in its own folder, keyed by the folder's path. */
export const resumeStateDir = (runsDir: string, outDir: string): string =>
  join(runsDir, 'resume', createHash('sha256').update(resolve(outDir)).digest('hex'));

/** One batch at a time over the files in the list, its progress and outcome pushed to the window. */
export function createRunner(deps: RunnerDeps) {
  let controller: AbortController | undefined;
  let last: RunRecord | undefined;

  const start = (
    request: { outDir: string; verify: boolean; ids?: readonly number[] | undefined },
    emit: Emit,
  ): { refused?: string } => {
    if (controller) return { refused: 'A run is already going.' };
    const inputs = filesToRun(deps.library, request.ids).map((file) => file.path);
    if (inputs.length === 0) {
      return {
        refused:
          request.ids === undefined
            ? 'There are no files in the list to de-identify.'
            : 'No file is checked in the list: check the files to de-identify.',
      };
    }
    const profile = deps.profile();
    const key = deps.key();
    const startedAt = new Date().toISOString();
    const runDir = join(deps.runsDir, startedAt.replace(/[:.]/g, '-'));
    makePrivateDir(runDir);
    const record: RunRecord = {
      outDir: request.outDir,
      // Beside the output folder, as the command line keeps it: the shareable report travels with the data.
      reportDir: `${request.outDir}.report`,
      auditDir: join(runDir, 'audit'),
      startedAt,
      results: [],
    };
    // Before the batch, as the command line does: a crash mid-run leaves the run marked unfinished.
    let project = deps.recordInProject?.({
      startedAt,
      profile: profile.name,
      options: [...profile.options],
      inputs: deps.library.folders(),
      outDir: request.outDir,
      auditDir: record.auditDir,
    });
    // Once only: a failure while finishing lands in the catch below, which must not finish it again.
    const finishProject = (summary?: BatchSummary) => {
      const recording = project;
      project = null;
      recording?.finish(summary, record.reportDir);
    };
    const abort = new AbortController();
    controller = abort;

    let lastSent = 0;
    const sendProgress = (walked: RunProgress) => {
      // The window names every file it runs: the total is known before the batch's walk has met them all.
      const { counting: _, ...progress } = { ...walked, total: Math.max(walked.total, inputs.length) };
      const now = Date.now();
      if (now - lastSent < PROGRESS_MS && progress.done < progress.total) return;
      lastSent = now;
      emit('batch:progress', progress);
    };
    // The first event tells the window the run has begun, before any file is done.
    emit('batch:progress', {
      done: 0,
      total: inputs.length,
      bytesDone: 0,
      bytesTotal: 0,
      filesPerSecond: 0,
      etaSeconds: null,
      written: 0,
      skipped: 0,
      failed: 0,
      held: 0,
    });

    const started = Date.now();
    void runBatch(
      {
        inputs,
        outDir: request.outDir,
        profile,
        key,
        toolVersion: deps.toolVersion,
        verify: request.verify,
        reports: { reportDir: record.reportDir, auditDir: record.auditDir },
        // What was written into an output folder outlives the runs; the app keeps its record of that.
        stateDir: resumeStateDir(deps.runsDir, request.outDir),
        ...(deps.workerScript ? { workerScript: deps.workerScript } : { workers: 0 }),
      },
      {
        signal: abort.signal,
        onProgress: sendProgress,
        onFile(result) {
          record.results.push(result);
          deps.library.setOutcome(result.input, result.status, result.reason, emit);
          project?.onFile(result);
        },
      },
    )
      .then((summary) => {
        finishProject(summary);
        last = record;
        emit('batch:done', summarize(summary, record, request.verify, deps.library.folders()));
      })
      .catch((error: unknown) => {
        finishProject();
        emit('batch:done', {
          outcome: 'error',
          written: 0,
          skipped: 0,
          failed: 0,
          held: 0,
          accepted: 0,
          heldReasons: [],
          total: inputs.length,
          seconds: (Date.now() - started) / 1000,
          verification: null,
          problems: [],
          outputFolder: request.outDir,
          reportFolder: record.reportDir,
          message: errorText(error),
        });
      })
      .finally(() => {
        controller = undefined;
      });
    return {};
  };

  return {
    get running() {
      return controller !== undefined;
    },
    start,
    cancel: () => controller?.abort(),
    last: () => last,

    /** The last run's shareable report (no PHI) in the given format. */
    reportFile(format: ReportFormat): string {
      if (!last) throw new ReportableError('there is no finished run to report on yet');
      return join(last.reportDir, format === 'csv' ? REPORT_CSV : REPORT_JSON);
    },

    /**
     * Copies the last run's private audit and crosswalks into a new folder under `folder`, owner-only.
     * They link new identities to the originals, so the output folder (what gets shared) is refused.
     */
    exportAudit(folder: string): string {
      if (!last) throw new ReportableError('there is no finished run to export yet');
      if (isWithin(folder, last.outDir)) {
        throw new ReportableError(
          'The audit and crosswalk link the new identities to the patients: they cannot go inside the output folder, which is what gets shared. Choose a folder that stays on site.',
        );
      }
      const target = join(folder, `dicom-deid-audit-${last.startedAt.replace(/[:.]/g, '-')}`);
      makePrivateDir(target);
      for (const name of [AUDIT_CSV, UID_CROSSWALK, PATIENT_ID_CROSSWALK]) {
        copyPrivate(join(last.auditDir, name), join(target, name));
      }
      return target;
    },
  };
}
