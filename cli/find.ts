import type { FindQuery } from '../node/pacs/dimse.js';
import { PeerError } from '../node/pacs/errors.js';
import { search } from '../node/pacs/peer.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import {
  interruptible,
  NETWORK_OPTIONS,
  NETWORK_USAGE,
  networkContext,
  QUERY_OPTIONS,
  QUERY_USAGE,
  queryFrom,
} from './network.js';
import { shown } from './scan-table.js';

export const FIND_USAGE = `Usage: dicom-deid find <node> [query options] [options]

Searches a PACS (C-FIND, or QIDO-RS over DICOMweb) and lists what matches, with its values: it is
your own view of your PACS, shown on this screen only. --json prints the same as JSON.

Query options:
${QUERY_USAGE}
  --level patient|study|series   what to list (default study)
  --study <uid>           with --level series: the study whose series to list

Options:
${NETWORK_USAGE}
  --json                  print the matches as JSON

Exit status: 0 when the search was answered (even with no match), 1 when it failed, 2 on a usage error.
`;

const NOUNS = { patient: ['patient', 'patients'], study: ['study', 'studies'], series: ['series', 'series'] };

export const findCommand: Command = {
  name: 'find',
  summary: 'search a PACS for patients, studies or series (C-FIND, QIDO-RS)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...NETWORK_OPTIONS,
      ...QUERY_OPTIONS,
      level: { type: 'string' },
      study: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(FIND_USAGE);
      return 0;
    }
    const level = (values.level ?? 'study') as FindQuery['level'];
    if (!['patient', 'study', 'series'].includes(level))
      throw new UsageError('--level takes patient, study or series');
    if (level === 'series' && !values.study) throw new UsageError('--level series needs --study <uid>');
    const query = {
      ...queryFrom(values, level),
      ...(values.study ? { studyInstanceUid: values.study } : {}),
    };
    return interruptible(async (signal) => {
      const { node, via, local } = networkContext(values, positionals[0], signal);
      let matches: Awaited<ReturnType<typeof search>>;
      try {
        matches = await search(node, via, local, query);
      } catch (e) {
        if (!(e instanceof PeerError)) throw e;
        process.stderr.write(`dicom-deid: the search failed (${e.code}): ${e.message}\n`);
        return 1;
      }
      if (values.json) {
        await writeOut(`${JSON.stringify({ level, matches })}\n`);
        return 0;
      }
      for (const m of matches)
        await writeOut(
          `${Object.entries(m)
            .filter(([, v]) => v !== '')
            .map(([k, v]) => `${k}=${shown(v)}`)
            .join('  ')}\n`,
        );
      await writeOut(`${matches.length} ${NOUNS[level][matches.length === 1 ? 0 : 1]}\n`);
      return 0;
    });
  },
};
