import { closeSync, constants, fchmodSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { fillFile } from './sink.js';

const POSIX = process.platform !== 'win32';
/** Never write through a link someone planted where an audit or key file goes. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Creates `dir` (and missing parents) readable by the owner only; an existing folder is left as it is.
 * Returns the first folder it created, as mkdirSync does.
 */
export function makePrivateDir(dir: string): string | undefined {
  return mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Opens `file` for writing with mode 0600, even when it already existed with a looser mode.
 * `exclusive` fails with EEXIST instead of replacing it.
 */
export function openPrivateFile(file: string, exclusive = false): number {
  const flags =
    constants.O_WRONLY | constants.O_CREAT | NO_FOLLOW | (exclusive ? constants.O_EXCL : constants.O_TRUNC);
  const fd = openSync(file, flags, 0o600);
  try {
    if (POSIX) fchmodSync(fd, 0o600);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/**
 * Replaces `file` with `text`, owner-only: written whole under a temporary name, on disk, then renamed over
 * it, so a crash leaves the old file or the new one, never a mix.
 */
export function replacePrivateFile(file: string, text: string): void {
  replacePrivateFileWith(file, (write) => write(text));
}

/** replacePrivateFile for text made piece by piece: `fill` writes it through `write`. */
export function replacePrivateFileWith(file: string, fill: (write: (text: string) => void) => void): void {
  const part = `${file}.part`;
  fillFile(openPrivateFile(part), fill);
  renameSync(part, file);
}

/** True when group or others may read or write the file (always false where modes do not apply). */
export const isExposed = (mode: number): boolean => POSIX && (mode & 0o077) !== 0;
