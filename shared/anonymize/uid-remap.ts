import { type AnonymizationKey, keyedDigest } from './key.js';

/**
 * `2.25.<decimal of the first 128 bits of HMAC-SHA256(key, uid)>` (PS3.5 B.2 UUID-derived form): at most
 * 44 characters, the same for every file, run and machine that shares the key, so references stay linked.
 */
export function remapUid(key: AnonymizationKey, uid: string): string {
  const digest = keyedDigest(key, 'uid', uid.trim());
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(digest[i]!);
  return `2.25.${n.toString()}`;
}

/**
 * UIDs of the standard itself (SOP classes, transfer syntaxes, well-known frames of reference) and of the
 * coding schemes it registers (PS3.16 8.2: SNOMED, LOINC, UCUM... under HL7's code-system root, and NCIt)
 * identify nobody, and must stay resolvable.
 */
export const isStandardUid = (uid: string): boolean =>
  /^(?:1\.2\.840\.10008|2\.16\.840\.1\.113883\.[56]|2\.16\.840\.1\.113883\.3\.26\.1)(\.\d+)+$/.test(uid);
