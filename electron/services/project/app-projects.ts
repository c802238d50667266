import { homedir } from 'node:os';
import type { LookupAnswer, ProjectState } from '../../../shared/ipc/contract.js';
import { loadKey } from '../key-store.js';
import { lookupInProject } from './lookup.js';
import { lastProject, ProjectError, readProject } from './project.js';

/** Projects as the app sees them: it opens on the last one, and looks pseudonyms up in it. */
export interface ProjectService {
  last(): ProjectState | null;
  lookup(folder: string, query: string): readonly LookupAnswer[];
}

export function createProjectService(home: string = homedir()): ProjectService {
  return {
    last() {
      const project = lastProject(home);
      if (!project) return null;
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
    },
    lookup(folder, query) {
      const project = readProject(folder);
      if (!project) throw new ProjectError('there is no project in that folder');
      return lookupInProject(project, query);
    },
  };
}
