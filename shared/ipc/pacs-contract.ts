/**
 * The PACS part of the IPC contract (nodes, verify, search, retrieve into the list). The shapes here only
 * bound what a renderer may send; main checks a node again with the nodes file's own schema, so the app
 * and the command line accept exactly the same nodes.
 */
import { z } from 'zod';

const nodeName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a node name is 1 to 64 letters, digits, _ . -');
const dicomDate = z.string().regex(/^\d{8}$/, 'a date is YYYYMMDD');
const text = z.string().min(1).max(64);

/** A node as the form sends it; credentials travel only this way, from the renderer to main. */
const nodeDraft = z.strictObject({
  aeTitle: z.string().max(16).optional(),
  host: z.string().max(255).optional(),
  port: z.int().min(1).max(65535).optional(),
  tls: z.boolean().optional(),
  dicomweb: z.string().max(2048).optional(),
});

/** `undefined` keeps the node's sign-in as it is, `null` removes it. */
const signIn = z
  .union([
    z.strictObject({ username: z.string().min(1).max(256), password: z.string().max(1024) }),
    z.strictObject({ token: z.string().min(1).max(8192) }),
  ])
  .nullable()
  .optional();

export const pacsQuerySchema = z.strictObject({
  patientId: text.optional(),
  patientName: text.optional(),
  accessionNumber: text.optional(),
  dateFrom: dicomDate.optional(),
  dateTo: dicomDate.optional(),
  modality: z
    .string()
    .regex(/^[A-Z0-9_]{1,16}$/, 'a modality is a code such as CT or MR')
    .optional(),
});
export type PacsQuery = z.infer<typeof pacsQuerySchema>;

export const PACS_REQUESTS = {
  'pacs:nodes': z.strictObject({}),
  'pacs:saveNode': z.strictObject({ name: nodeName, node: nodeDraft, signIn }),
  'pacs:removeNode': z.strictObject({ name: nodeName }),
  'pacs:verify': z.strictObject({ name: nodeName }),
  'pacs:find': z.strictObject({ name: nodeName, query: pacsQuerySchema }),
  'pacs:retrieve': z.strictObject({
    name: nodeName,
    studies: z
      .array(z.string().regex(/^[0-9.]{1,64}$/))
      .min(1)
      .max(1000),
  }),
  'pacs:cancel': z.strictObject({}),
  'pacs:send': z.strictObject({ name: nodeName }),
} as const;

/** A node as the renderer sees it: how it signs in, never the secret. */
export interface PacsNodeView {
  readonly name: string;
  readonly aeTitle?: string;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: boolean;
  readonly dicomweb?: string;
  readonly signIn: 'none' | 'basic' | 'token';
}

export interface PacsNodes {
  /** Our AE title, as the nodes know us. */
  readonly aeTitle: string;
  readonly nodes: readonly PacsNodeView[];
}

export type PacsVerdict =
  | { readonly reachable: true; readonly via: 'dimse' | 'dicomweb' }
  | {
      readonly reachable: false;
      readonly via: 'dimse' | 'dicomweb';
      readonly failure: string;
      readonly message: string;
    };

/** One study found: the PACS's own values, shown only on this screen. */
export interface PacsStudy {
  readonly studyInstanceUid: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly accessionNumber: string;
  readonly studyDate: string;
  readonly description: string;
  readonly modalities: string;
  readonly instances: string;
}

/** What became of one output file sent: its path inside the output folder (de-identified names only). */
export interface PacsSent {
  readonly file: string;
  readonly status: 'sent' | 'failed' | 'not-accepted' | 'refused';
  /** Plain words: status codes and transfer syntax UIDs only. */
  readonly reason?: string;
}

export interface PacsResponses {
  'pacs:nodes': PacsNodes;
  'pacs:saveNode': PacsNodes;
  'pacs:removeNode': PacsNodes;
  'pacs:verify': PacsVerdict;
  'pacs:find': { readonly studies: readonly PacsStudy[] };
  'pacs:retrieve': { readonly retrieved: number; readonly cancelled: boolean };
  'pacs:cancel': null;
  'pacs:send': { readonly files: readonly PacsSent[]; readonly cancelled: boolean };
}

export interface PacsEvents {
  /** Instances staged so far by the retrieve under way. */
  'pacs:progress': { readonly retrieved: number };
  /** Output files sent (or not) so far, of `total`. */
  'pacs:sending': { readonly done: number; readonly total: number };
}
