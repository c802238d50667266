/** A small seeded PRNG (mulberry32): the same seed gives the same corpus on every machine and Node version. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  digits(count: number): string {
    let s = '';
    for (let i = 0; i < count; i++) s += this.int(0, 9);
    return s;
  }
}

/**
 * A seed for one part of a corpus (a patient, a study). Deriving seeds per part instead of drawing from one
 * stream keeps patient 3 identical whether 5 or 500 patients are generated, so quick corpora are subsets.
 */
export function deriveSeed(seed: number, ...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of parts.join('/')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** A UID under the 2.25 root: 36 digits stay below 2^128, as the root's UUID-derived form requires. */
export const fakeUid = (rng: Rng): string => `2.25.${rng.int(1, 9)}${rng.digits(35)}`;
