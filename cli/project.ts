import { join, resolve } from 'node:path';
import type { BatchFileResult, BatchSummary } from '../electron/services/batch/run-batch.js';
import {
  createProject,
  type Project,
  ProjectError,
  projectFolder,
  projectPaths,
  readProject,
  updateSettings,
} from '../electron/services/project/project.js';
import { ProjectRunRecorder } from '../electron/services/project/run-recorder.js';
import {
  CrosswalkDatabaseError,
  openSqliteCrosswalk,
} from '../electron/services/project/sqlite-crosswalk.js';
import { UsageError } from './command.js';

/** What `anonymize` was given on its command line, before the project fills in the rest. */
export interface GivenRun {
  readonly inputs: readonly string[];
  readonly out?: string;
  readonly profile?: string;
  readonly options: readonly string[];
  readonly keyFile?: string;
  readonly audit?: string;
}

/** The run as the project completes it, and the hooks that record it. */
export interface ProjectRun {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly profile: string;
  readonly options: readonly string[];
  readonly keyFile: string;
  readonly audit: string;
  /** One line for the terminal: which project, and whether it was just created. */
  readonly note: string;
  /** Opens the project's crosswalk database (refused while another run holds it). */
  begin(): void;
  onFile(r: BatchFileResult): void;
  /**
   * Records the run in the project's history, once: a later call does nothing. Without a summary (the run
   * stopped on an error) it counts as cancelled. Does nothing when begin() was never called.
   */
  finish(summary?: BatchSummary): void;
}

const asUsage = <T>(f: () => T): T => {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProjectError || e instanceof CrosswalkDatabaseError) throw new UsageError(e.message);
    throw e;
  }
};

function openOrCreate(ref: string, given: GivenRun, home?: string): { project: Project; created: boolean } {
  const folder = projectFolder(ref, home);
  const existing = readProject(folder);
  if (!existing) {
    if (given.inputs.length === 0 || !given.out) {
      throw new UsageError(
        `there is no project "${ref}" yet; to create it, give its inputs and --out (and, if you like, --profile)`,
      );
    }
    const name =
      ref
        .replace(/[\\/]+$/, '')
        .split(/[\\/]/)
        .pop() || 'project';
    const project = createProject(folder, name, {
      profile: given.profile ?? 'basic',
      options: [...given.options],
      keyFile: given.keyFile ? resolve(given.keyFile) : projectPaths(folder).key,
      inputs: given.inputs.map((p) => resolve(p)),
      outDir: resolve(given.out),
    });
    return { project, created: true };
  }
  if (given.keyFile && resolve(given.keyFile) !== resolve(existing.keyFile)) {
    // Another key would give every patient a second pseudonym and split the crosswalk in two.
    throw new UsageError(
      `project "${existing.name}" uses the key file ${existing.keyFile}; leave out --key-file, or start a new project for another key`,
    );
  }
  const settings = {
    inputs: given.inputs.length > 0 ? given.inputs.map((p) => resolve(p)) : existing.inputs,
    outDir: given.out ? resolve(given.out) : existing.outDir,
    profile: given.profile ?? existing.profile,
    options: given.options.length > 0 ? [...given.options] : existing.options,
  };
  // What the command line gave is what the project remembers for next time.
  return { project: updateSettings(existing, settings), created: false };
}

/**
 * `anonymize --project <name|folder>`: the project supplies whatever the command line leaves out (inputs,
 * output folder, profile, options, key) and remembers what it gives; the private audit goes into the
 * project, and every written file's identifiers into its crosswalk database.
 */
export function startProjectRun(ref: string, given: GivenRun, home?: string): ProjectRun {
  return asUsage(() => {
    const { project, created } = openOrCreate(ref, given, home);
    const startedAt = new Date().toISOString();
    const audit = given.audit ?? join(projectPaths(project.folder).audit, startedAt.replaceAll(':', '-'));
    let recorder: ProjectRunRecorder | undefined;
    const run = {
      startedAt,
      profile: project.profile,
      options: project.options,
      inputs: project.inputs,
      outDir: project.outDir,
      auditDir: audit,
    };
    return {
      inputs: project.inputs,
      out: project.outDir,
      profile: project.profile,
      options: project.options,
      keyFile: project.keyFile,
      audit,
      note: `${created ? 'created project' : 'project'} "${project.name}" (${project.folder}), run ${project.runs.length + 1}`,
      begin() {
        const store = asUsage(() => openSqliteCrosswalk(projectPaths(project.folder).crosswalk));
        recorder = new ProjectRunRecorder(project, store, home);
      },
      onFile: (r) => recorder?.onFile(r),
      finish(summary) {
        const finishing = recorder;
        recorder = undefined;
        finishing?.finish(
          {
            ...run,
            finishedAt: new Date().toISOString(),
            ...(summary?.reportDir ? { reportDir: summary.reportDir } : {}),
          },
          summary,
        );
      },
    };
  });
}
