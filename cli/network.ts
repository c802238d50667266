import { homedir } from 'node:os';
import { join } from 'node:path';
import { KeyFileError, loadOrCreateKey, type StoredKey } from '../node/key-store.js';
import type { FindQuery } from '../node/pacs/dimse.js';
import { PeerError } from '../node/pacs/errors.js';
import { findNode, loadNodes, NodesFileError, type PeerNode } from '../node/pacs/nodes.js';
import { chooseVia, type Local, type Via } from '../node/pacs/peer.js';
import { UsageError } from './command.js';

/** Options every network command takes. */
export const NETWORK_OPTIONS = {
  nodes: { type: 'string' },
  via: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const NETWORK_USAGE = `  --nodes <file>          the nodes file (JSON or YAML; default ~/.dicom-deid/nodes.yaml)
  --via dimse|dicomweb    how to reach the node (default: DIMSE when the node has an AE title)
  --timeout <seconds>     give up on a peer that stays silent this long (default 15)
  -h, --help              show this help`;

export const NODES_FILE_HELP = `The nodes file names the peers:

  aeTitle: DICOM-DEID            # ours
  port: 11112                    # our storage SCP (C-MOVE destination, gateway); without it, C-GET
  credentials: credentials.yaml  # owner-only (chmod 600): <node>: {username, password} or {token}
  nodes:
    hospital: { aeTitle: PACS, host: pacs.example.org, port: 104, dicomweb: https://pacs/dicom-web }`;

export interface NetworkContext {
  readonly node: PeerNode;
  readonly via: Via;
  readonly local: Local;
}

export const defaultNodesPath = () => join(homedir(), '.dicom-deid', 'nodes.yaml');

/** The node named on the command line, how to reach it, and who we are. Problems are usage errors. */
export function networkContext(
  values: { nodes?: string; via?: string; timeout?: string },
  nodeName: string | undefined,
  signal?: AbortSignal,
): NetworkContext {
  if (!nodeName) throw new UsageError('name the node (as in the nodes file)');
  if (values.via !== undefined && values.via !== 'dimse' && values.via !== 'dicomweb')
    throw new UsageError('--via takes dimse or dicomweb');
  const seconds = values.timeout === undefined ? 15 : Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new UsageError('--timeout takes a number of seconds from 1 to 3600');
  try {
    const config = loadNodes(values.nodes ?? defaultNodesPath());
    const node = findNode(config, nodeName);
    const via = chooseVia(node, values.via as Via | undefined);
    return {
      node,
      via,
      local: {
        aeTitle: config.aeTitle,
        timeoutMs: seconds * 1000,
        ...(config.port ? { port: config.port } : {}),
        ...(signal ? { signal } : {}),
      },
    };
  } catch (e) {
    if (e instanceof NodesFileError || e instanceof PeerError) throw new UsageError(e.message);
    throw e;
  }
}

/** The project key, as `anonymize` loads it; a bad key file is a usage error. */
export function projectKey(path: string | undefined): StoredKey {
  try {
    return path ? loadOrCreateKey(path) : loadOrCreateKey();
  } catch (e) {
    if (e instanceof KeyFileError) throw new UsageError(e.message);
    throw e;
  }
}

export const QUERY_OPTIONS = {
  'patient-id': { type: 'string' },
  name: { type: 'string' },
  accession: { type: 'string' },
  date: { type: 'string' },
  modality: { type: 'string' },
} as const;

export const QUERY_USAGE = `  --patient-id <id>       Patient ID (wildcards * and ? allowed)
  --name <name>           Patient's Name, e.g. "DOE^J*"
  --accession <number>    Accession Number
  --date <from-to>        study date range, YYYYMMDD-YYYYMMDD (either end may be left open)
  --modality <code>       e.g. CT, MR`;

/** The search the query options describe. */
export function queryFrom(
  values: { 'patient-id'?: string; name?: string; accession?: string; date?: string; modality?: string },
  level: FindQuery['level'],
): FindQuery {
  let dateFrom: string | undefined;
  let dateTo: string | undefined;
  if (values.date !== undefined) {
    const m = /^(\d{8})?(?:-(\d{8})?)?$/.exec(values.date);
    if (!m || values.date === '' || values.date === '-')
      throw new UsageError('--date takes YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD');
    dateFrom = m[1];
    dateTo = values.date.includes('-') ? m[2] : m[1];
  }
  if (values.modality !== undefined && !/^[A-Z0-9_]{1,16}$/.test(values.modality))
    throw new UsageError('--modality takes a modality code such as CT or MR');
  return {
    level,
    ...(values['patient-id'] ? { patientId: values['patient-id'] } : {}),
    ...(values.name ? { patientName: values.name } : {}),
    ...(values.accession ? { accessionNumber: values.accession } : {}),
    ...(dateFrom ? { dateFrom } : {}),
    ...(dateTo ? { dateTo } : {}),
    ...(values.modality ? { modality: values.modality } : {}),
  };
}

/** Ctrl-C cancels the exchange; the handler is removed when the command ends. */
export function interruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  return run(controller.signal).finally(() => process.off('SIGINT', onSignal));
}
