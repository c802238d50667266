import type { StoreResult } from './batched-send.js';
import { qido, stow, type WebPeer, wadoStudy } from './dicomweb.js';
import {
  type DimseCall,
  type DimsePeer,
  type EchoResult,
  echo,
  type FindMatch,
  type FindQuery,
  find,
  getStudy,
  moveStudy,
  store,
} from './dimse.js';
import { PeerError } from './errors.js';
import type { PeerNode } from './nodes.js';
import type { StagingFolder } from './part10.js';
import { StorageScp } from './storage-scp.js';

/** How to reach a node: DICOM networking or DICOMweb. */
export type Via = 'dimse' | 'dicomweb';

/** Who we are on the network, and the call's limits. */
export interface Local {
  readonly aeTitle: string;
  /** Our storage SCP's port, for C-MOVE; without it retrieves use C-GET. */
  readonly port?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The requested way, or the node's only one (DIMSE when it has both). */
export function chooseVia(node: PeerNode, requested?: Via): Via {
  const dimse = node.aeTitle !== undefined && node.host !== undefined && node.port !== undefined;
  const via = requested ?? (dimse ? 'dimse' : 'dicomweb');
  if (via === 'dimse' && !dimse)
    throw new PeerError('not-accepted', `node ${node.name} has no AE title, host and port for DIMSE`);
  if (via === 'dicomweb' && !node.dicomweb)
    throw new PeerError('not-accepted', `node ${node.name} has no DICOMweb URL`);
  return via;
}

const dimseOf = (node: PeerNode): DimsePeer => ({
  name: node.name,
  aeTitle: node.aeTitle!,
  host: node.host!,
  port: node.port!,
  ...(node.tls ? { tls: true } : {}),
});

const webOf = (node: PeerNode, local: Local): WebPeer => ({
  name: node.name,
  url: node.dicomweb!,
  ...(node.credential ? { credential: node.credential } : {}),
  ...(local.timeoutMs ? { timeoutMs: local.timeoutMs } : {}),
  ...(local.signal ? { signal: local.signal } : {}),
});

const callOf = (local: Local): DimseCall => ({
  callingAeTitle: local.aeTitle,
  ...(local.timeoutMs ? { timeoutMs: local.timeoutMs } : {}),
  ...(local.signal ? { signal: local.signal } : {}),
});

export async function verifyNode(node: PeerNode, via: Via, local: Local): Promise<EchoResult> {
  if (via === 'dimse') return echo(dimseOf(node), callOf(local));
  // DICOMweb has no echo: an empty search that must succeed is the closest thing.
  try {
    await qido(webOf(node, local), { level: 'study', patientId: 'DICOM-DEID-ECHO-NO-MATCH' });
    return { reachable: true };
  } catch (e) {
    if (e instanceof PeerError) return { reachable: false, failure: e.code, message: e.message };
    throw e;
  }
}

export function search(node: PeerNode, via: Via, local: Local, q: FindQuery): Promise<FindMatch[]> {
  return via === 'dimse' ? find(dimseOf(node), callOf(local), q) : qido(webOf(node, local), q);
}

/**
 * Retrieves studies into the staging folder: WADO-RS, C-MOVE to a storage SCP we run for the occasion
 * (when we have a port the node knows), or C-GET. Returns the number of instances staged.
 */
export async function retrieveStudies(
  node: PeerNode,
  via: Via,
  local: Local,
  studyUids: readonly string[],
  staging: StagingFolder,
  onFile?: (path: string) => void,
): Promise<number> {
  let staged = 0;
  const counted = (path: string) => {
    staged++;
    onFile?.(path);
  };
  if (via === 'dicomweb') {
    for (const uid of studyUids) await wadoStudy(webOf(node, local), uid, staging, counted);
    return staged;
  }
  if (local.port === undefined) {
    for (const uid of studyUids) await getStudy(dimseOf(node), callOf(local), uid, staging, counted);
    return staged;
  }
  const scp = await StorageScp.listen({
    aeTitle: local.aeTitle,
    port: local.port,
    staging,
    // During a pull only the PACS we retrieve from may store into the staging folder.
    callers: [node.aeTitle!],
    onStored: counted,
    ...(local.timeoutMs ? { timeoutMs: local.timeoutMs } : {}),
  });
  try {
    for (const uid of studyUids) {
      const counts = await moveStudy(dimseOf(node), callOf(local), uid, local.aeTitle);
      if (counts.failed > 0)
        throw new PeerError('status', `${node.name} could not send ${counts.failed} instances of a study`);
    }
  } finally {
    scp.close();
  }
  return staged;
}

export function send(
  node: PeerNode,
  via: Via,
  local: Local,
  paths: readonly string[],
  onResult?: (r: StoreResult) => void,
): Promise<StoreResult[]> {
  return via === 'dimse'
    ? store(dimseOf(node), callOf(local), paths, onResult)
    : stow(webOf(node, local), paths, onResult);
}
