import { homedir } from 'node:os';
import { join } from 'node:path';
import { Gateway, type GatewayEvent } from '../node/pacs/gateway.js';
import { ListenError } from '../node/pacs/storage-scp.js';
import packageJson from '../package.json' with { type: 'json' };
import { resolveProfile } from './anonymize.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import { NETWORK_OPTIONS, NETWORK_USAGE, networkContext, projectKey } from './network.js';

export const GATEWAY_USAGE = `Usage: dicom-deid gateway --forward <node> [options]

Runs a de-identifying gateway: a storage SCP receives instances (from a modality or a PACS), each is
de-identified with the profile and key and checked for residual identifiers, then forwarded to <node>
(C-STORE, or STOW-RS over DICOMweb). An instance is acknowledged only once it is queued on disk; the
queue survives restarts. Instances that fail are quarantined with their reason and retried on a
schedule; nothing is forwarded that was not de-identified and checked. Runs until interrupted.

Options:
  --forward <node>        where de-identified instances go
  --port <number>         our storage SCP's port (default: the nodes file's port)
  --work <folder>         the queue: incoming, outgoing, quarantine (default ~/.dicom-deid/gateway)
  --profile <name|file>   basic (default), research, relinkable, or a profile file
  --option <name>         add a PS3.15 option; repeatable
  --key-file <file>       the site's secret key; default ~/.dicom-deid/project.key
  --retry <seconds>       wait before retrying a failed forward or a quarantined instance (default 60)
${NETWORK_USAGE}

Exit status: 0 after an interrupt (the queue is kept), 2 on a usage error.
`;

function eventLine(e: GatewayEvent): string {
  switch (e.kind) {
    case 'received':
      return 'received 1 instance';
    case 'forwarded':
      return `forwarded ${e.count}`;
    case 'quarantined':
      return `quarantined 1: ${e.reason}`;
    case 'forward-failed':
      return `forward failed for ${e.count}, will retry: ${e.reason}`;
  }
}

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'receive instances, de-identify them and forward them to an archive',
  async run(args) {
    const { values } = parseCommandArgs(args, {
      ...NETWORK_OPTIONS,
      forward: { type: 'string' },
      port: { type: 'string' },
      work: { type: 'string' },
      profile: { type: 'string' },
      option: { type: 'string', multiple: true },
      'key-file': { type: 'string' },
      retry: { type: 'string' },
    });
    if (values.help) {
      await writeOut(GATEWAY_USAGE);
      return 0;
    }
    const destination = networkContext(values, values.forward);
    const port = values.port === undefined ? destination.local.port : Number(values.port);
    if (port === undefined) throw new UsageError('give the storage port: --port, or port in the nodes file');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes 0 to 65535');
    const retry = values.retry === undefined ? 60 : Number(values.retry);
    if (!Number.isFinite(retry) || retry < 1 || retry > 86400)
      throw new UsageError('--retry takes a number of seconds from 1 to 86400');
    const profile = await resolveProfile(values.profile, values.option ?? []);
    const key = projectKey(values['key-file']);
    const gateway = await Gateway.start({
      workDir: values.work ?? join(homedir(), '.dicom-deid', 'gateway'),
      aeTitle: destination.local.aeTitle,
      port,
      destination,
      batch: { profile, key: key.key, toolVersion: packageJson.version },
      retryMs: retry * 1000,
      onEvent: (e) => process.stderr.write(`${new Date().toISOString()} ${eventLine(e)}\n`),
    }).catch((e: unknown) => {
      throw e instanceof ListenError ? new UsageError(e.message) : e;
    });
    await writeOut(
      `gateway listening as ${destination.local.aeTitle} on port ${gateway.port}, forwarding to ${destination.node.name} (${destination.via})\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await gateway.stop();
    return 0;
  },
};
