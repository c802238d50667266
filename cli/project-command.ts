import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadKey } from '../node/key-store.js';
import { KIND_WORDS, MAPPING_KINDS } from '../node/project/crosswalk-store.js';
import {
  type Project,
  ProjectError,
  projectFolder,
  projectPaths,
  projectsHome,
  readProject,
} from '../node/project/project.js';
import { CrosswalkDatabaseError, openSqliteCrosswalk } from '../node/project/sqlite-crosswalk.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';

export const PROJECT_USAGE = `Usage: dicom-deid project [<name|folder>]

Without an argument, lists the projects in ~/.dicom-deid/projects. With one, shows that project: its
profile and options, key (fingerprint only), input and output folders, its runs, and how many patients,
studies, series and instances its crosswalk holds. Projects are made by \`dicom-deid anonymize --project\`.

Options:
  -h, --help   show this help
`;

const runLine = (r: Project['runs'][number]) =>
  `  ${r.startedAt}  ${
    r.interrupted
      ? 'interrupted'
      : `${r.written} written, ${r.skipped} skipped, ${r.failed} failed${r.cancelled ? ' (cancelled)' : ''}`
  }  → ${r.outDir}`;

function describe(project: Project): string[] {
  let fingerprint: string;
  try {
    fingerprint = loadKey(project.keyFile).fingerprint;
  } catch (e) {
    fingerprint = `unusable: ${e instanceof Error ? e.message : 'unreadable'}`;
  }
  let held: string;
  try {
    const store = openSqliteCrosswalk(projectPaths(project.folder).crosswalk);
    const counts = store.counts();
    store.close();
    held = MAPPING_KINDS.map((k) => `${counts[k]} ${KIND_WORDS[k]}`).join(', ');
  } catch (e) {
    if (!(e instanceof CrosswalkDatabaseError)) throw e;
    held = e.message;
  }
  return [
    `project "${project.name}" (${project.folder})`,
    `  profile:   ${[project.profile, ...project.options].join(' + ')}`,
    `  key:       ${project.keyFile} (fingerprint ${fingerprint})`,
    `  inputs:    ${project.inputs.join(', ')}`,
    `  output:    ${project.outDir}`,
    `  crosswalk: ${held}`,
    `runs (${project.runs.length}):`,
    ...project.runs.map(runLine),
  ];
}

export const projectCommand: Command = {
  name: 'project',
  summary: 'list the projects, or show one: settings, runs, and what its crosswalk holds',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      await writeOut(PROJECT_USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError('project takes at most one project name or folder');
    try {
      if (positionals.length === 1) {
        const project = readProject(projectFolder(positionals[0]!));
        if (!project) throw new UsageError(`there is no project "${positionals[0]}"`);
        await writeOut(`${describe(project).join('\n')}\n`);
        return 0;
      }
      let names: string[] = [];
      try {
        names = readdirSync(projectsHome(), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort();
      } catch {
        // No projects folder yet.
      }
      const lines = names.flatMap((name) => {
        const project = readProject(join(projectsHome(), name));
        if (!project) return [];
        const last = project.runs.at(-1);
        return [
          `${name}  ${project.runs.length} run${project.runs.length === 1 ? '' : 's'}${last ? `, last ${last.startedAt}` : ''}`,
        ];
      });
      await writeOut(
        lines.length > 0
          ? `${lines.join('\n')}\n`
          : 'no projects yet (see `dicom-deid anonymize --project`)\n',
      );
      return 0;
    } catch (e) {
      if (e instanceof ProjectError) throw new UsageError(e.message);
      throw e;
    }
  },
};
