import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { BoundedMemo } from '../bounded-memo.js';

/**
 * The site's secret. Every pseudonym, UID and date shift is an HMAC under it, so nobody holding the
 * originals can recompute or link them without the key (unlike the unsalted MD5 of several peers).
 */
export interface AnonymizationKey {
  readonly secret: Uint8Array;
  /**
   * HMAC-SHA256 under `secret` from the platform (node:crypto), when the caller has one: a file's dozen
   * digests in plain JavaScript were a tenth of the engine's time on small files. Must give the same bytes
   * as the engine's own, which the browser uses.
   */
  readonly hmacSha256?: (data: Uint8Array) => Uint8Array;
}

export const KEY_BYTES = 32;

export function keyFromBytes(secret: Uint8Array): AnonymizationKey {
  if (secret.length < 16) throw new RangeError('a key needs at least 16 bytes');
  return { secret };
}

/**
 * HMAC-SHA256 of `data` under the key, separated by purpose so a UID digest can never equal a
 * patient-ID digest of the same text.
 */
export function keyedDigest(key: AnonymizationKey, purpose: string, data: string): Uint8Array {
  if (data.length > LONGEST_KEPT) return digestOf(key, purpose, data);
  let byPurpose = keptDigests.get(key);
  if (!byPurpose) {
    byPurpose = new Map();
    keptDigests.set(key, byPurpose);
  }
  let kept = byPurpose.get(purpose);
  if (!kept) {
    kept = new BoundedMemo();
    byPurpose.set(purpose, kept);
  }
  // A copy: what a caller does with its digest must not change the next caller's.
  return (kept.known(data) ?? kept.remember(data, digestOf(key, purpose, data))).slice();
}

/**
 * keyedDigest without its memo, for data asked about once (an input's path and size, for the resume state
 * and shards by path), whose digests would only hold memory until the memo is cleared, outliving many
 * collections of the young generation; and for data whose caller remembers what it makes of the digest
 * instead (remapUid keeps the new UID, not the digest).
 */
export const digestOf = (key: AnonymizationKey, purpose: string, data: string): Uint8Array => {
  const message = utf8ToBytes(`${purpose}\u0000${data}`);
  return key.hmacSha256 ? key.hmacSha256(message) : keyedHmac(key).clone().update(message).digest();
};

// Each file of a study asks for the same digests again (its study, series and frame of reference UIDs, its
// patient's pseudonym and date shift): they are remembered per key and purpose, bounded as
// identifierStrings' are, by the data itself (a key made of purpose and data was a new string to hash for
// every question).
const keptDigests = new WeakMap<AnonymizationKey, Map<string, BoundedMemo<Uint8Array>>>();
const LONGEST_KEPT = 256;

// An HMAC keyed once per key and cloned for each digest: a file's UIDs, pseudonyms and date shift are a
// dozen digests, and keying (hashing the padded key into the inner and outer states) was half their cost.
const keyedHmacs = new WeakMap<AnonymizationKey, ReturnType<typeof hmac.create>>();
function keyedHmac(key: AnonymizationKey): ReturnType<typeof hmac.create> {
  let keyed = keyedHmacs.get(key);
  if (!keyed) {
    keyed = hmac.create(sha256, key.secret);
    keyedHmacs.set(key, keyed);
  }
  return keyed;
}

/** Identifies a key in reports and the UI without revealing it: 16 hex digits of a keyed digest. */
export const keyFingerprint = (key: AnonymizationKey): string =>
  bytesToHex(keyedDigest(key, 'fingerprint', 'dicom-deid')).slice(0, 16);

/** SHA-256 hex, for reports (output checksums) in code that must not use node:crypto. */
export const sha256Hex = (data: Uint8Array): string => bytesToHex(sha256(data));
