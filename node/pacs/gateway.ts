import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errorText } from '../../shared/errors.js';
import { type BatchFileResult, type BatchRequest, runBatch } from '../batch/run-batch.js';
import { replacePrivateFile } from '../reports/private-files.js';
import type { PeerNode } from './nodes.js';
import { StagingFolder } from './part10.js';
import { type Local, send, type Via } from './peer.js';
import { releaseList } from './releasable.js';
import { StorageScp } from './storage-scp.js';

export interface GatewayOptions {
  /** Holds the durable queue: incoming/ (received, identified), outgoing/ (de-identified), quarantine/. */
  readonly workDir: string;
  /** Our storage SCP: the AE title senders address and the port it listens on (0: any free port). */
  readonly aeTitle: string;
  readonly port: number;
  readonly destination: { readonly node: PeerNode; readonly via: Via; readonly local: Local };
  /** The project's profile and key; inputs and output folder are the gateway's. */
  readonly batch: Omit<BatchRequest, 'inputs' | 'outDir' | 'verify' | 'workers' | 'reports'>;
  /** How long a failed forward or a quarantined instance waits before it is tried again. */
  readonly retryMs?: number;
  /** A quarantined instance is retried this many times, then left for a person to look at. */
  readonly maxAttempts?: number;
  readonly onEvent?: (e: GatewayEvent) => void;
}

/** What the gateway tells its operator: counts and reasons in plain words, never a value from a file. */
export type GatewayEvent =
  | { readonly kind: 'received' }
  | { readonly kind: 'forwarded'; readonly count: number }
  | { readonly kind: 'quarantined'; readonly reason: string }
  | { readonly kind: 'forward-failed'; readonly count: number; readonly reason: string };

interface QuarantineNote {
  readonly reason: string;
  /** Where it goes back to: an identified input is de-identified again, an output only sent again. */
  readonly from: 'incoming' | 'outgoing';
  readonly attempts: number;
  readonly since: string;
}

const NOTE = '.reason.json';

/**
 * The de-identifying gateway: a storage SCP in front, the batch's per-file processing in the middle, a
 * sender behind. Every stage is a folder, and an instance moves between them by rename, so a crash at
 * any point leaves it in exactly one place and a restart picks up from there:
 * - an instance is acknowledged to the sender only once it is in incoming/ (else the sender retries);
 * - incoming/ is de-identified and verified into outgoing/ (keyed UIDs: doing it twice gives the same
 *   file), then removed; a failure moves it to quarantine/ with its reason;
 * - outgoing/ is forwarded, and each file removed once the destination confirmed it (sent twice after a
 *   crash, it is the same SOP instance, which an archive stores once).
 * Only files in outgoing/ are ever forwarded, and only when marked de-identified.
 */
export class Gateway {
  private readonly incoming: StagingFolder;
  private readonly outgoing: string;
  private readonly quarantine: string;
  private scp: StorageScp | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private nextForward = 0;
  private nextQuarantineRetry = 0;

