import { join, resolve } from 'node:path';
import type { BatchFileResult, BatchSummary } from '../node/batch/run-batch.js';
import {
  createProject,
  type Project,
  ProjectError,
  type ProjectSettings,
  projectFolder,
  projectPaths,
  readProject,
  updateSettings,
} from '../node/project/project.js';
import { ProjectRunRecorder } from '../node/project/run-recorder.js';
import { CrosswalkDatabaseError, openSqliteCrosswalk } from '../node/project/sqlite-crosswalk.js';
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
  /**
   * Creates the project or saves what this run changes, and opens its crosswalk database (refused while
   * another run holds it): called once every refusal of the command has passed.
   */
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

interface Plan {
  readonly folder: string;
  readonly name: string;
  /** Null when the run creates the project. */
  readonly existing: Project | null;
  readonly settings: ProjectSettings;
}

/** What the run will use and the project will remember; reads only, so a refused command creates nothing. */
function plan(ref: string, given: GivenRun, home?: string): Plan {
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
    const settings = {
      profile: given.profile ?? 'basic',
      options: [...given.options],
      keyFile: given.keyFile ? resolve(given.keyFile) : projectPaths(folder).key,
      inputs: given.inputs.map((p) => resolve(p)),
      outDir: resolve(given.out),
    };
    return { folder, name, existing, settings };
  }
  if (given.keyFile && resolve(given.keyFile) !== resolve(existing.keyFile)) {
    // Another key would give every patient a second pseudonym and split the crosswalk in two.
    throw new UsageError(
      `project "${existing.name}" uses the key file ${existing.keyFile}; leave out --key-file, or start a new project for another key`,
    );
  }
  // What the command line gives is what the project remembers for next time.
  const settings = {
    inputs: given.inputs.length > 0 ? given.inputs.map((p) => resolve(p)) : existing.inputs,
    outDir: given.out ? resolve(given.out) : existing.outDir,
    profile: given.profile ?? existing.profile,
    options: given.options.length > 0 ? [...given.options] : existing.options,
    keyFile: existing.keyFile,
  };
  return { folder, name: existing.name, existing, settings };
}

/**
 * `anonymize --project <name|folder>`: the project supplies whatever the command line leaves out (inputs,
 * output folder, profile, options, key) and remembers what it gives; the private audit goes into the
 * project, and every written file's identifiers into its crosswalk database.
 */
export function startProjectRun(ref: string, given: GivenRun, home?: string): ProjectRun {
  return asUsage(() => {
    const { folder, name, existing, settings } = plan(ref, given, home);
    const startedAt = new Date().toISOString();
    const audit = given.audit ?? join(projectPaths(folder).audit, startedAt.replaceAll(':', '-'));
    let recorder: ProjectRunRecorder | undefined;
    const run = {
      startedAt,
      profile: settings.profile,
      options: settings.options,
      inputs: settings.inputs,
      outDir: settings.outDir,
      auditDir: audit,
    };
    return {
      inputs: settings.inputs,
      out: settings.outDir,
      profile: settings.profile,
      options: settings.options,
      keyFile: settings.keyFile,
      audit,
      note: `${existing ? 'project' : 'created project'} "${name}" (${folder}), run ${(existing?.runs.length ?? 0) + 1}`,
      begin() {
        asUsage(() => {
          const project = existing
            ? updateSettings(existing, settings)
            : createProject(folder, name, settings);
          recorder = new ProjectRunRecorder(
            project,
            openSqliteCrosswalk(projectPaths(folder).crosswalk),
            run,
            home,
          );
        });
      },
      onFile: (r) => recorder?.onFile(r),
      finish(summary) {
        const finishing = recorder;
        recorder = undefined;
        finishing?.finish(summary, summary?.reportDir);
      },
    };
  });
}
