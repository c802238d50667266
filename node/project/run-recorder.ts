import type { WrittenFile } from '../batch/process-file.js';
import type { BatchFileResult, BatchSummary } from '../batch/run-batch.js';
import type { CrosswalkStore, Mapping } from './crosswalk-store.js';
import { type Project, type ProjectRun, recordRun, rememberLast } from './project.js';
import { interruptedRunMappings } from './recover-run.js';

/**
 * A written file's identifiers for the project crosswalk: its patient, and each remapped UID, named
 * study, series or instance when it is the file's own (the output identity says which new UID is which).
 */
export function mappingsOf(file: Pick<WrittenFile, 'mapping' | 'identity'>): Mapping[] {
  const { mapping, identity } = file;
  const rows: Mapping[] = [];
  const [patientId, pseudonym] = mapping.patientId;
  if (patientId && pseudonym && patientId !== pseudonym)
    rows.push({ kind: 'patient', original: patientId, pseudonym });
  for (const [original, remapped] of mapping.uids) {
    if (!original || original === remapped) continue;
    const kind =
      remapped === identity.studyInstanceUID
        ? 'study'
        : remapped === identity.seriesInstanceUID
          ? 'series'
          : remapped === identity.sopInstanceUID
            ? 'instance'
            : 'uid';
    rows.push({ kind, original, pseudonym: remapped });
  }
  return rows;
}

// A transaction costs a few fsyncs: grouping files keeps the crosswalk from slowing the batch, and bounds
// what a crash can leave unrecorded to one second or this many rows.
const FLUSH_ROWS = 2000;
const FLUSH_MS = 1000;

/** A run as it starts: what the history records before anything is written. */
export type RunStart = Omit<
  ProjectRun,
  'finishedAt' | 'interrupted' | 'written' | 'skipped' | 'failed' | 'cancelled'
>;

/**
 * Feeds a run's written files into the project crosswalk as they come, and keeps the run in the project's
 * history from its start (so a crash is noticed: the next run finds it unfinished and recovers what its
 * audit holds) to its end.
 */
export class ProjectRunRecorder {
  private pending: Mapping[] = [];
  private lastFlush = Date.now();
  private project: Project;

  constructor(
    project: Project,
    private readonly store: CrosswalkStore,
    private readonly run: RunStart,
    private readonly home?: string,
  ) {
    for (const earlier of project.runs) {
      if (earlier.finishedAt !== undefined) continue;
      if (earlier.auditDir) store.add(interruptedRunMappings(earlier.auditDir));
      project = recordRun(project, { ...earlier, interrupted: true, finishedAt: new Date().toISOString() });
    }
    this.project = recordRun(project, { ...run, written: 0, skipped: 0, failed: 0, cancelled: false });
  }

  onFile(r: BatchFileResult): void {
    if (r.status !== 'written' || r.outcome?.status !== 'written') return;
    for (const m of mappingsOf(r.outcome)) this.pending.push(m);
    if (this.pending.length >= FLUSH_ROWS || Date.now() - this.lastFlush >= FLUSH_MS) this.flush();
  }

  private flush(): void {
    this.lastFlush = Date.now();
    if (this.pending.length === 0) return;
    this.store.add(this.pending);
    this.pending = [];
  }

  /**
   * Stores what is pending, closes the crosswalk and completes the run in the history. Without a summary
   * (the run stopped on an error) it counts as cancelled.
   */
  finish(summary?: BatchSummary, reportDir?: string): Project {
    try {
      this.flush();
    } finally {
      this.store.close();
    }
    this.project = recordRun(this.project, {
      ...this.run,
      finishedAt: new Date().toISOString(),
      ...(reportDir ? { reportDir } : {}),
      written: summary?.written ?? 0,
      skipped: summary?.skipped ?? 0,
      failed: summary?.failed ?? 0,
      cancelled: summary?.cancelled ?? true,
    });
    rememberLast(this.project.folder, this.home);
    return this.project;
  }
}
