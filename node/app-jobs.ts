import { Worker } from 'node:worker_threads';
import type { AnonymizationKey } from '../shared/anonymize/key.js';
import { errorText, ReportableError } from '../shared/errors.js';
import type { Comparison, FileRow, FrameImage, Inspection, PixelCheck } from '../shared/ipc/contract.js';
import type { Profile } from '../shared/profile/index.js';
import { compareParsed, deidentifiedFrame } from './app-compare.js';
import { decodeFrame } from './app-image.js';
import type { InspectOptions } from './app-inspect.js';
import { inspectParsed } from './app-inspect.js';
import { readRow } from './app-library.js';
import { checkPixels } from './app-pixels.js';
import { withParsedFile } from './app-read.js';
import { type RegionFacts, regionFacts } from './app-regions.js';
import { PixelTools } from './batch/pixel-pass.js';

/** The reading work the window asks for, done away from the thread that answers it. */
export type Job =
  | { readonly kind: 'row'; readonly id: number; readonly path: string }
  | {
      readonly kind: 'inspect';
      readonly path: string;
      readonly profile: Profile;
      readonly key: AnonymizationKey;
      readonly toolVersion: string;
    }
  | {
      readonly kind: 'compare' | 'pixels';
      readonly path: string;
      readonly profile: Profile;
      readonly key: AnonymizationKey;
      readonly toolVersion: string;
    }
  | {
      readonly kind: 'frame';
      readonly path: string;
      readonly frame: number;
      /** The frame of the engine's de-identified copy made with these, rather than of the file itself. */
      readonly deidentified?: InspectOptions;
    }
  | { readonly kind: 'facts'; readonly path: string };

export type InspectDetails = Omit<Inspection, 'id' | 'name' | 'pixelRules' | 'device'> & {
  readonly facts: RegionFacts;
};

// The thread's codecs and text reader, made on first need (as in each batch thread) and kept for the next file.
let pixelTools: PixelTools | undefined;

/** Ends this thread's text reader (tests; a worker's ends with it). */
export async function closePixelTools(): Promise<void> {
  const tools = pixelTools;
  pixelTools = undefined;
  await tools?.close();
}

const tools = (): PixelTools => {
  pixelTools ??= new PixelTools();
  return pixelTools;
};

/** Does one job in the calling thread: what the worker runs, and what runs when there is no worker. */
export async function runJob(
  job: Job,
): Promise<
  FileRow | InspectDetails | FrameImage | RegionFacts | Omit<Comparison, 'id'> | Omit<PixelCheck, 'id'>
> {
  if (job.kind === 'row') return readRow(job.id, job.path);
  if (job.kind === 'compare')
    return withParsedFile(job.path, (parsed) =>
      compareParsed(parsed, job, { path: job.path, tools: tools() }),
    );
  if (job.kind === 'pixels') {
    return withParsedFile(job.path, (parsed) =>
      checkPixels(
        parsed,
        { profile: job.profile, key: job.key, toolVersion: job.toolVersion },
        tools(),
        job.path,
      ),
    );
  }
  if (job.kind === 'facts') return withParsedFile(job.path, regionFacts);
  if (job.kind === 'frame') {
    const copy = job.deidentified;
    return withParsedFile(job.path, (parsed) =>
      copy
        ? deidentifiedFrame(parsed, copy, { path: job.path, tools: tools() }, job.frame)
        : decodeFrame(parsed, job.frame),
    );
  }
  return withParsedFile(job.path, (parsed) => ({
    ...inspectParsed(parsed, { profile: job.profile, key: job.key, toolVersion: job.toolVersion }),
    facts: regionFacts(parsed),
  }));
}

/** What a worker answers: errors as their reportable words only, so no value crosses in a stack. */
export type JobReply = { readonly id: number } & (
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string }
);

