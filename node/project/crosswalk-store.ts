/**
 * A project's private crosswalk: every original identifier the project has pseudonymised, with what it
 * became. PHI through and through: it lives in the project folder (owner-only) and nothing read from it
 * goes to a log, a console line or the shareable report; only an authorised lookup shows a row.
 *
 * An interface, so the database behind it can change (WebAssembly SQLite today, see sqlite-crosswalk.ts;
 * a native binding in a build that can compile one) without touching the callers.
 */
export { KIND_WORDS, MAPPING_KINDS, type MappingKind } from '../../shared/crosswalk-kinds.js';

import type { MappingKind } from '../../shared/crosswalk-kinds.js';

export interface Mapping {
  readonly kind: MappingKind;
  readonly original: string;
  readonly pseudonym: string;
}

/** A row found by a lookup, saying which side of it matched. */
export interface LookupMatch extends Mapping {
  readonly matched: 'original' | 'pseudonym';
}

export interface CrosswalkStore {
  /**
   * Adds mappings in one transaction: all of them are durable when it returns, or none after a crash.
   * A mapping already known is kept as it is (pseudonyms are deterministic, so it is the same).
   */
  add(mappings: Iterable<Mapping>): void;
  /** Rows whose original or pseudonym is exactly `value` (surrounding spaces ignored). */
  find(value: string): LookupMatch[];
  /** Rows of each kind. */
  counts(): Record<MappingKind, number>;
  close(): void;
}
