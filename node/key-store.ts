import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type AnonymizationKey, KEY_BYTES, keyFingerprint, keyFromBytes } from '../shared/anonymize/key.js';
import { ReportableError } from '../shared/errors.js';
import { privateHome } from './reports/locations.js';
import { isExposed, makePrivateDir } from './reports/private-files.js';

/**
 * The secret behind every pseudonym, UID and date shift of a project. Whoever holds it can link outputs
 * back to the originals they have, so it is kept owner-only and never printed, only its fingerprint.
 *
 * File format: the secret as hex on one line, the same as the app's project key (node/app-key),
 * so a key moves between the app and the command line, and survives e-mail and copy-paste.
 */
export interface StoredKey {
  readonly key: AnonymizationKey;
  readonly fingerprint: string;
  readonly path: string;
  /** True when this call made a new key. */
  readonly created: boolean;
}

export class KeyFileError extends ReportableError {
  override name = 'KeyFileError';
}

export const defaultKeyPath = (home: string = homedir()): string => join(privateHome(home), 'project.key');

const encode = (secret: Uint8Array): string => `${Buffer.from(secret).toString('hex')}\n`;

function decode(text: string, path: string): AnonymizationKey {
  const hex = text.trim();
  if (!/^(?:[0-9a-fA-F]{2}){16,}$/.test(hex)) {
    throw new KeyFileError(`${path} is not a dicom-deid key file (expected hexadecimal digits on one line)`);
  }
  return keyFromBytes(new Uint8Array(Buffer.from(hex, 'hex')));
}

const stored = (key: AnonymizationKey, path: string, created: boolean): StoredKey => ({
  key,
  fingerprint: keyFingerprint(key),
  path,
  created,
});

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** Reads a key file, refusing one that other users can read (they could then undo the pseudonyms). */
export function loadKey(path: string): StoredKey {
  const stats = statSync(path);
  if (!stats.isFile()) throw new KeyFileError(`${path} is not a file`);
  if (isExposed(stats.mode)) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    throw new KeyFileError(
      `the key file ${path} can be read or changed by other users (mode ${mode}); ` +
        `make it private with: chmod 600 "${path}"`,
    );
  }
  return stored(decode(readFileSync(path, 'utf8'), path), path, false);
}

/**
 * Why `secret` is too predictable to protect anyone, or null when it is not. Random bytes never look like
 * this (the chance is far below 2^-100 for 16 bytes); a key typed or made up by hand often does.
 */
export function weakKeyReason(secret: Uint8Array): string | null {
  const n = secret.length;
  for (let period = 1; period <= n / 2; period++) {
    if (secret.every((b, i) => i < period || b === secret[i - period])) {
      return period === 1 ? 'every byte of it is the same' : 'it repeats a short pattern';
    }
  }
  const step = (secret[1]! - secret[0]! + 256) % 256;
  if (secret.every((b, i) => i === 0 || (b - secret[i - 1]! + 256) % 256 === step))
    return 'it counts up or down';
  if (new Set(secret).size < n / 4) return 'it uses only a few different byte values';
  return null;
}

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
// Errors of file systems that have no owner or mode (FAT, exFAT): the file is as private as the stick.
const NO_MODES = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EINVAL', 'ENOSYS']);

/**
 * Writes a new key file (0600, its folder 0700 when created) unless one exists: false then.
 * Created with O_EXCL, which every file system supports (FAT and exFAT sticks have no hard links): the
 * create fails rather than replaces, so two processes starting at once share one key. A write that fails
 * half way removes the file, so a key file that exists is whole.
 */
function writeNewKeyFile(path: string, secret: Uint8Array): boolean {
  makePrivateDir(dirname(path));
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    try {
      if (process.platform !== 'win32') fchmodSync(fd, 0o600);
    } catch (e) {
      if (!NO_MODES.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
    const bytes = Buffer.from(encode(secret));
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(path);
    throw e;
  }
  closeSync(fd);
  return true;
}

/**
 * loadKey, waiting a moment for a key file another process has just created and not yet written (the
 * O_EXCL create and the write are two steps).
 */
function loadFreshKey(path: string): StoredKey {
  for (let attempt = 0; ; attempt++) {
    if (statSync(path).size > 0 || attempt === 50) return loadKey(path);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** The key at `path`, made from 32 random bytes on first use. */
export function loadOrCreateKey(path: string = defaultKeyPath()): StoredKey {
  try {
    return loadKey(path);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  const key = keyFromBytes(new Uint8Array(randomBytes(KEY_BYTES)));
  return writeNewKeyFile(path, key.secret) ? stored(key, path, true) : loadFreshKey(path);
}

/**
 * Installs the key in file `from` (say, another site's export) at `to`. The source's permissions are not
 * checked: it may sit on a USB stick whose file system has none. A key too predictable to keep anyone's
 * identity secret is refused. A different key already at `to` is never replaced, since every pseudonym
 * made with it would stop matching.
 */
export function importKey(from: string, to: string = defaultKeyPath()): StoredKey {
  const key = decode(readFileSync(from, 'utf8'), from);
  const weak = weakKeyReason(key.secret);
  if (weak) {
    throw new KeyFileError(
      `the key in ${from} is not random enough to protect anyone (${weak}); ` +
        'use a key exported by dicom-deid, or let dicom-deid create one',
    );
  }
  if (writeNewKeyFile(to, key.secret)) return stored(key, to, true);
  const existing = loadKey(to);
  if (existing.fingerprint !== keyFingerprint(key)) {
    throw new KeyFileError(
      `${to} already holds a different key (fingerprint ${existing.fingerprint}); outputs made with it ` +
        'would no longer match: move it away first if you mean to replace it',
    );
  }
  return existing;
}

/**
 * Copies the key at `path` to a new file `to` (never over an existing one): owner-only where the file
 * system has modes, and written on any file system, FAT and exFAT sticks included.
 */
export function exportKey(path: string, to: string): StoredKey {
  const { key } = loadKey(path);
  if (!writeNewKeyFile(to, key.secret))
    throw new KeyFileError(`${to} already exists; choose a new file name`);
  return stored(key, to, false);
}
