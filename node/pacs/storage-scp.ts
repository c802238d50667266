import type { Socket } from 'node:net';
import { ReportableError } from '../../shared/errors.js';
import { answerStore, dimse, type IncomingStores, streamStoresTo } from './dimse.js';
import type { StagingFolder } from './part10.js';
import { guardPdus } from './pdu-guard.js';

const { Scp, Server } = dimse;
const { CEchoResponse } = dimse.responses;
const {
  Status,
  SopClass,
  StorageClass,
  PresentationContextResult,
  RejectResult,
  RejectSource,
  RejectReason,
} = dimse.constants;

const STORAGE_CLASSES = new Set<string>(Object.values(StorageClass));

export interface StorageScpOptions {
  /** The AE title callers must address; others are rejected. */
  readonly aeTitle: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly staging: StagingFolder;
  /**
   * Takes a received file, already on disk in the staging folder: the sender is told success only after
   * this resolves, so an instance is acknowledged once it is safe (queued, say), never before.
   */
  readonly onStored: (path: string) => Promise<void> | void;
  readonly timeoutMs?: number;
  /** Calling AE titles admitted (the PACS a pull retrieves from); anyone when absent. */
  readonly callers?: readonly string[];
}

type ScpInstance = InstanceType<typeof Scp>;
type Association = Parameters<ScpInstance['associationRequested']>[0];
type StoreRequest = Parameters<ScpInstance['cStoreRequest']>[0];

/** Our storage SCP could not listen: in words, since the port is the person's choice (or the nodes file's). */
export class ListenError extends ReportableError {}

function listenError(e: NodeJS.ErrnoException, port: number): ListenError {
  if (e.code === 'EADDRINUSE') return new ListenError(`port ${port} is already in use by another program`);
  if (e.code === 'EACCES')
    return new ListenError(`no permission to listen on port ${port} (ports below 1024 need privileges)`);
  return new ListenError(`cannot listen on port ${port} (${e.code ?? e.name})`);
}

/**
 * A C-STORE (and C-ECHO) SCP: the destination of our C-MOVEs and the gateway's front door. Instances are
 * streamed to the staging folder in whatever syntax the sender chose, without being parsed or re-encoded.
 */
export class StorageScp {
  private constructor(
    private readonly server: InstanceType<typeof Server>,
    readonly port: number,
  ) {}

  static async listen(options: StorageScpOptions): Promise<StorageScp> {
    class Receiver extends Scp {
      private readonly incoming: IncomingStores;
      constructor(socket: Socket, opts: ConstructorParameters<typeof Scp>[1]) {
        super(socket, opts);
        this.incoming = streamStoresTo(this, options.staging);
        // Each answer is one small PDU: without this it waits for the sender's delayed ACK.
        socket.setNoDelay(true);
        guardPdus(socket, () => {
          void this.incoming.discardAll();
          socket.destroy();
        });
        this.on('close', () => void this.incoming.discardAll());
      }
      override associationRequested(association: Association) {
        if (association.getCalledAeTitle().trim() !== options.aeTitle) {
          this.sendAssociationReject(
            RejectResult.Permanent,
            RejectSource.ServiceUser,
            RejectReason.CalledAeNotRecognized,
          );
          return;
        }
        if (options.callers && !options.callers.includes(association.getCallingAeTitle().trim())) {
          this.sendAssociationReject(
            RejectResult.Permanent,
            RejectSource.ServiceUser,
            RejectReason.CallingAeNotRecognized,
          );
          return;
        }
        for (const c of association.getPresentationContexts()) {
          const context = association.getPresentationContext(c.id);
          const abstract = context.getAbstractSyntaxUid();
          const syntaxes = context.getTransferSyntaxUids();
          if (abstract === SopClass.Verification || STORAGE_CLASSES.has(abstract))
            // The bytes are kept as they come, so any syntax the sender proposes is as good as another.
            context.setResult(PresentationContextResult.Accept, syntaxes[0]);
          else context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
        }
        this.sendAssociationAccept();
      }
      override associationReleaseRequested() {
        this.sendAssociationReleaseResponse();
      }
      override cEchoRequest(
        request: Parameters<ScpInstance['cEchoRequest']>[0],
        callback: (r: never) => void,
      ) {
        const response = CEchoResponse.fromRequest(request);
        response.setStatus(Status.Success);
        callback(response as never);
      }
      override cStoreRequest(request: StoreRequest, callback: Parameters<ScpInstance['cStoreRequest']>[1]) {
        void answerStore(this.incoming.take(request.getDataset()), request, options.onStored).then(callback);
      }
      override abort() {
        void this.incoming.discardAll();
      }
    }
    const server = new Server(Receiver);
    const timeout = options.timeoutMs ?? 30_000;
    server.listen(options.port, {
      connectTimeout: timeout,
      associationTimeout: timeout,
      pduTimeout: timeout,
    });
    const net = (server as unknown as { server?: import('node:net').Server }).server;
    const port = await new Promise<number>((resolve, reject) => {
      if (!net) return reject(new Error('storage SCP has no listening socket'));
      const ready = () => {
        const address = net.address();
        resolve(typeof address === 'object' && address ? address.port : options.port);
      };
      if (net.listening) ready();
      else {
        net.once('listening', ready);
        net.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, options.port)));
      }
    });
    return new StorageScp(server, port);
  }

  close(): void {
    this.server.close();
  }
}
