import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchSetupError } from '../node/batch/run-batch.js';
import { PeerError } from '../node/pacs/errors.js';
import { pullAndDeidentify } from '../node/pacs/pull.js';
import { ListenError } from '../node/pacs/storage-scp.js';
import packageJson from '../package.json' with { type: 'json' };
import { resolveProfile } from './anonymize.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import {
  interruptible,
  NETWORK_OPTIONS,
  NETWORK_USAGE,
  networkContext,
  projectKey,
  QUERY_OPTIONS,
  QUERY_USAGE,
  queryFrom,
} from './network.js';

export const PULL_USAGE = `Usage: dicom-deid pull <node> (--study <uid>... | query options) --out <folder> [options]

Retrieves studies from a PACS into a private, owner-only staging folder (C-MOVE to our storage SCP when
the nodes file gives our port, else C-GET; WADO-RS over DICOMweb), writes de-identified copies to --out
exactly as \`anonymize\` does, and removes the staging folder.

Which studies:
  --study <uid>           a Study Instance UID; repeatable
${QUERY_USAGE}

De-identification (as for anonymize):
  --out <folder>          where the de-identified copies go
  --profile <name|file>   basic (default), research, relinkable, or a profile file
  --option <name>         add a PS3.15 option; repeatable
  --key-file <file>       the site's secret key; default ~/.dicom-deid/project.key
  --report <folder>       shareable report (default: <out>.report)
  --audit <folder>        private audit and crosswalks (default: ~/.dicom-deid/audit/<start time>)
  --staging <folder>      where the private staging folder is made (default ~/.dicom-deid/staging)

Options:
${NETWORK_USAGE}

Exit status: 0 when every retrieved instance was written, 1 when the retrieve failed or some instance
failed or was held for review, 2 on a usage error, 130 when interrupted.
`;

export const pullCommand: Command = {
  name: 'pull',
  summary: 'retrieve studies from a PACS and write de-identified copies (C-MOVE, C-GET, WADO-RS)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...NETWORK_OPTIONS,
      ...QUERY_OPTIONS,
      study: { type: 'string', multiple: true },
      out: { type: 'string' },
      profile: { type: 'string' },
      option: { type: 'string', multiple: true },
      'key-file': { type: 'string' },
      report: { type: 'string' },
      audit: { type: 'string' },
      staging: { type: 'string' },
    });
    if (values.help) {
      await writeOut(PULL_USAGE);
      return 0;
    }
    if (!values.out) throw new UsageError('pull needs --out <folder>');
    const query = queryFrom(values, 'study');
    const byUid = values.study ?? [];
    if (byUid.some((uid) => !/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64))
      throw new UsageError('--study takes a Study Instance UID (digits and dots)');
    if (byUid.length === 0 && Object.keys(query).length === 1)
      throw new UsageError('say which studies: --study <uid> or at least one query option');
    const profile = await resolveProfile(values.profile, values.option ?? []);
    const key = projectKey(values['key-file']);
    const stagingRoot = values.staging ?? join(homedir(), '.dicom-deid', 'staging');
    mkdirSync(stagingRoot, { recursive: true, mode: 0o700 });
    return interruptible(async (signal) => {
      const { node, via, local } = networkContext(values, positionals[0], signal);
      try {
        const summary = await pullAndDeidentify(
          {
            node,
            via,
            local,
            studies: byUid.length > 0 ? byUid : query,
            stagingRoot,
            batch: {
              outDir: values.out!,
              profile,
              key: key.key,
              toolVersion: packageJson.version,
              reports: {
                ...(values.report ? { reportDir: values.report } : {}),
                ...(values.audit ? { auditDir: values.audit } : {}),
              },
              verify: true,
              workerScript: join(dirname(fileURLToPath(import.meta.url)), 'batch-worker.js'),
            },
          },
          { signal },
        );
        const b = summary.batch;
        await writeOut(
          `${summary.studies} studies, ${summary.retrieved} instances retrieved from ${node.name}; ` +
            `${b.written} written, ${b.skipped} skipped, ${b.failed} failed, ${b.held} held for review ` +
            '(their images may show identity)\n' +
            `report (shareable): ${b.reportDir}\naudit and crosswalks (private): ${b.auditDir}\n`,
        );
        if (b.cancelled) return 130;
        return b.failed > 0 || b.held > 0 ? 1 : 0;
      } catch (e) {
        if (e instanceof BatchSetupError || e instanceof ListenError) throw new UsageError(e.message);
        if (!(e instanceof PeerError)) throw e;
        if (e.code === 'cancelled') return 130;
        process.stderr.write(`dicom-deid: the retrieve failed (${e.code}): ${e.message}\n`);
        return 1;
      }
    });
  },
};
