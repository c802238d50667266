import { randomBytes } from 'node:crypto';
import { formatTag } from '../../shared/dicom/tag.js';
import { tagForKeyword } from '../../shared/dictionary/index.js';
import { type StoreResult, sendInBatches } from './batched-send.js';
import { checkedMatch, FIND_KEYS, type FindMatch, type FindQuery, patientsOf, queryKeys } from './dimse.js';
import { PeerError } from './errors.js';
import { boundaryOf, splitMultipart } from './multipart.js';
import type { Credential } from './nodes.js';
import type { IncomingFile, StagingFolder } from './part10.js';

/** A DICOMweb service: its base URL (…/dicom-web) and how we sign in. */
export interface WebPeer {
  readonly name: string;
  readonly url: string;
  readonly credential?: Credential;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT = 30_000;
// A STOW-RS request carries at most this many instances, so memory stays bounded by their size.
const STOW_BATCH = 16;

function authorization(credential: Credential | undefined): Record<string, string> {
  if (!credential) return {};
  if ('token' in credential) return { authorization: `Bearer ${credential.token}` };
  const basic = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
  return { authorization: `Basic ${basic}` };
}

/**
 * fetch with our timeout (reset by every chunk that arrives, so a slow large study is fine and a silent
 * peer is not), and HTTP failures in plain words. URLs are not repeated in errors: queries carry names.
 */
async function request(peer: WebPeer, path: string, init: RequestInit): Promise<Response> {
  const controller = new AbortController();
  const timeout = peer.timeoutMs ?? DEFAULT_TIMEOUT;
  let timer = setTimeout(() => controller.abort(), timeout);
  const onAbort = () => controller.abort();
  peer.signal?.addEventListener('abort', onAbort);
  let response: Response;
  try {
    response = await fetch(`${peer.url.replace(/\/+$/, '')}${path}`, {
      ...init,
      headers: { ...authorization(peer.credential), ...(init.headers as Record<string, string>) },
      signal: controller.signal,
    });
  } catch (e) {
    clearTimeout(timer);
    peer.signal?.removeEventListener('abort', onAbort);
    if (peer.signal?.aborted)
      throw new PeerError('cancelled', `the exchange with ${peer.name} was cancelled`);
    if (controller.signal.aborted)
      throw new PeerError('timeout', `${peer.name} stopped answering (timed out)`);
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') throw new PeerError('refused', `${peer.name} refused the connection`);
    throw new PeerError('unreachable', `${peer.name} cannot be reached (${code ?? 'network error'})`);
  }
  if (response.status === 401 || response.status === 403) {
    clearTimeout(timer);
    throw new PeerError('auth', `${peer.name} refused our credentials (HTTP ${response.status})`);
  }
  if (!response.ok && response.status !== 409 && response.status !== 202) {
    clearTimeout(timer);
    throw new PeerError('status', `${peer.name} answered HTTP ${response.status}`);
  }
  // The body is read after this returns: keep the timer alive, re-armed on each chunk.
  const body = response.body;
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeout);
  };
  const done = () => {
    clearTimeout(timer);
    peer.signal?.removeEventListener('abort', onAbort);
  };
  if (!body) {
    done();
    return response;
  }
  const guarded = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        rearm();
        out.enqueue(chunk);
      },
      flush: done,
    }),
  );
  return new Response(guarded, { status: response.status, headers: response.headers });
}

async function readBody(peer: WebPeer, response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text.length === 0 ? [] : (JSON.parse(text) as unknown);
  } catch (e) {
    if (e instanceof PeerError) throw e;
    if (peer.signal?.aborted)
      throw new PeerError('cancelled', `the exchange with ${peer.name} was cancelled`);
    throw new PeerError('protocol', `${peer.name} sent an answer that is not DICOM JSON`);
  }
}

type DicomJson = Record<string, { vr?: string; Value?: unknown[] }>;

function jsonText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const pn = value as { Alphabetic?: unknown };
    return typeof pn.Alphabetic === 'string' ? pn.Alphabetic : '';
  }
  return String(value);
}

const hexTag = (keyword: string) => formatTag(tagForKeyword(keyword)!).replace(/[(),]/g, '').toUpperCase();

