import { createHash } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AnonymizeResult } from '../../shared/anonymize/engine.js';
import { isSkippedInput } from '../../shared/anonymize/errors.js';
import type { AnonymizationKey } from '../../shared/anonymize/key.js';
import { describeHit, findResidualIdentifiers } from '../../shared/anonymize/verify.js';
import { isDicomError } from '../../shared/dicom/errors.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { type ByteSource, MemorySource } from '../../shared/dicom/source.js';
import type { Chunk, SourceRange } from '../../shared/dicom/write.js';
import { type DirectoryFacts, directoryFacts } from '../../shared/dicomdir/facts.js';
import { errorText, ReportableError } from '../../shared/errors.js';
import type { PixelOutcome } from '../../shared/pixels/outcome.js';
import type { Profile } from '../../shared/profile/index.js';
import { openInput } from '../file-source.js';
import { nativeKey } from '../native-key.js';
import type { ReportPart } from '../reports/types.js';
import { FrameSpillFile } from './frame-spill.js';
import { InputPass, type RingPlace } from './input-pass.js';
import { relativeOutputPath } from './output-path.js';
import { anonymizeWithPixels, type PixelTools, pixelResidue } from './pixel-pass.js';
import { hashingThread } from './sha256-thread.js';
import { lap, type StageTimes, startClock, stopClock } from './stage-clock.js';

/** Everything a worker needs to process files; structured-cloneable so it can cross into a thread. */
export interface WorkerConfig {
  readonly tempDir: string;
  readonly profile: Profile;
  readonly keySecret: Uint8Array;
  readonly crosswalk?: ReadonlyArray<readonly [string, string]>;
  readonly toolVersion: string;
  readonly verify: boolean;
  /** Read the facts a DICOMDIR record needs from each output. */
  readonly dicomdir?: boolean;
  /** Time each stage of each file (`--profile-stages`). */
  readonly profileStages?: boolean;
}

export interface FileTask {
  readonly id: number;
  /** The path as the system gives it: bytes when a name in it is not valid UTF-8. */
  readonly input: string | Uint8Array;
}

/** A file written to the temporary folder and checked; the batch moves it into place. */
export interface WrittenFile {
  readonly id: number;
  readonly status: 'written';
  readonly tempPath: string;
  readonly relativeOutput: string;
  readonly inputBytes: number;
  readonly inputSha256: string;
  readonly outputSha256: string;
  readonly verification: 'passed' | 'not-run';
  /** The output's pixels were read again (searched or cleaned files): absent when they were not. */
  readonly pixelVerification?: 'passed';
  readonly report: AnonymizeResult['report'];
  /** The report's part of the shareable entry, rendered by the worker (its `report` then has no attributes). */
  readonly reportPart?: ReportPart;
  readonly mapping: AnonymizeResult['mapping'];
  readonly identity: AnonymizeResult['identity'];
  /** Not at risk, cleaned, or accepted by a rule (the reason names it): never held here. */
  readonly pixels: PixelOutcome;
  readonly directory?: DirectoryFacts;
}

/**
 * An input that does not reach the output folder. `held`: its pixels may show identity (the engine's
 * pixel gate says why). A held file, and one that failed the residual check, leave their de-identified
 * copy at `review` in the temporary folder: the batch keeps it on site for a person to look at.
 */
export interface NotWritten {
  readonly id: number;
  readonly status: 'skipped' | 'failed' | 'held';
  /** Plain words naming tags, keywords and offsets only. */
  readonly reason: string;
  readonly inputBytes: number;
  readonly verification: 'passed' | 'failed' | 'not-run';
  /** Failed: the written pixels still showed the file's identity. */
  readonly pixelVerification?: 'failed';
  readonly review?: string;
  /** For a held file: the engine's pixel outcome. */
  readonly pixels?: PixelOutcome;
  /** The output's disk is full: no later file can be written either. */
  readonly diskFull?: boolean;
}

