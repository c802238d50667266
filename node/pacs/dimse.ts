import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type DcmjsDimse from 'dcmjs-dimse';
import { type StoreResult, sendInBatches } from './batched-send.js';
import { PeerError, type PeerFailure } from './errors.js';
import type { IncomingFile, OutgoingInstance, StagingFolder } from './part10.js';
import { guardPdus } from './pdu-guard.js';

interface DcmjsLogger {
  setLevel(level: 'silent'): void;
  getLogger(name: string): DcmjsLogger;
}
interface DcmjsModule {
  readonly log: DcmjsLogger;
}

// Required, not imported: the bundled CLI keeps dcmjs-dimse outside the bundle, where an import would be
// evaluated at every start-up; this module is only initialised by the commands that talk to a PACS. The
// storage SCP takes this instance too, so the library is loaded and silenced in one place.
export const dimse = createRequire(import.meta.url)('dcmjs-dimse') as typeof DcmjsDimse;
const { Client, Dataset } = dimse;
const { CEchoRequest, CFindRequest, CGetRequest, CMoveRequest, CStoreRequest } = dimse.requests;
const { CStoreResponse } = dimse.responses;
const { Status, RejectReason, RejectSource } = dimse.constants;
const { PresentationContext } = dimse.association;

// The library logs requests, and dcmjs under it complains about what it parses, quoting elements: none
// of that may reach a console. The dcmjs to silence is the very copy dcmjs-dimse requires (its ES module
// build would be another instance), and its named loggers were made before this runs.
const dcmjs = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'))('dcmjs') as DcmjsModule;
dimse.log.setLevel('silent');
dcmjs.log.setLevel('silent');
for (const name of ['validation.dcmjs', 'AsyncDicomReader']) dcmjs.log.getLogger(name).setLevel('silent');

type DimseClient = InstanceType<typeof Client>;
type DimseRequest = Parameters<DimseClient['addRequest']>[0];

/** A peer reached over DIMSE. */
export interface DimsePeer {
  /** The node's name in the nodes file: the only way errors refer to it. */
  readonly name: string;
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
  readonly tls?: boolean;
}

