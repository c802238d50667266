import { KIND_WORDS } from '../node/project/crosswalk-store.js';
import { lookupInProject } from '../node/project/lookup.js';
import { ProjectError, projectFolder, readProject } from '../node/project/project.js';
import { CrosswalkDatabaseError } from '../node/project/sqlite-crosswalk.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import { printable } from './printable.js';

export const LOOKUP_USAGE = `Usage: dicom-deid lookup --project <name|folder> <pseudonym or original>...

For a person authorised to re-identify: which original Patient ID or UID a pseudonym in the project's
outputs stands for, or which pseudonym an original became. Looks in the project's private crosswalk
database (every patient, study, series and instance the project has written). Every lookup, with who
made it and when, is appended to the project's audit (audit/lookups.csv in the project folder) before
the answer is shown.

Options:
  --project <name|folder>   the project (see \`dicom-deid anonymize --project\`)
  --json                    print the matches as JSON
  -h, --help                show this help

Exit status: 0 when every value was found, 1 when one was not, 2 on a usage error.
`;

export const lookupCommand: Command = {
  name: 'lookup',
  summary: "find the original behind a pseudonym (or the reverse) in a project's private crosswalk",
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      project: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      await writeOut(LOOKUP_USAGE);
      return 0;
    }
    if (!values.project) throw new UsageError('lookup needs --project <name|folder>');
    if (positionals.length === 0) throw new UsageError('lookup needs a pseudonym or an original to look for');
    let answers: Array<{ query: string; matches: ReturnType<typeof lookupInProject> }>;
    try {
      const project = readProject(projectFolder(values.project));
      if (!project) throw new UsageError(`there is no project "${values.project}"`);
      answers = positionals.map((query) => ({ query, matches: lookupInProject(project, query) }));
    } catch (e) {
      if (e instanceof ProjectError || e instanceof CrosswalkDatabaseError) throw new UsageError(e.message);
      throw e;
    }
    if (values.json) {
      await writeOut(`${JSON.stringify(answers)}\n`);
    } else {
      const lines: string[] = [];
      for (const { query, matches } of answers) {
        if (matches.length === 0) lines.push(`${printable(query)}: not in this project's crosswalk`);
        for (const m of matches) {
          const [asked, other] =
            m.matched === 'pseudonym' ? ['pseudonym', 'original'] : ['original', 'pseudonym'];
          lines.push(
            `${printable(query)}: ${asked} ${KIND_WORDS[m.kind]}; ${other}: ${printable(m.matched === 'pseudonym' ? m.original : m.pseudonym)}`,
          );
        }
      }
      await writeOut(`${lines.join('\n')}\n`);
    }
    return answers.every((a) => a.matches.length > 0) ? 0 : 1;
  },
};
