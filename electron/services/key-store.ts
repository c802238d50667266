import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type AnonymizationKey,
  KEY_BYTES,
  keyFingerprint,
  keyFromBytes,
} from '../../shared/anonymize/key.js';
import { ReportableError } from '../../shared/errors.js';
import { privateHome } from './reports/locations.js';
import { isExposed, makePrivateDir, openPrivateFile } from './reports/private-files.js';

/**
 * The secret behind every pseudonym, UID and date shift of a project. Whoever holds it can link outputs
 * back to the originals they have, so it is kept owner-only and never printed, only its fingerprint.
 *
 * File format: the secret as hex on one line, the same as the app's project key (electron/services/app-key),
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
 * Writes a new key file (0600, its folder 0700 when created) unless one exists: false then.
 * Written to a temporary file and linked into place, which fails rather than replaces, so two processes
 * starting at once end up sharing one key instead of each writing its own.
 */
function writeNewKeyFile(path: string, secret: Uint8Array): boolean {
  makePrivateDir(dirname(path));
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openPrivateFile(temp, true);
  try {
    writeSync(fd, encode(secret));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(temp);
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
  return writeNewKeyFile(path, key.secret) ? stored(key, path, true) : loadKey(path);
}

/**
 * Installs the key in file `from` (say, another site's export) at `to`. The source's permissions are not
 * checked: it may sit on a USB stick whose file system has none. A different key already at `to` is never
 * replaced, since every pseudonym made with it would stop matching.
 */
export function importKey(from: string, to: string = defaultKeyPath()): StoredKey {
  const key = decode(readFileSync(from, 'utf8'), from);
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

/** Copies the key at `path` to a new owner-only file `to` (never over an existing file). */
export function exportKey(path: string, to: string): StoredKey {
  const { key } = loadKey(path);
  if (!writeNewKeyFile(to, key.secret))
    throw new KeyFileError(`${to} already exists; choose a new file name`);
  return stored(key, to, false);
}
