import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { DicomError } from '../shared/dicom/errors.js';
import type { ByteSource } from '../shared/dicom/source.js';
import { CodedError } from '../shared/errors.js';

/** First read: the whole header of most files (three in four of the corpus need under 10 kB). */
export const FIRST_WINDOW = 16 * 1024;
/** Reads after a jump (past pixel data, to the next fragment) are small: usually one header is wanted. */
const JUMP_WINDOW = 4 * 1024;
/** Reading on from the end of the window doubles it up to this, so long headers take few reads. */
const MAX_WINDOW = 1024 * 1024;
const ALIGN = 4 * 1024;

/**
 * A file read through a cached window, for the parser's small looks at element headers: a large value
 * (pixel data) is skipped by offset, never read, so a 1 GB multi-frame file costs a few reads.
 * Windows are fresh arrays, so views handed out earlier stay valid after the window moves; all but the first
 * window when the caller lends one (see openInput).
 */
export class FileSource implements ByteSource {
  /** The cached window, handed out as it is: a new object only when it moves (callers look many times). */
  private cache: { readonly bytes: Uint8Array; readonly base: number } = {
    bytes: new Uint8Array(0),
    base: 0,
  };
  private total = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly firstWindow?: Uint8Array,
  ) {}

  /** Bytes read from the file so far. */
  get bytesRead(): number {
    return this.total;
  }

  window(offset: number, minLength: number): { readonly bytes: Uint8Array; readonly base: number } {
    const end = Math.min(this.size, offset + minLength);
    if (offset >= this.size) return { bytes: new Uint8Array(0), base: offset };
    if (!this.covers(offset, end)) {
      const { bytes, base } = this.cache;
      const readingOn = bytes.length > 0 && offset >= base && offset <= base + bytes.length;
      const wanted = bytes.length === 0 ? FIRST_WINDOW : readingOn ? 2 * bytes.length : JUMP_WINDOW;
      // Aligned starts let the parser look a little back (preamble, then byte 0) without another read.
      const start = offset - (offset % ALIGN);
      const length = Math.min(this.size - start, Math.max(end - start, Math.min(MAX_WINDOW, wanted)));
      const lent = bytes.length === 0 && this.firstWindow && length <= this.firstWindow.length;
      this.cache = { bytes: this.readAt(start, length, lent ? this.firstWindow : undefined), base: start };
    }
    return this.cache;
  }

  read(offset: number, length: number): Uint8Array {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    // A value larger than a window (a writer copying pixel data) goes straight to the caller, uncached.
    if (!this.covers(offset, end) && end - offset > MAX_WINDOW) return this.readAt(offset, end - offset);
    const { bytes, base } = this.window(offset, end - offset);
    return bytes.subarray(offset - base, end - base);
  }

  /** Closes the file; the source must not be read afterwards. */
  close(): void {
    closeSync(this.fd);
  }

  private covers(offset: number, end: number): boolean {
    const { bytes, base } = this.cache;
    return offset >= base && end <= base + bytes.length;
  }

  /** Fills `target` with the bytes from `position` on, bypassing the window: for callers that keep a buffer. */
  readInto(target: Uint8Array, position: number): void {
    let done = 0;
    while (done < target.length) {
      const n = readSync(this.fd, target, done, target.length - done, position + done);
      if (n === 0) {
        throw new DicomError(
          'truncated',
          `the file ended at byte ${position + done} while being read (was it changed?)`,
        );
      }
      done += n;
    }
    this.total += target.length;
  }

  private readAt(position: number, length: number, into?: Uint8Array): Uint8Array {
    const bytes = into ? into.subarray(0, length) : new Uint8Array(length);
    this.readInto(bytes, position);
    return bytes;
  }
}

export type InputErrorCode = 'not-found' | 'directory' | 'not-regular' | 'unreadable';

/** Why a path could not be opened as an input file. The message names no path: callers add it. */
export class InputError extends CodedError<InputErrorCode> {
  override readonly name = 'InputError';
}

export const isInputError = (e: unknown): e is InputError => e instanceof InputError;

function inputErrorFor(e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError('not-found', 'no such file');
  if (code === 'EISDIR') return new InputError('directory', 'this is a folder, not a file');
  if (code === 'EACCES' || code === 'EPERM') return new InputError('unreadable', 'permission denied');
  return new InputError('unreadable', `the file could not be opened (${code ?? 'unknown error'})`);
}

export interface OpenInput {
  readonly source: FileSource;
  /** Closes the file (the same as `source.close()`). */
  close(): void;
}

// Without O_NONBLOCK, opening a named pipe waits for a writer that may never come.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Opens a regular file read-only, for parsing. Synchronous on purpose: on local disks an open, stat and
 * first read cost a few microseconds each, a quarter of what the promise versions cost the calling thread;
 * callers that must not block (the app's main process) run it in a worker.
 *
 * `firstWindow` (FIRST_WINDOW bytes) is filled with the first read instead of a fresh array: a caller that
 * reads many files one after another and keeps nothing of them (no view of their bytes) past closing each
 * lends the same one to all, sparing an allocation per file.
 */
export function openInput(path: string | Uint8Array, firstWindow?: Uint8Array): OpenInput {
  let fd: number;
  try {
    // Bytes arrive from a worker message as a plain Uint8Array: the same bytes, seen as a Buffer.
    fd = openSync(
      typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength),
      OPEN_FLAGS,
    );
  } catch (e) {
    throw inputErrorFor(e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError('directory', 'this is a folder, not a file');
    if (!stat.isFile()) throw new InputError('not-regular', 'not a regular file (a device, pipe or socket)');
    const source = new FileSource(fd, stat.size, firstWindow);
    return { source, close: () => source.close() };
  } catch (e) {
    closeSync(fd);
    throw e instanceof InputError ? e : inputErrorFor(e);
  }
}
