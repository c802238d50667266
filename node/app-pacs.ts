import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ReportableError } from '../shared/errors.js';
import type {
  PacsNodes,
  PacsNodeView,
  PacsQuery,
  PacsSent,
  PacsStudy,
  PacsVerdict,
} from '../shared/ipc/pacs-contract.js';
import { PeerError } from './pacs/errors.js';
import {
  type Credential,
  CredentialsSchema,
  findNode,
  loadNodes,
  NodeSchema,
  type NodesConfig,
  NodesFileSchema,
  type PeerNode,
} from './pacs/nodes.js';
import { StagingFolder } from './pacs/part10.js';
import { chooseVia, type Local, retrieveStudies, search, send, verifyNode } from './pacs/peer.js';
import { releaseList } from './pacs/releasable.js';

/** A node as the form sends it, before the nodes file's schema has checked it. */
export interface NodeDraft {
  readonly aeTitle?: string;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: boolean;
  readonly dicomweb?: string;
}

export interface Retrieved {
  /** The staging folder the instances were written to; absent when cancelled (it is removed then). */
  readonly dir?: string;
  readonly retrieved: number;
  readonly cancelled: boolean;
}

export interface AppPacs {
  nodes(): PacsNodes;
  /** `signIn`: undefined keeps the node's credential, null removes it. */
  save(name: string, draft: NodeDraft, signIn: Credential | null | undefined): PacsNodes;
  remove(name: string): PacsNodes;
  verify(name: string): Promise<PacsVerdict>;
  find(name: string, query: PacsQuery): Promise<PacsStudy[]>;
  retrieve(name: string, studies: readonly string[], onFile: (count: number) => void): Promise<Retrieved>;
  /** Sends the de-identified files of `outDir`; any other DICOM file there is refused, not sent. */
  send(
    name: string,
    outDir: string,
    onSent: (done: number, total: number) => void,
  ): Promise<{ files: PacsSent[]; cancelled: boolean }>;
  /** Stops the retrieve or send under way. */
  cancel(): void;
}

const NODES_FILE = 'nodes.json';
const CREDENTIALS_FILE = 'credentials.json';
const TIMEOUT_MS = 30_000;

/** Written beside and renamed over, owner-only: the credentials file is refused if others can read it. */
function writePrivate(file: string, value: unknown) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

const issuesOf = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>) =>
  issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');

/**
 * The app's PACS nodes and what it does with them. Nodes live in `<folder>/nodes.json`, a nodes file the
 * command line reads as it is (`--nodes`), and sign-ins in its owner-only `credentials.json`; the
 * renderer is told how a node signs in, never the secret. Retrieved studies are staged in owner-only
 * folders under `<folder>/staging`, cleared when the app starts again (the list they joined is gone then).
 */
