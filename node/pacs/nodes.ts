import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ReportableError } from '../../shared/errors.js';

// PS3.8 9.3.1: up to 16 characters of the default repertoire, no backslash, not all spaces.
const AeTitle = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, 'an AE title is 1 to 16 printable characters without a backslash')
  .refine((s) => s.trim().length > 0, 'an AE title cannot be all spaces');

const Port = z.number().int().min(1).max(65535);

export const NodeSchema = z
  .object({
    aeTitle: AeTitle.optional(),
    host: z.string().min(1).optional(),
    port: Port.optional(),
    /** DICOM over TLS (PS3.15 Annex B); the system's trusted certificates apply. */
    tls: z.boolean().optional(),
    /** Base URL of the node's DICOMweb service, e.g. https://pacs/dicom-web. */
    dicomweb: z.url().optional(),
  })
  .strict()
  .refine((n) => n.dicomweb !== undefined || (n.aeTitle && n.host && n.port), {
    message: 'a node needs aeTitle, host and port (DIMSE), a dicomweb URL, or both',
  });

export const NodesFileSchema = z
  .object({
    /** Our AE title, as the peers know us. */
    aeTitle: AeTitle.default('DICOM-DEID'),
    /** Where our storage SCP listens for C-MOVE retrieves and the gateway. */
    port: Port.optional(),
    /** The owner-only credentials file, relative to this file. */
    credentials: z.string().min(1).optional(),
    nodes: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), NodeSchema),
  })
  .strict();

export const CredentialsSchema = z.record(
  z.string(),
  z.union([
    z.object({ username: z.string().min(1), password: z.string() }).strict(),
    z.object({ token: z.string().min(1) }).strict(),
  ]),
);

export type Credential = z.infer<typeof CredentialsSchema>[string];

export interface PeerNode {
  readonly name: string;
  readonly aeTitle?: string;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: boolean;
  readonly dicomweb?: string;
  /** Never printed, never written to a report. */
  readonly credential?: Credential;
}

export interface NodesConfig {
  readonly aeTitle: string;
  readonly port?: number;
  readonly nodes: ReadonlyMap<string, PeerNode>;
}

export class NodesFileError extends ReportableError {
  override readonly name = 'NodesFileError';
}

function readStructured(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new NodesFileError(`the ${what} file cannot be read`);
  }
  try {
    return parseYaml(text) as unknown; // YAML is a superset of JSON
  } catch {
    throw new NodesFileError(`the ${what} file is neither JSON nor YAML`);
  }
}

const issues = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');

/** Credentials grant access to patient data: a file others can read is refused, not used. */
function readCredentials(path: string): z.infer<typeof CredentialsSchema> {
  if (process.platform !== 'win32') {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch {
      throw new NodesFileError('the credentials file cannot be read');
    }
    if ((mode & 0o077) !== 0)
      throw new NodesFileError('the credentials file must be readable by its owner only (chmod 600)');
  }
  const parsed = CredentialsSchema.safeParse(readStructured(path, 'credentials'));
  // Issue messages of a credentials file could quote a secret: only where the problem is.
  if (!parsed.success)
    throw new NodesFileError(
      `the credentials file is not valid at ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  return parsed.data;
}

/** Reads and checks a nodes file (JSON or YAML) and the credentials file it names. */
export function loadNodes(path: string): NodesConfig {
  const parsed = NodesFileSchema.safeParse(readStructured(path, 'nodes'));
  if (!parsed.success) throw new NodesFileError(`the nodes file is not valid: ${issues(parsed.error)}`);
  const file = parsed.data;
  const credentials = file.credentials ? readCredentials(resolve(dirname(path), file.credentials)) : {};
  const nodes = new Map<string, PeerNode>();
  for (const [name, node] of Object.entries(file.nodes)) {
    const credential = credentials[name];
    nodes.set(name, { name, ...node, ...(credential ? { credential } : {}) });
  }
  return { aeTitle: file.aeTitle, ...(file.port ? { port: file.port } : {}), nodes };
}

export function findNode(config: NodesConfig, name: string): PeerNode {
  const node = config.nodes.get(name);
  if (!node) throw new NodesFileError(`no node named "${name}" in the nodes file`);
  return node;
}