/** QIDO-RS search, with the same query and the same answer shape as C-FIND. */
export async function qido(peer: WebPeer, q: FindQuery): Promise<FindMatch[]> {
  const studyLevel = q.level !== 'series';
  const keys = queryKeys(studyLevel ? { ...q, level: 'study' } : q);
  const returned = FIND_KEYS[studyLevel ? 'study' : 'series'];
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(keys)) {
    if (v) params.append(k, v);
    else params.append('includefield', k);
  }
  const path = studyLevel ? '/studies' : '/series';
  const response = await request(peer, `${path}?${params}`, {
    headers: { accept: 'application/dicom+json' },
  });
  const body = await readBody(peer, response);
  if (!Array.isArray(body))
    throw new PeerError('protocol', `${peer.name} sent a search answer that is not a list`);
  const matches = body.map((record: DicomJson) => {
    if (typeof record !== 'object' || record === null)
      throw new PeerError('protocol', `${peer.name} sent a search answer that is not DICOM JSON`);
    return checkedMatch(
      peer.name,
      studyLevel,
      Object.fromEntries(returned.map((k) => [k, (record[hexTag(k)]?.Value ?? []).map(jsonText).join('\\')])),
    );
  });
  return q.level === 'patient' ? patientsOf(matches) : matches;
}

/**
 * WADO-RS retrieve of a study: the multipart answer is split as it streams and each instance goes straight
 * to a staging file; an interrupted answer leaves no partial file.
 */
export async function wadoStudy(
  peer: WebPeer,
  studyInstanceUid: string,
  staging: StagingFolder,
  onFile?: (path: string) => void,
): Promise<number> {
  if (!/^[0-9.]{1,64}$/.test(studyInstanceUid)) throw new PeerError('protocol', 'not a study instance UID');
  const response = await request(peer, `/studies/${studyInstanceUid}`, {
    headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
  });
  const boundary = boundaryOf(response.headers.get('content-type'));
  if (!boundary || !response.body)
    throw new PeerError('protocol', `${peer.name} did not answer the retrieve with multipart DICOM`);
  let current: IncomingFile | undefined;
  const written: string[] = [];
  try {
    await splitMultipart(response.body as unknown as AsyncIterable<Uint8Array>, boundary, () => {
      const incoming = staging.beginFile();
      current = incoming;
      return {
        write: (bytes) =>
          new Promise<void>((resolve, reject) =>
            incoming.stream.write(bytes, (e) => (e ? reject(e) : resolve())),
          ),
        end: async () => {
          const path = await incoming.commit();
          current = undefined;
          written.push(path);
          onFile?.(path);
        },
      };
    });
  } catch (e) {
    await current?.discard();
    if (e instanceof PeerError) throw e;
    if (peer.signal?.aborted)
      throw new PeerError('cancelled', `the exchange with ${peer.name} was cancelled`);
    throw new PeerError('timeout', `${peer.name} stopped sending in the middle of the retrieve`);
  }
  return written.length;
}

const enc = new TextEncoder();

function uidsIn(body: unknown, sequence: string): Set<string> {
  const items = (body as DicomJson | undefined)?.[sequence]?.Value ?? [];
  const uids = new Set<string>();
  for (const item of items as DicomJson[]) {
    const uid = item?.['00081155']?.Value?.[0];
    if (typeof uid === 'string') uids.add(uid);
  }
  return uids;
}

/** STOW-RS of Part 10 files, sent byte for byte, with each instance's fate read from the answer. */
export async function stow(
  peer: WebPeer,
  paths: readonly string[],
  onResult?: (r: StoreResult) => void,
): Promise<StoreResult[]> {
  return sendInBatches(
    paths,
    STOW_BATCH,
    async (batch) => {
      const boundary = `deid-${randomBytes(12).toString('hex')}`;
      const parts: Uint8Array[] = [];
      for (const { instance } of batch) {
        parts.push(enc.encode(`\r\n--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), instance.file);
      }
      parts.push(enc.encode(`\r\n--${boundary}--\r\n`));
      const response = await request(peer, '/studies', {
        method: 'POST',
        headers: {
          'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
          accept: 'application/dicom+json',
        },
        body: new Blob(parts as BlobPart[]),
      });
      const body = await readBody(peer, response);
      const stored = uidsIn(body, '00081199');
      const failed = uidsIn(body, '00081198');
      return batch.map(({ path, instance }) =>
        stored.has(instance.sopInstanceUid) && !failed.has(instance.sopInstanceUid)
          ? { path, status: 'sent' }
          : { path, status: 'failed', reason: `${peer.name} did not store it (HTTP ${response.status})` },
      );
    },
    onResult,
  );
}
