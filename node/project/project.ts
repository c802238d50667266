import { closeSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ReportableError } from '../../shared/errors.js';
import { privateHome } from '../reports/locations.js';
import { makePrivateDir, openPrivateFile } from '../reports/private-files.js';

/**
 * A project: one de-identification job that comes back (a study, a trial, a department's monthly export),
 * remembered in a folder of its own, owner-only because it holds PHI:
 *
 *   project.json      name, profile, options, key file, input folders, output folder, history of runs
 *   project.key       its key (unless project.json names another file)
 *   crosswalk.sqlite  original ↔ pseudonym of every patient, study, series and instance it wrote
 *   audit/            each run's private audit, and lookups.csv: who looked up what, when
 *
 * By name, projects live in ~/.dicom-deid/projects/<name>; a folder path works as well (a shared drive).
 */
export class ProjectError extends ReportableError {
  override name = 'ProjectError';
}

const runSchema = z.object({
  startedAt: z.string(),
  /** Absent while the run goes on, and after a crash until the next run notices it. */
  finishedAt: z.string().optional(),
  /** The run stopped without finishing (killed, machine off); noticed and recovered by a later run. */
  interrupted: z.boolean().optional(),
  profile: z.string(),
  options: z.array(z.string()),
  inputs: z.array(z.string()),
  outDir: z.string(),
  written: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  cancelled: z.boolean(),
  reportDir: z.string().optional(),
  auditDir: z.string().optional(),
});

const projectSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  createdAt: z.string(),
  profile: z.string(),
  options: z.array(z.string()),
  keyFile: z.string(),
  inputs: z.array(z.string()),
  outDir: z.string(),
  runs: z.array(runSchema),
});

export type ProjectRun = z.infer<typeof runSchema>;
export type ProjectRecord = z.infer<typeof projectSchema>;
/** What a person chooses for a project; the rest is its history. */
export type ProjectSettings = Pick<ProjectRecord, 'profile' | 'options' | 'keyFile' | 'inputs' | 'outDir'>;

export interface Project extends ProjectRecord {
  readonly folder: string;
}

const PROJECT_FILE = 'project.json';
// Letters, digits and a few marks: the name is a folder name on every system, and never a path.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export const projectsHome = (home: string = homedir()): string => join(privateHome(home), 'projects');
const lastFile = (home: string) => join(projectsHome(home), 'last');

export const projectPaths = (folder: string) => ({
  key: join(folder, 'project.key'),
  crosswalk: join(folder, 'crosswalk.sqlite'),
  audit: join(folder, 'audit'),
  lookups: join(folder, 'audit', 'lookups.csv'),
});

/** The folder of `--project <name|folder>`: a path when it looks like one, else a name under projectsHome. */
export function projectFolder(ref: string, home: string = homedir()): string {
  if (isAbsolute(ref) || ref.startsWith('.') || /[\\/]/.test(ref)) return resolve(ref);
  if (!NAME.test(ref)) {
    throw new ProjectError(
      `"${ref}" is not a project name: use letters, digits, spaces, dots, dashes or underscores ` +
        '(at most 64), or give the project folder as a path',
    );
  }
  return join(projectsHome(home), ref);
}

/** The project in `folder`, or null when there is none yet. */
export function readProject(folder: string): Project | null {
  let text: string;
  try {
    text = readFileSync(join(folder, PROJECT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let parsed: ReturnType<typeof projectSchema.safeParse>;
  try {
    parsed = projectSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = { success: false } as typeof parsed;
  }
  if (!parsed.success)
    throw new ProjectError(`${join(folder, PROJECT_FILE)} is damaged or not a dicom-deid project file`);
  return { ...parsed.data, folder };
}

/** Writes `text` to `file` owner-only, beside and renamed over: a crash leaves the previous file whole. */
function replacePrivateFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openPrivateFile(temp);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

function save(project: Project): Project {
  const { folder, ...record } = project;
  makePrivateDir(folder);
  replacePrivateFile(join(folder, PROJECT_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return project;
}

export function createProject(folder: string, name: string, settings: ProjectSettings): Project {
  if (readProject(folder)) throw new ProjectError(`a project already exists in ${folder}`);
  makePrivateDir(projectPaths(folder).audit);
  return save({ version: 1, name, createdAt: new Date().toISOString(), ...settings, runs: [], folder });
}

export const updateSettings = (project: Project, settings: Partial<ProjectSettings>): Project =>
  save({ ...project, ...settings });

/** Adds a run to the history, or replaces the one that started at the same time (a run finishing). */
export function recordRun(project: Project, run: ProjectRun): Project {
  const known = project.runs.some((r) => r.startedAt === run.startedAt);
  const runs = known
    ? project.runs.map((r) => (r.startedAt === run.startedAt ? run : r))
    : [...project.runs, run];
  return save({ ...project, runs });
}

/** Remembers `folder` as the project to open next time (the app starts on it). */
export function rememberLast(folder: string, home: string = homedir()): void {
  makePrivateDir(projectsHome(home));
  replacePrivateFile(lastFile(home), `${folder}\n`);
}

/** The project used last, or null when there is none (or it has been moved or deleted since). */
export function lastProject(home: string = homedir()): Project | null {
  let folder: string;
  try {
    folder = readFileSync(lastFile(home), 'utf8').trim();
  } catch {
    return null;
  }
  try {
    return folder ? readProject(folder) : null;
  } catch {
    return null;
  }
}
