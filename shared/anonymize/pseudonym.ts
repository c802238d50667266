import { type AnonymizationKey, keyedDigest } from './key.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

const code = (digest: Uint8Array, length: number): string => {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[digest[i]! % ALPHABET.length];
  return s;
};

export interface Pseudonym {
  readonly patientId: string;
  readonly patientName: string;
}

/**
 * The de-identified patient. A site crosswalk (original Patient ID → pseudonym) wins; otherwise both are
 * derived from the key and the original Patient ID, so every file of a patient gets the same pseudonym.
 */
export function pseudonymFor(
  key: AnonymizationKey,
  originalPatientId: string,
  crosswalk?: ReadonlyMap<string, string>,
): Pseudonym {
  const mapped = crosswalk?.get(originalPatientId.trim());
  if (mapped) return { patientId: mapped, patientName: mapped };
  const c = code(keyedDigest(key, 'patient', originalPatientId.trim()), 10);
  return { patientId: `ANON-${c}`, patientName: `ANONYMOUS^${c}` };
}

/** A keyed hash of any value, for the custom `hash` rule: short, stable, not reversible without the key. */
export const hashValue = (key: AnonymizationKey, value: string): string =>
  code(keyedDigest(key, 'hash', value.trim()), 16);
