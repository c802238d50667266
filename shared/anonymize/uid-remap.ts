import { bytesToHex } from '@noble/hashes/utils.js';
import { BoundedMemo } from '../bounded-memo.js';
import { type AnonymizationKey, digestOf } from './key.js';

/**
 * `2.25.<decimal of the first 128 bits of HMAC-SHA256(key, uid)>` (PS3.5 B.2 UUID-derived form): at most
 * 44 characters, the same for every file, run and machine that shares the key, so references stay linked.
 */
export function remapUid(key: AnonymizationKey, uid: string): string {
  const original = uid.trim();
  if (original.length > LONGEST_UID) return uuidDerived(key, original);
  let memo = remapped.get(key);
  if (!memo) {
    memo = new BoundedMemo();
    remapped.set(key, memo);
  }
  return memo.known(original) ?? memo.remember(original, uuidDerived(key, original));
}

const uuidDerived = (key: AnonymizationKey, uid: string): string =>
  `2.25.${BigInt(`0x${bytesToHex(digestOf(key, 'uid', uid).subarray(0, 16))}`)}`;

// Each file of a study remaps its study, series and frame of reference UIDs again: remembered per key (as a
// UID, not as its digest), for valid UIDs; a damaged value longer than any UID is remapped each time.
const remapped = new WeakMap<AnonymizationKey, BoundedMemo<string>>();
const LONGEST_UID = 64;

/**
 * UIDs of the standard itself (SOP classes, transfer syntaxes, well-known frames of reference) and of the
 * coding schemes it registers (PS3.16 8.2: SNOMED, LOINC, UCUM... under HL7's code-system root, and NCIt)
 * identify nobody, and must stay resolvable.
 */
export const isStandardUid = (uid: string): boolean =>
  /^(?:1\.2\.840\.10008|2\.16\.840\.1\.113883\.[56]|2\.16\.840\.1\.113883\.3\.26\.1)(\.\d+)+$/.test(uid);
