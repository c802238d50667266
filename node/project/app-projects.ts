import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LookupAnswer, ProjectState } from '../../shared/ipc/contract.js';
import { loadKey } from '../key-store.js';
import { lookupInProject } from './lookup.js';
import {
  createProject,
  lastProject,
  type Project,
  ProjectError,
  type ProjectSettings,
  projectFolder,
  projectPaths,
  projectsHome,
  readProject,
  rememberLast,
} from './project.js';
import { ProjectRunRecorder, type RunStart } from './run-recorder.js';
import { openSqliteCrosswalk } from './sqlite-crosswalk.js';

/** Projects as the app sees them: it opens on the last one, and looks pseudonyms up in it. */
export interface ProjectService {
  last(): ProjectState | null;
  /** A new project by name in ~/.dicom-deid/projects, with a key of its own; the app opens on it from now. */
  create(name: string, settings: Omit<ProjectSettings, 'keyFile'>): ProjectState;
  /** The project in `folder`, opened from now on. */
  open(folder: string): ProjectState;
  lookup(folder: string, query: string): readonly LookupAnswer[];
  /** The key runs use while a project is open: the project's own, so one patient has one pseudonym in it. */
  keyFile(): string | null;
  /** Records a run of the app in the last project (history and crosswalk), or null when there is none. */
  startRun(run: RunStart): ProjectRunRecorder | null;
}

function stateOf(project: Project): ProjectState {
  let keyFingerprint: string | null = null;
  try {
    keyFingerprint = loadKey(project.keyFile).fingerprint;
  } catch {
    // Missing or exposed: the app says so where the key is shown, and a run would refuse it.
  }
  const { name, folder, profile, options, inputs, outDir, runs } = project;
  return {
    name,
    folder,
    profile,
    options,
    inputs,
    outDir,
    keyFingerprint,
    runs: runs.map(({ startedAt, written, skipped, failed, cancelled, interrupted }) => ({
      startedAt,
      written,
      skipped,
      failed,
      cancelled,
      interrupted: interrupted ?? false,
    })),
  };
}

export function createProjectService(home: string = homedir()): ProjectService {
  return {
    last() {
      const project = lastProject(home);
      return project ? stateOf(project) : null;
    },
    create(name, settings) {
      const folder = projectFolder(name, home);
      // The app creates projects by name only: a name that reads as a path would put one anywhere.
      if (folder !== join(projectsHome(home), name)) {
        throw new ProjectError('a project name is letters, digits, spaces, dots, dashes or underscores');
      }
      const project = createProject(folder, name, { ...settings, keyFile: projectPaths(folder).key });
      rememberLast(folder, home);
      return stateOf(project);
    },
    open(folder) {
      const project = readProject(folder);
      if (!project) throw new ProjectError('there is no dicom-deid project in that folder');
      rememberLast(folder, home);
      return stateOf(project);
    },
    lookup(folder, query) {
      const project = readProject(folder);
      if (!project) throw new ProjectError('there is no project in that folder');
      return lookupInProject(project, query);
    },
    keyFile: () => lastProject(home)?.keyFile ?? null,
    startRun(run) {
      const project = lastProject(home);
      if (!project) return null;
      return new ProjectRunRecorder(
        project,
        openSqliteCrosswalk(projectPaths(project.folder).crosswalk),
        run,
        home,
      );
    },
  };
}