export const replyTo = async (id: number, job: Job): Promise<JobReply> => {
  try {
    return { id, ok: true, value: await runJob(job) };
  } catch (error) {
    return { id, ok: false, message: errorText(error) };
  }
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** The file the job is for: a job for another file supersedes it on the view lane. */
  readonly file: number;
}

/** One worker thread and its jobs in flight; a reset ends the thread and fails every job in it. */
class Lane {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor(private readonly script: string) {}

  run(job: Job, file: number): Promise<unknown> {
    const worker = this.worker ?? this.spawn();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, file });
      worker.postMessage({ id, job });
    });
  }

  /** Stops work for any other file: a large frame or an inflating file of the last selection is abandoned. */
  supersede(file: number) {
    if ([...this.pending.values()].some((job) => job.file !== file)) {
      this.reset(new ReportableError('another file was selected'));
    }
  }

  reset(error: Error) {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    // An idle worker must not keep the app (or a test) alive.
    worker.unref();
    worker.on('message', (reply: JobReply) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (reply.ok) job.resolve(reply.value);
      else job.reject(new ReportableError(reply.message));
    });
    worker.on('error', () => {
      if (this.worker === worker) this.reset(new ReportableError('the file could not be read'));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.reset(new ReportableError('the file could not be read'));
    });
    this.worker = worker;
    return worker;
  }
}

/**
 * Scanning, inspecting and decoding frames in worker threads, so a file that inflates to the cap or a large
 * JPEG 2000 frame never freezes the window; without a worker script (unit tests) they run in this thread.
 * The view lane serves the selected file: selecting another cancels what is still being done for the last.
 */
export class AppJobs {
  private readonly scan: Lane | undefined;
  private readonly view: Lane | undefined;
  /** "Check image text now": a lane of its own, so selecting files neither stops it nor waits for it. */
  private readonly checks: Lane | undefined;

  constructor(script?: string) {
    this.scan = script ? new Lane(script) : undefined;
    this.view = script ? new Lane(script) : undefined;
    this.checks = script ? new Lane(script) : undefined;
  }

  row = (id: number, path: string): Promise<FileRow> =>
    this.scan ? (this.scan.run({ kind: 'row', id, path }, id) as Promise<FileRow>) : readRow(id, path);

  inspect = (file: number, job: Job & { kind: 'inspect' }) =>
    this.forFile(file, job) as Promise<InspectDetails>;

  frame = (file: number, job: Job & { kind: 'frame' }) => this.forFile(file, job) as Promise<FrameImage>;

  compare = (file: number, job: Job & { kind: 'compare' }) =>
    this.forFile(file, job) as Promise<Omit<Comparison, 'id'>>;

  /** The selected file's pixel outcome: OCR, so slow; selecting another file abandons it. */
  pixels = (file: number, job: Job & { kind: 'pixels' }) =>
    this.forFile(file, job) as Promise<Omit<PixelCheck, 'id'>>;

  /** Header facts for region rules; on the scan lane, so reading them never cancels the selected file's work. */
  facts = (path: string): Promise<RegionFacts> =>
    this.scan
      ? (this.scan.run({ kind: 'facts', path }, 0) as Promise<RegionFacts>)
      : (runJob({ kind: 'facts', path }) as Promise<RegionFacts>);

  private forFile(file: number, job: Job): Promise<unknown> {
    if (!this.view) return runJob(job);
    this.view.supersede(file);
    return this.view.run(job, file);
  }

  /** One file's pixel check for "Check image text now", one after another on the checking lane. */
  checkPixels = (job: Job & { kind: 'pixels' }) =>
    (this.checks ? this.checks.run(job, 0) : runJob(job)) as Promise<Omit<PixelCheck, 'id'>>;

  /** "Check image text now" was cancelled: the file being read is abandoned. */
  stopChecks() {
    this.checks?.reset(new ReportableError('the check was cancelled'));
  }

  /** The list was cleared: reading for it stops. */
  stopScan() {
    this.scan?.reset(new ReportableError('the list was cleared'));
  }
}