  private constructor(private readonly options: GatewayOptions) {
    mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
    this.incoming = new StagingFolder(join(options.workDir, 'incoming'));
    this.outgoing = join(options.workDir, 'outgoing');
    this.quarantine = join(options.workDir, 'quarantine');
    mkdirSync(this.outgoing, { recursive: true, mode: 0o700 });
    mkdirSync(this.quarantine, { recursive: true, mode: 0o700 });
    // A part file is an instance whose sender was never told it arrived: it will be sent again.
    for (const name of readdirSync(this.incoming.dir))
      if (name.endsWith('.part')) rmSync(join(this.incoming.dir, name), { force: true });
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options);
    gateway.scp = await StorageScp.listen({
      aeTitle: options.aeTitle,
      port: options.port,
      staging: gateway.incoming,
      onStored: () => {
        options.onEvent?.({ kind: 'received' });
        gateway.kick();
      },
    });
    gateway.timer = setInterval(() => gateway.kick(), Math.min(gateway.retryMs, 5000));
    gateway.kick();
    return gateway;
  }

  get port(): number {
    return this.scp?.port ?? 0;
  }

  private get retryMs(): number {
    return this.options.retryMs ?? 60_000;
  }

  /** Runs a cycle now, or once more after the current one. Cycles never overlap. */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.cycle()
      .catch((e) => this.options.onEvent?.({ kind: 'forward-failed', count: 0, reason: errorText(e) }))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async cycle(): Promise<void> {
    this.retryQuarantined();
    await this.deidentify();
    if (Date.now() >= this.nextForward) await this.forward();
  }

  private async deidentify(): Promise<void> {
    const inputs = readdirSync(this.incoming.dir)
      .filter((n) => n.endsWith('.dcm'))
      .sort()
      .map((n) => join(this.incoming.dir, n));
    if (inputs.length === 0) return;
    const done = (r: BatchFileResult) =>
      r.status === 'written' ||
      (r.status === 'skipped' && (r.output !== null || r.outcome?.status === 'written'));
    await runBatch(
      { ...this.options.batch, inputs, outDir: this.outgoing, verify: true, workers: 0 },
      {
        onFile: (r) => {
          if (done(r)) rmSync(r.input, { force: true });
          else this.toQuarantine(r.input, 'incoming', r.reason ?? 'not de-identified');
        },
      },
    );
    this.nextForward = 0; // new work: forward it now, not at the next retry time
  }

  private async forward(): Promise<void> {
    const list = await releaseList([this.outgoing]);
    for (const path of list.refused)
      this.toQuarantine(path, 'outgoing', 'an output without the de-identified mark');
    if (list.send.length === 0) return;
    const { node, via, local } = this.options.destination;
    let sent = 0;
    const failures: string[] = [];
    try {
      await send(node, via, local, list.send, (r) => {
        if (r.status === 'sent') {
          rmSync(r.path, { force: true });
          sent++;
        } else if (r.status === 'not-accepted')
          this.toQuarantine(r.path, 'outgoing', r.reason ?? 'not accepted');
        else failures.push(r.reason ?? 'not stored');
      });
    } catch (e) {
      failures.push(errorText(e));
    }
    this.pruneEmptyFolders(this.outgoing);
    if (sent > 0) this.options.onEvent?.({ kind: 'forwarded', count: sent });
    if (failures.length > 0) {
      this.nextForward = Date.now() + this.retryMs;
      this.options.onEvent?.({ kind: 'forward-failed', count: failures.length, reason: failures[0]! });
    }
  }

  /** Moves a file to quarantine/ with a note saying why and how often it was tried. */
  private toQuarantine(path: string, from: QuarantineNote['from'], reason: string): void {
    const name = basename(path);
    const target = join(this.quarantine, name);
    let attempts = 0;
    try {
      attempts = (JSON.parse(readFileSync(`${target}${NOTE}`, 'utf8')) as QuarantineNote).attempts;
    } catch {
      // first time here
    }
    try {
      renameSync(path, target);
    } catch {
      return; // already moved or gone: nothing to quarantine
    }
    const note: QuarantineNote = { reason, from, attempts: attempts + 1, since: new Date().toISOString() };
    // Replaced whole: the retry schedule and anyone looking at quarantine/ may read it while it is rewritten.
    replacePrivateFile(`${target}${NOTE}`, JSON.stringify(note));
    this.options.onEvent?.({ kind: 'quarantined', reason });
  }

  /** On the retry schedule, quarantined instances go back to incoming/ until they run out of attempts. */
  private retryQuarantined(): void {
    if (Date.now() < this.nextQuarantineRetry) return;
    this.nextQuarantineRetry = Date.now() + this.retryMs;
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (const name of readdirSync(this.quarantine)) {
      if (name.endsWith(NOTE)) continue;
      let note: QuarantineNote | undefined;
      try {
        note = JSON.parse(readFileSync(join(this.quarantine, `${name}${NOTE}`), 'utf8')) as QuarantineNote;
      } catch {
        continue;
      }
      if (note.attempts >= maxAttempts) continue;
      const back = note.from === 'incoming' ? this.incoming.dir : this.outgoing;
      try {
        renameSync(join(this.quarantine, name), join(back, name));
      } catch {
        // gone meanwhile: nothing to retry
      }
    }
  }

  private pruneEmptyFolders(dir: string): boolean {
    let empty = true;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) {
        const child = join(dir, entry.name);
        if (this.pruneEmptyFolders(child)) rmdirSync(child);
        else empty = false;
      } else empty = false;
    }
    return empty;
  }

  /** Stops receiving, lets the current cycle finish; the queue stays on disk for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.scp?.close();
    await this.running;
  }

  /** Resolves when incoming/ and outgoing/ are empty (tests, and a clean shutdown). */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const pending =
        readdirSync(this.incoming.dir).length + (await releaseList([this.outgoing])).send.length;
      if (pending === 0 && !this.running) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }
}