/** What a file's stages took, when the batch profiles them. */
export type FileOutcome = (WrittenFile | NotWritten) & { readonly stages?: StageTimes };

// Big enough for fast sequential I/O, small enough that a 1 GB pixel value streams in bounded memory.
const COPY_PIECE = 4 * 1024 * 1024;
// Below this an input is read once, whole: parsing, copying and hashing then touch memory, not the disk.
const WHOLE_FILE_LIMIT = 32 * 1024 * 1024;
const GATHER = 64 * 1024;

// One input and one output buffer per thread, reused file after file: a fresh 0.5 MB array per file costs
// more in page faults and garbage collection than the read itself. Safe because a thread processes one file
// at a time (the worker queues its tasks): nothing else touches them until processFile returns.
const buffers = { input: new Uint8Array(0), output: new Uint8Array(0) };
function reusableBuffer(which: keyof typeof buffers, size: number): Uint8Array {
  if (buffers[which].length < size)
    buffers[which] = new Uint8Array(Math.max(size, 2 * buffers[which].length));
  return buffers[which].subarray(0, size);
}

function writeAll(fd: number, bytes: Uint8Array) {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes the output chunks to `path` and returns its SHA-256, computed in the same pass. An output up to
 * WHOLE_FILE_LIMIT is assembled in memory and written at once, and its bytes are returned: the residual
 * check reads them there instead of reading the file back. A larger one streams its copied ranges, the
 * many small chunks of its re-encoded header gathered so that it costs a few writes, and is hashed on
 * another thread. Ranges of a large input are read through its one pass, which hashes the input on the way.
 */
function writeChunks(
  path: string,
  chunks: readonly Chunk[],
  input: InputPass | undefined,
): { sha256: string; bytes?: Uint8Array } {
  const copy = (c: SourceRange, use: (bytes: Uint8Array, place?: RingPlace) => void) => {
    if (input?.reads(c.source)) return input.copy(c.offset, c.length, use);
    for (let at = 0; at < c.length; at += COPY_PIECE)
      use(c.source.read(c.offset + at, Math.min(COPY_PIECE, c.length - at)));
  };
  const size = chunks.reduce((n, c) => n + c.length, 0);
  // The temporary folder is owner-only, so an unchecked copy is private until it is moved into place.
  const fd = openSync(path, 'wx', 0o644);
  try {
    if (size <= WHOLE_FILE_LIMIT) {
      const whole = reusableBuffer('output', size);
      let at = 0;
      const append = (bytes: Uint8Array) => {
        whole.set(bytes, at);
        at += bytes.length;
      };
      for (const c of chunks) {
        if (c instanceof Uint8Array) append(c);
        else copy(c, append);
      }
      writeAll(fd, whole);
      return { sha256: createHash('sha256').update(whole).digest('hex'), bytes: whole };
    }
    const gather = new Uint8Array(GATHER);
    let gathered = 0;
    const flush = () => {
      if (gathered > 0) writeAll(fd, gather.subarray(0, gathered));
      gathered = 0;
    };
    // Hashed on another thread: this one only reads and writes.
    const hash = hashingThread('output');
    const put = (bytes: Uint8Array, place?: RingPlace) => {
      hash.add(bytes, place);
      if (bytes.length > GATHER - gathered) {
        flush();
        if (bytes.length > GATHER / 2) return writeAll(fd, bytes);
      }
      gather.set(bytes, gathered);
      gathered += bytes.length;
    };
    try {
      for (const c of chunks) {
        if (c instanceof Uint8Array) put(c);
        else copy(c, put);
      }
      flush();
    } catch (e) {
      hash.discard();
      throw e;
    }
    return { sha256: hash.digest() };
  } finally {
    closeSync(fd);
  }
}

/** The SHA-256 of a file, or undefined when it cannot be read (gone, say). */
export function sha256OfFile(path: string): string | undefined {
  try {
    const file = openInput(path);
    try {
      return sha256Of(file.source);
    } finally {
      file.close();
    }
  } catch {
    return undefined;
  }
}

function sha256Of(source: ByteSource): string {
  const hash = createHash('sha256');
  for (let at = 0; at < source.size; at += COPY_PIECE)
    hash.update(source.read(at, Math.min(COPY_PIECE, source.size - at)));
  return hash.digest('hex');
}

// Made once per worker configuration, not per file: a site's whole crosswalk rebuilt for every file cost
// its size each time, and the key holds the keyed HMAC state its digests reuse.
const engineInputs = new WeakMap<
  WorkerConfig,
  { key: AnonymizationKey; crosswalk?: ReadonlyMap<string, string> }
>();
function engineInputsOf(config: WorkerConfig) {
  let inputs = engineInputs.get(config);
  if (!inputs) {
    inputs = {
      key: nativeKey(config.keySecret),
      ...(config.crosswalk ? { crosswalk: new Map(config.crosswalk) } : {}),
    };
    engineInputs.set(config, inputs);
  }
  return inputs;
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

const failed = (id: number, inputBytes: number, reason: string, cause?: unknown): NotWritten => ({
  id,
  status: 'failed',
  reason,
  inputBytes,
  verification: 'not-run',
  ...(DISK_FULL.has((cause as NodeJS.ErrnoException | undefined)?.code ?? '') ? { diskFull: true } : {}),
});

/** Why an input failed, in words safe for logs and reports: a system error here means the output. */
export const failureReason = (e: unknown): string =>
  e instanceof Error && 'code' in e && !(e instanceof ReportableError)
    ? `the output could not be written: ${errorText(e)}`
    : errorText(e);

/** processFile, with what each of its stages took when the batch profiles them. */
export async function processFileTimed(
  task: FileTask,
  config: WorkerConfig,
  tools: PixelTools,
): Promise<FileOutcome> {
  if (!config.profileStages) return processFile(task, config, tools);
  startClock();
  const outcome = await processFile(task, config, tools);
  const stages = stopClock();
  return stages ? { ...outcome, stages } : outcome;
}

/**
 * One input through the engine: read-only open, parse, de-identify, write to a temporary file, and the
 * residual check on the written bytes. Never throws: every outcome is a status with a reason.
 */
export async function processFile(
  task: FileTask,
  config: WorkerConfig,
  tools: PixelTools,
): Promise<FileOutcome> {
  let input: ReturnType<typeof openInput>;
  try {
    input = openInput(task.input);
  } catch (e) {
    return failed(task.id, 0, failureReason(e));
  }
  const inputBytes = input.source.size;
  let source: ByteSource = input.source;
  let result: AnonymizeResult;
  let pass: Awaited<ReturnType<typeof anonymizeWithPixels>>;
  let tempPath = '';
  let relativeOutput: string;
  let outputSha256: string;
  let outputBytes: Uint8Array | undefined;
  let inputSha256: string;
  // Cleaned compressed frames wait here for the writer; gone once the output is written or has failed.
  const spill = new FrameSpillFile(join(config.tempDir, `${task.id}.frames`));
  // A small input is read whole and hashed in memory; a large one is hashed as the writer reads it.
  const largeInput = inputBytes > WHOLE_FILE_LIMIT ? new InputPass(input.source) : undefined;
  try {
    if (!largeInput) {
      const whole = reusableBuffer('input', inputBytes);
      input.source.readInto(whole, 0);
      source = new MemorySource(whole);
    }
    lap('read');
    let parsed: ReturnType<typeof parseDicom> | undefined;
    try {
      parsed = parseDicom(source);
      lap('parse');
    } catch (e) {
      if (isDicomError(e) && (e.code === 'not-dicom' || e.code === 'empty')) {
        return { id: task.id, status: 'skipped', reason: e.message, inputBytes, verification: 'not-run' };
      }
      throw e;
    }
    try {
      pass = await anonymizeWithPixels(
        parsed,
        {
          profile: config.profile,
          ...engineInputsOf(config),
          toolVersion: config.toolVersion,
        },
        tools,
        spill,
      );
      result = pass.result;
    } catch (e) {
      if (isSkippedInput(e))
        return { id: task.id, status: 'skipped', reason: e.message, inputBytes, verification: 'not-run' };
      throw e;
    }
    parsed = undefined;
    relativeOutput = relativeOutputPath(result.identity);
    lap('de-identify');
    tempPath = join(config.tempDir, `${task.id}.part`);
    ({ sha256: outputSha256, bytes: outputBytes } = writeChunks(tempPath, result.chunks, largeInput));
    lap('write');
    inputSha256 = largeInput ? largeInput.digest() : sha256Of(source);
    lap('hash input');
  } catch (e) {
    if (tempPath) unlinkQuietly(tempPath);
    return failed(task.id, inputBytes, failureReason(e), e);
  } finally {
    largeInput?.abandon();
    spill.close();
    input.close();
  }

  const done: WrittenFile = {
    id: task.id,
    status: 'written',
    tempPath,
    relativeOutput,
    inputBytes,
    inputSha256,
    outputSha256,
    verification: 'not-run',
    report: result.report,
    mapping: result.mapping,
    identity: result.identity,
    pixels: pass.pixels,
  };
  const checked = (verification: 'passed' | 'not-run', directory?: DirectoryFacts): FileOutcome =>
    pass.pixels.status === 'held'
      ? {
          id: task.id,
          status: 'held',
          reason: pass.pixels.reason ?? 'the pixels may show identity',
          inputBytes,
          verification,
          review: tempPath,
          pixels: pass.pixels,
        }
      : { ...done, verification, ...(directory ? { directory } : {}) };
  if (!config.verify && !config.dicomdir) return checked('not-run');
  try {
    // Checked from the bytes just written when they are still in memory; a larger output is read back.
    const out = outputBytes
      ? { source: new MemorySource(outputBytes), close: () => {} }
      : openInput(tempPath);
    let hits: ReturnType<typeof findResidualIdentifiers> = [];
    let pixelHit: string | undefined;
    let pixelsRead = false;
    let directory: DirectoryFacts | undefined;
    try {
      const parsedOutput = parseDicom(out.source);
      if (config.verify)
        hits = findResidualIdentifiers(parsedOutput, result.removedIdentifiers, relativeOutput);
      if (config.dicomdir) directory = directoryFacts(parsedOutput);
      lap('verify');
      if (config.verify && hits.length === 0 && pass.pixels.status !== 'held' && pass.needles) {
        pixelHit = await pixelResidue(parsedOutput, pass, tools);
        pixelsRead = true;
        lap('verify pixels');
      }
    } finally {
      out.close();
    }
    const failedCheck = (reason: string, pixels = false): FileOutcome => ({
      id: task.id,
      status: 'failed',
      reason,
      inputBytes,
      verification: 'failed',
      review: tempPath,
      ...(pixels ? { pixelVerification: 'failed' as const } : {}),
    });
    if (hits.length > 0) {
      const more = hits.length > 1 ? ` (and ${hits.length - 1} more)` : '';
      return failedCheck(`verification: ${describeHit(hits[0]!)}${more}`);
    }
    if (pixelHit) return failedCheck(`verification of the pixels: ${pixelHit}`, true);
    const outcome = checked(config.verify ? 'passed' : 'not-run', directory);
    return pixelsRead && outcome.status === 'written' ? { ...outcome, pixelVerification: 'passed' } : outcome;
  } catch (e) {
    unlinkQuietly(tempPath);
    return failed(task.id, inputBytes, `verification could not read the output back: ${failureReason(e)}`);
  }
}

export function unlinkQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to clean.
  }
}