export interface DimseCall {
  /** Our AE title. */
  readonly callingAeTitle: string;
  /** Connect, association and silence-between-PDUs limit. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT = 15_000;
// A C-STORE association carries at most this many instances (and sendBatches' bytes), so memory stays
// bounded, and their presentation contexts stay below PS3.8's 128.
const STORE_BATCH = 32;

const isSuccess = (status: number) => status === Status.Success || (status & 0xf000) === 0xb000;
const hex = (status: number) => `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;

interface NetworkInternals {
  socket?: Socket;
  createStoreWritableStream?: unknown;
  createDatasetFromStoreWritableStream?: unknown;
}
const networkOf = (client: DimseClient) => (client as unknown as { network?: NetworkInternals }).network;

/** Turns the library's network error into our words; its message may quote the peer, so it is not kept. */
function networkFailure(peer: DimsePeer, e: unknown): PeerError {
  // The library wraps socket errors in new ones whose message carries the code.
  const text = e instanceof Error ? e.message : '';
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? /\b(E[A-Z]+)\b/.exec(text)?.[1];
  if (code === 'ECONNREFUSED')
    return new PeerError('refused', `${peer.name} refused the connection (nothing listens on that port)`);
  if (code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EAI_AGAIN')
    return new PeerError('unreachable', `${peer.name} cannot be reached (check its host name and network)`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new PeerError('protocol', `${peer.name} closed the connection in the middle of an exchange`);
  if (/timeout/i.test(text)) return new PeerError('timeout', `${peer.name} stopped answering (timed out)`);
  return new PeerError('protocol', `${peer.name} sent something that is not valid DICOM network data`);
}

function rejection(peer: DimsePeer, source: number, reason: number): PeerError {
  if (source === RejectSource.ServiceUser && reason === RejectReason.CalledAeNotRecognized)
    return new PeerError('ae-rejected', `${peer.name} does not answer to the AE title ${peer.aeTitle}`);
  if (source === RejectSource.ServiceUser && reason === RejectReason.CallingAeNotRecognized)
    return new PeerError(
      'ae-rejected',
      `${peer.name} does not know our AE title; ask its administrator to add it`,
    );
  return new PeerError(
    'refused',
    `${peer.name} refused the association (source ${source}, reason ${reason})`,
  );
}

/**
 * Opens one association, runs the requests, releases it. Settles once, on the first failure or when the
 * association is over; a peer that goes silent is cut off after the timeout, so nothing waits forever.
 */
function associate(
  peer: DimsePeer,
  call: DimseCall,
  requests: readonly DimseRequest[],
  setup?: (client: DimseClient) => void,
): Promise<void> {
  const timeout = call.timeoutMs ?? DEFAULT_TIMEOUT;
  const client = new Client();
  for (const r of requests) client.addRequest(r);
  setup?.(client);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let accepted = false;
    let pending = requests.length;
    let watchdog: NodeJS.Timeout | undefined;
    const finish = (error?: PeerError) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      call.signal?.removeEventListener('abort', onAbort);
      if (error) networkOf(client)?.socket?.destroy();
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(new PeerError('cancelled', `the exchange with ${peer.name} was cancelled`));
    if (call.signal?.aborted) return onAbort();
    call.signal?.addEventListener('abort', onAbort);
    for (const r of requests)
      r.on('done', () => {
        // Every request answered: the release may linger, but the work is done and safe.
        if (--pending === 0) watchdog = setTimeout(() => finish(), timeout);
      });
    client.on('connected', () => {
      const socket = networkOf(client)?.socket;
      // A request's last small PDU would otherwise wait for the peer's delayed ACK (Nagle): ~40 ms each.
      socket?.setNoDelay(true);
      if (socket)
        guardPdus(socket, (why) =>
          finish(
            new PeerError(
              'protocol',
              why === 'length'
                ? `${peer.name} sent a PDU larger than any we accept`
                : `${peer.name} sent data that is not a DICOM PDU`,
            ),
          ),
        );
    });
    client.on('associationAccepted', () => {
      accepted = true;
    });
    client.on('associationRejected', (e: { source: number; reason: number }) =>
      finish(rejection(peer, e.source, e.reason)),
    );
    client.on('networkError', (e: unknown) => finish(networkFailure(peer, e)));
    client.on('closed', () => {
      if (!accepted) finish(new PeerError('protocol', `${peer.name} closed the connection before answering`));
      else if (pending > 0)
        finish(
          new PeerError('protocol', `${peer.name} closed the association before answering every request`),
        );
      else finish();
    });
    client.send(peer.host, peer.port, call.callingAeTitle, peer.aeTitle, {
      connectTimeout: timeout,
      associationTimeout: timeout,
      pduTimeout: timeout,
      associationLingerTimeout: 0,
      ...(peer.tls ? { securityOptions: { rejectUnauthorized: true } } : {}),
    });
  });
}

export type EchoResult =
  | { readonly reachable: true }
  | { readonly reachable: false; readonly failure: PeerFailure; readonly message: string };

/** C-ECHO: is the node there, and does it accept us? */
export async function echo(peer: DimsePeer, call: DimseCall): Promise<EchoResult> {
  const request = new CEchoRequest();
  let status: number | undefined;
  request.on('response', (r) => {
    status = r.getStatus();
  });
  try {
    await associate(peer, call, [request]);
  } catch (e) {
    if (e instanceof PeerError) return { reachable: false, failure: e.code, message: e.message };
    throw e;
  }
  if (status === Status.Success) return { reachable: true };
  return {
    reachable: false,
    failure: 'status',
    message: `${peer.name} answered the echo with status ${status === undefined ? 'none' : hex(status)}`,
  };
}

export type QueryLevel = 'patient' | 'study' | 'series';

/** What to look for; DICOM wildcards (* ?) work in names and IDs. Dates are YYYYMMDD. */
export interface FindQuery {
  readonly level: QueryLevel;
  readonly patientId?: string;
  readonly patientName?: string;
  readonly accessionNumber?: string;
  readonly dateFrom?: string;
  readonly dateTo?: string;
  readonly modality?: string;
  /** Series level: the study to list. */
  readonly studyInstanceUid?: string;
}

/** One match, as plain text attributes keyed by DICOM keyword. */
export type FindMatch = Readonly<Record<string, string>>;

export const FIND_KEYS: Record<QueryLevel, readonly string[]> = {
  patient: ['PatientID', 'PatientName', 'NumberOfPatientRelatedStudies'],
  study: [
    'PatientID',
    'PatientName',
    'StudyInstanceUID',
    'AccessionNumber',
    'StudyDate',
    'StudyDescription',
    'ModalitiesInStudy',
    'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
  ],
  series: [
    'StudyInstanceUID',
    'SeriesInstanceUID',
    'Modality',
    'SeriesNumber',
    'SeriesDescription',
    'NumberOfSeriesRelatedInstances',
  ],
};

/** The identifier of a C-FIND (or QIDO-RS) query: the keys to return, with the given ones as matching keys. */
export function queryKeys(q: FindQuery): Record<string, string> {
  const keys: Record<string, string> = Object.fromEntries(FIND_KEYS[q.level].map((k) => [k, '']));
  if (q.patientId) keys.PatientID = q.patientId;
  if (q.patientName) keys.PatientName = q.patientName;
  if (q.level !== 'patient') {
    if (q.accessionNumber) keys.AccessionNumber = q.accessionNumber;
    if (q.dateFrom || q.dateTo)
      keys[q.level === 'series' ? 'SeriesDate' : 'StudyDate'] = `${q.dateFrom ?? ''}-${q.dateTo ?? ''}`;
    if (q.modality) keys[q.level === 'series' ? 'Modality' : 'ModalitiesInStudy'] = q.modality;
    if (q.studyInstanceUid) keys.StudyInstanceUID = q.studyInstanceUid;
  }
  return keys;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

/**
 * A match must carry the UID that names it (we asked for it, and a retrieve needs it): one without is a
 * garbled answer, refused rather than shown as an empty record.
 */
export function checkedMatch(peerName: string, studyLevel: boolean, match: FindMatch): FindMatch {
  const uid = match[studyLevel ? 'StudyInstanceUID' : 'SeriesInstanceUID'] ?? '';
  if (!UID.test(uid) || uid.length > 64)
    throw new PeerError('protocol', `${peerName} sent a search match without a valid instance UID`);
  return match;
}

/** A naturalized dcmjs value as text: person names become their DICOM form, lists are joined with \. */
function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(asText).join('\\');
  if (typeof value === 'object') {
    const pn = value as { Alphabetic?: string };
    return typeof pn.Alphabetic === 'string' ? pn.Alphabetic : '';
  }
  return String(value);
}

const MAX_MATCHES = 10_000;

/** C-FIND in the Study Root model. Matches are returned with exactly the keys the level asks for. */
export async function find(peer: DimsePeer, call: DimseCall, q: FindQuery): Promise<FindMatch[]> {
  // Many archives offer only the Study Root model: patients are found through their studies.
  const studyLevel = q.level !== 'series';
  const keys = queryKeys(studyLevel ? { ...q, level: 'study' } : q);
  const request = studyLevel
    ? CFindRequest.createStudyFindRequest(keys)
    : CFindRequest.createSeriesFindRequest(keys);
  const returned = FIND_KEYS[studyLevel ? 'study' : 'series'];
  const matches: FindMatch[] = [];
  let final: number | undefined;
  let overflow = false;
  let garbled: PeerError | undefined;
  request.on('response', (r: InstanceType<typeof dimse.responses.CFindResponse>) => {
    const status = r.getStatus();
    if (status === Status.Pending && r.hasDataset()) {
      if (matches.length >= MAX_MATCHES) {
        overflow = true;
        return;
      }
      const elements = r.getDataset()?.getElements() ?? {};
      const match = Object.fromEntries(returned.map((k) => [k, asText(elements[k])]));
      // Thrown here it would escape the library's event loop: kept, and thrown once the exchange is over.
      try {
        matches.push(checkedMatch(peer.name, studyLevel, match));
      } catch (e) {
        garbled ??= e as PeerError;
      }
    } else if (status !== Status.Pending) final = status;
  });
  await associate(peer, call, [request]);
  if (garbled) throw garbled;
  if (final === undefined)
    throw new PeerError('protocol', `${peer.name} ended the search without a final status`);
  if (!isSuccess(final) && final !== Status.Cancel)
    throw new PeerError('status', `${peer.name} failed the search with status ${hex(final)}`);
  if (overflow)
    throw new PeerError('status', `the search matched more than ${MAX_MATCHES} records; narrow it`);
  return q.level === 'patient' ? patientsOf(matches) : matches;
}

/** One record per patient, counting the matching studies. */
export function patientsOf(studies: readonly FindMatch[]): FindMatch[] {
  const patients = new Map<string, { match: FindMatch; studies: number }>();
  for (const s of studies) {
    const key = `${s.PatientID}\u0000${s.PatientName}`;
    const seen = patients.get(key);
    if (seen) seen.studies++;
    else
      patients.set(key, {
        match: { PatientID: s.PatientID ?? '', PatientName: s.PatientName ?? '' },
        studies: 1,
      });
  }
  return [...patients.values()].map((p) => ({
    ...p.match,
    NumberOfPatientRelatedStudies: String(p.studies),
  }));
}

/** Counts a C-MOVE or C-GET reported. */
export interface RetrieveCounts {
  readonly completed: number;
  readonly failed: number;
  readonly warning: number;
}

function trackRetrieve(
  peer: DimsePeer,
  request: InstanceType<typeof CMoveRequest> | InstanceType<typeof CGetRequest>,
) {
  let final: { status: number; counts: RetrieveCounts } | undefined;
  request.on('response', (r) => {
    if (r.getStatus() !== Status.Pending)
      final = {
        status: r.getStatus(),
        counts: {
          completed: r.getCompleted() ?? 0,
          failed: r.getFailures() ?? 0,
          warning: r.getWarnings() ?? 0,
        },
      };
  });
  return (): RetrieveCounts => {
    if (!final) throw new PeerError('protocol', `${peer.name} ended the retrieve without a final status`);
    if (final.status === Status.MoveDestinationUnknown)
      throw new PeerError('status', `${peer.name} does not know our AE title as a move destination`);
    if (!isSuccess(final.status) && final.counts.completed === 0)
      throw new PeerError('status', `${peer.name} failed the retrieve with status ${hex(final.status)}`);
    return final.counts;
  };
}

/** C-MOVE of a study to `destination` (our storage SCP, which must be listening). */
export async function moveStudy(
  peer: DimsePeer,
  call: DimseCall,
  studyInstanceUid: string,
  destination: string,
): Promise<RetrieveCounts> {
  const request = CMoveRequest.createStudyMoveRequest(destination, studyInstanceUid);
  const result = trackRetrieve(peer, request);
  await associate(peer, call, [request]);
  return result();
}

/**
 * C-GET of a study: the peer sends the instances back on our association; each is streamed straight to
 * the staging folder in the syntax it arrives in and answered only once it is on disk.
 */
export async function getStudy(
  peer: DimsePeer,
  call: DimseCall,
  studyInstanceUid: string,
  staging: StagingFolder,
  onFile?: (path: string) => void,
): Promise<RetrieveCounts> {
  const request = CGetRequest.createStudyGetRequest(studyInstanceUid);
  const result = trackRetrieve(peer, request);
  let incoming: IncomingStores | undefined;
  const answers: Promise<unknown>[] = [];
  await associate(peer, call, [request], (client) => {
    client.on('connected', () => {
      const network = networkOf(client);
      if (network) incoming = streamStoresTo(network, staging);
    });
    client.on('cStoreRequest', (req: InstanceType<typeof CStoreRequest>, callback: (r: unknown) => void) => {
      answers.push(
        answerStore(incoming?.take(req.getDataset()), req, (path) => onFile?.(path)).then(callback),
      );
    });
  }).catch(async (e) => {
    await incoming?.discardAll();
    throw e;
  });
  await Promise.all(answers);
  return result();
}

/** Instances being received on one association, by the token dataset the library hands on. */
export interface IncomingStores {
  /** The file of a completely received instance, once; afterwards it is the caller's. */
  take(token: unknown): IncomingFile | undefined;
  /** Removes every file not yet taken (an aborted association leaves no partial file). */
  discardAll(): Promise<void>;
}

/**
 * Makes a network (SCU or SCP side) stream each incoming C-STORE dataset to a staging file instead of
 * memory, and hand on a token dataset that finds that file again. The bytes are never parsed here.
 */
export function streamStoresTo(network: object, staging: StagingFolder): IncomingStores {
  const byStream = new Map<object, IncomingFile>();
  const byToken = new Map<unknown, IncomingFile>();
  Object.assign(network, {
    createStoreWritableStream(
      context: { getAcceptedTransferSyntaxUid(): string },
      req: InstanceType<typeof CStoreRequest>,
    ) {
      const incoming = staging.begin(
        req.getAffectedSopClassUid(),
        req.getAffectedSopInstanceUid(),
        context.getAcceptedTransferSyntaxUid(),
      );
      byStream.set(incoming.stream, incoming);
      return incoming.stream;
    },
    createDatasetFromStoreWritableStream(
      writable: object,
      _context: unknown,
      callback: (d: unknown) => void,
    ) {
      const token = new Dataset({});
      const incoming = byStream.get(writable);
      byStream.delete(writable);
      if (incoming) byToken.set(token, incoming);
      callback(token);
    },
  });
  return {
    take(token) {
      const incoming = byToken.get(token);
      byToken.delete(token);
      return incoming;
    },
    async discardAll() {
      const files = [...byStream.values(), ...byToken.values()];
      byStream.clear();
      byToken.clear();
      await Promise.all(files.map((f) => f.discard()));
    },
  };
}

/** Answers a received C-STORE once its file is on disk and accepted by `keep`; a failure removes it. */
export function answerStore(
  incoming: IncomingFile | undefined,
  request: InstanceType<typeof CStoreRequest>,
  keep: (path: string) => Promise<void> | void,
): Promise<InstanceType<typeof CStoreResponse>> {
  const response = CStoreResponse.fromRequest(request);
  response.setStatus(Status.ProcessingFailure);
  if (!incoming) return Promise.resolve(response);
  return incoming.commit().then(
    async (path) => {
      try {
        await keep(path);
        response.setStatus(Status.Success);
      } catch {
        // `keep` owns the file once committed; a refusal is reported to the sender as a failure.
      }
      return response;
    },
    async () => {
      await incoming.discard();
      return response;
    },
  );
}

/**
 * A dataset whose encoding is the file's own bytes, so C-STORE sends them unchanged. Converting it to
 * another syntax is refused (the library would re-encode through dcmjs): the caller reports it instead.
 */
class RawDataset extends Dataset {
  constructor(private readonly instance: OutgoingInstance) {
    super(
      { SOPClassUID: instance.sopClassUid, SOPInstanceUID: instance.sopInstanceUid },
      instance.transferSyntaxUid,
    );
  }
  override getDenaturalizedDataset(): Buffer {
    return Buffer.from(
      this.instance.dataset.buffer,
      this.instance.dataset.byteOffset,
      this.instance.dataset.length,
    );
  }
  override getElements(): Record<string, unknown> {
    throw new PeerError('not-accepted', 'conversion refused');
  }
}

/**
 * C-STORE of files in batches of associations. Each (SOP class, transfer syntax) pair gets its own
 * presentation context offering only the file's syntax, so the peer either takes the bytes as they are or
 * says no; a file it says no to is reported as not accepted, never converted.
 */
export async function store(
  peer: DimsePeer,
  call: DimseCall,
  paths: readonly string[],
  onResult?: (r: StoreResult) => void,
): Promise<StoreResult[]> {
  const cancelled = () => {
    if (call.signal?.aborted) throw new PeerError('cancelled', `sending to ${peer.name} was cancelled`);
  };
  return sendInBatches(
    paths,
    STORE_BATCH,
    async (batch) => {
      const contexts = new Set(
        batch.map(({ instance }) => `${instance.sopClassUid} ${instance.transferSyntaxUid}`),
      );
      const outcomes = new Map<string, StoreResult>();
      const requests = batch.map(({ path, instance }) => {
        const request = new CStoreRequest(new RawDataset(instance));
        request.on('response', (r) => {
          const status = r.getStatus();
          outcomes.set(
            path,
            isSuccess(status)
              ? { path, status: 'sent' }
              : { path, status: 'failed', reason: `${peer.name} answered with status ${hex(status)}` },
          );
        });
        return request;
      });
      await associate(peer, call, requests, (client) => {
        for (const context of contexts) {
          const [sopClass, syntax] = context.split(' ') as [string, string];
          const pc = new PresentationContext(0, sopClass, syntax);
          client.addAdditionalPresentationContext(pc, true);
        }
      });
      return batch.map(
        ({ path, instance }) =>
          outcomes.get(path) ?? {
            path,
            status: 'not-accepted',
            reason: `${peer.name} does not accept SOP class ${instance.sopClassUid} in transfer syntax ${instance.transferSyntaxUid}; not converted`,
          },
      );
    },
    onResult,
    cancelled,
  );
}