export function createAppPacs(folder: string): AppPacs {
  const nodesFile = join(folder, NODES_FILE);
  const credentialsFile = join(folder, CREDENTIALS_FILE);
  const stagingRoot = join(folder, 'staging');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  rmSync(stagingRoot, { recursive: true, force: true });
  let running: AbortController | null = null;

  const load = (): NodesConfig =>
    existsSync(nodesFile) ? loadNodes(nodesFile) : { aeTitle: 'DICOM-DEID', nodes: new Map() };

  const view = (config: NodesConfig): PacsNodes => ({
    aeTitle: config.aeTitle,
    nodes: [...config.nodes.values()].map(
      ({ credential, ...node }): PacsNodeView => ({
        ...node,
        signIn: !credential ? 'none' : 'token' in credential ? 'token' : 'basic',
      }),
    ),
  });

  const store = (config: NodesConfig) => {
    const credentials = Object.fromEntries(
      [...config.nodes.values()].flatMap((n) => (n.credential ? [[n.name, n.credential]] : [])),
    );
    const file = NodesFileSchema.parse({
      aeTitle: config.aeTitle,
      credentials: CREDENTIALS_FILE,
      nodes: Object.fromEntries(
        [...config.nodes.values()].map(({ name, credential: _secret, ...node }) => [name, node]),
      ),
    });
    writePrivate(credentialsFile, CredentialsSchema.parse(credentials));
    writePrivate(nodesFile, file);
  };

  const local = (config: NodesConfig, signal?: AbortSignal): Local => ({
    aeTitle: config.aeTitle,
    timeoutMs: TIMEOUT_MS,
    ...(signal ? { signal } : {}),
  });

  const nodeOf = (config: NodesConfig, name: string) => {
    try {
      return findNode(config, name);
    } catch {
      throw new ReportableError(`there is no node named ${name}`);
    }
  };

  /** One retrieve or send at a time, which cancel() stops. */
  const transfer = async <T>(
    name: string,
    run: (node: PeerNode, call: Local, signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    if (running) throw new ReportableError('a transfer is already under way');
    const config = load();
    const node = nodeOf(config, name);
    const controller = new AbortController();
    running = controller;
    try {
      return await run(node, local(config, controller.signal), controller.signal);
    } finally {
      running = null;
    }
  };

  return {
    nodes: () => view(load()),

    save(name, draft, signIn) {
      // Empty fields of the form are absent, not empty strings, for the schema.
      const cleaned = Object.fromEntries(
        Object.entries(draft).filter(([, value]) => value !== undefined && value !== ''),
      );
      const parsed = NodeSchema.safeParse(cleaned);
      if (!parsed.success)
        throw new ReportableError(`this node is not valid: ${issuesOf(parsed.error.issues)}`);
      const config = load();
      const credential = signIn === undefined ? config.nodes.get(name)?.credential : (signIn ?? undefined);
      const nodes = new Map(config.nodes);
      nodes.set(name, { name, ...parsed.data, ...(credential ? { credential } : {}) });
      store({ ...config, nodes });
      return view(load());
    },

    remove(name) {
      const config = load();
      const nodes = new Map(config.nodes);
      nodes.delete(name);
      store({ ...config, nodes });
      return view(load());
    },

    async verify(name) {
      const config = load();
      const node = nodeOf(config, name);
      const via = chooseVia(node);
      const result = await verifyNode(node, via, local(config));
      return result.reachable ? { reachable: true, via } : { ...result, via };
    },

    async find(name, query) {
      const config = load();
      const node = nodeOf(config, name);
      const matches = await search(node, chooseVia(node), local(config), { level: 'study', ...query });
      return matches
        .filter((m) => m.StudyInstanceUID)
        .map((m) => ({
          studyInstanceUid: m.StudyInstanceUID ?? '',
          patientId: m.PatientID ?? '',
          patientName: m.PatientName ?? '',
          accessionNumber: m.AccessionNumber ?? '',
          studyDate: m.StudyDate ?? '',
          description: m.StudyDescription ?? '',
          modalities: m.ModalitiesInStudy ?? '',
          instances: m.NumberOfStudyRelatedInstances ?? '',
        }));
    },

    retrieve: (name, studies, onFile) =>
      transfer(name, async (node, call, signal) => {
        const staging = new StagingFolder(join(stagingRoot, `retrieve-${randomBytes(6).toString('hex')}`));
        let count = 0;
        try {
          const retrieved = await retrieveStudies(node, chooseVia(node), call, studies, staging, () =>
            onFile(++count),
          );
          if (signal.aborted) throw new PeerError('cancelled', `retrieving from ${name} was cancelled`);
          return { dir: staging.dir, retrieved, cancelled: false };
        } catch (error) {
          // Nothing of a cancelled or failed retrieve joins the list, and no identified copy stays behind.
          rmSync(staging.dir, { recursive: true, force: true });
          if (signal.aborted) return { retrieved: count, cancelled: true };
          throw error;
        }
      }),

    send: (name, outDir, onSent) =>
      transfer(name, async (node, call, signal) => {
        const list = await releaseList([outDir]);
        const files: PacsSent[] = list.refused.map((path) => ({
          file: relative(outDir, path),
          status: 'refused',
          reason: 'not marked de-identified (Patient Identity Removed is not YES)',
        }));
        let done = 0;
        try {
          await send(node, chooseVia(node), call, list.send, (r) => {
            files.push({
              file: relative(outDir, r.path),
              status: r.status,
              ...(r.reason ? { reason: r.reason } : {}),
            });
            onSent(++done, list.send.length);
          });
        } catch (error) {
          if (!signal.aborted) throw error;
        }
        return { files, cancelled: signal.aborted };
      }),

    cancel() {
      running?.abort();
    },
  };
}
