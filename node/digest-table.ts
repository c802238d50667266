import { hash } from 'node:crypto';

/**
 * A text as the tables below keep it: the first 96 bits of its UTF-8 SHA-256, the lowest bit set (a
 * zero first word marks a free slot). Two different texts share one with a chance of about 2^-95.
 */
export interface TextDigest {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export function textDigest(text: string): TextDigest {
  const d = hash('sha256', text, 'buffer') as unknown as Buffer;
  return { a: d.readInt32LE(0) | 1, b: d.readInt32LE(4), c: d.readInt32LE(8) };
}

const HEX_DIGEST = /^[0-9a-f]{24}/;

/**
 * The digest of a text that is itself a digest in hex (a keyed hash): its first 96 bits, without hashing
 * it again. Any other text is hashed. Two texts alike in their first 24 hex digits share one; callers
 * check the text they find.
 */
export function hexDigest(text: string): TextDigest {
  if (!HEX_DIGEST.test(text)) return textDigest(text);
  const word = (at: number) => Number.parseInt(text.slice(at, at + 8), 16) | 0;
  return { a: word(0) | 1, b: word(8), c: word(16) };
}

const FIRST_CAPACITY = 1024;
// Linear probing stays short below this load; the table doubles past it.
const MAX_LOAD = 0.7;

/**
 * Texts (by digest) with up to `width` numbers each, in typed arrays: what a run keeps for every output or
 * original identifier it has met. Measured with a million entries: 25 bytes an entry as a set, 42 with
 * one number, 59 with two, where Maps and Sets of the texts took 125 to 189, so a run or project of
 * millions of files keeps tens of megabytes, not hundreds. Width 0 is a set.
 */
export class DigestTable {
  private keys: Int32Array;
  private values: Float64Array;
  private mask: number;
  private count = 0;

  constructor(private readonly width: 0 | 1 | 2) {
    this.keys = new Int32Array(3 * FIRST_CAPACITY);
    this.values = new Float64Array(width * FIRST_CAPACITY);
    this.mask = FIRST_CAPACITY - 1;
  }

  get size(): number {
    return this.count;
  }

  has(d: TextDigest): boolean {
    return this.slotOf(d) >= 0;
  }

  /** The `i`th number kept with the text; undefined when the text is not in the table. */
  get(d: TextDigest, i = 0): number | undefined {
    const slot = this.slotOf(d);
    return slot < 0 ? undefined : this.values[slot * this.width + i];
  }

  /** Keeps the text with these numbers (replacing any it had); a table holds at most two. */
  set(d: TextDigest, first = 0, second = 0): void {
    let slot = this.slotOf(d);
    if (slot < 0) slot = this.insert(d);
    const at = slot * this.width;
    if (this.width > 0) this.values[at] = first;
    if (this.width > 1) this.values[at + 1] = second;
  }

  /** Adds the text; false when it was already there. */
  add(d: TextDigest): boolean {
    if (this.slotOf(d) >= 0) return false;
    this.insert(d);
    return true;
  }

  delete(d: TextDigest): boolean {
    let slot = this.slotOf(d);
    if (slot < 0) return false;
    // Backward shift: each later entry of the probe run moves into the gap unless that would put it
    // before its home slot, so every lookup still finds its entry without tombstones.
    const { keys, mask } = this;
    let next = slot;
    for (;;) {
      next = (next + 1) & mask;
      const a = keys[3 * next]!;
      if (a === 0) break;
      const home = a & mask;
      const between = slot <= next ? slot < home && home <= next : slot < home || home <= next;
      if (between) continue;
      this.moveSlot(next, slot);
      slot = next;
    }
    keys[3 * slot] = 0;
    this.count--;
    return true;
  }

  private slotOf(d: TextDigest): number {
    const { keys, mask } = this;
    for (let slot = d.a & mask; ; slot = (slot + 1) & mask) {
      const a = keys[3 * slot]!;
      if (a === 0) return -1;
      if (a === d.a && keys[3 * slot + 1] === d.b && keys[3 * slot + 2] === d.c) return slot;
    }
  }

  private insert(d: TextDigest): number {
    if (this.count + 1 > MAX_LOAD * (this.mask + 1)) this.grow();
    const { keys, mask } = this;
    let slot = d.a & mask;
    while (keys[3 * slot] !== 0) slot = (slot + 1) & mask;
    keys[3 * slot] = d.a;
    keys[3 * slot + 1] = d.b;
    keys[3 * slot + 2] = d.c;
    this.values.fill(0, this.width * slot, this.width * slot + this.width);
    this.count++;
    return slot;
  }

  private moveSlot(from: number, to: number) {
    const { keys, values, width } = this;
    keys.copyWithin(3 * to, 3 * from, 3 * from + 3);
    values.copyWithin(width * to, width * from, width * from + width);
  }

  private grow() {
    const { keys, values, width } = this;
    const capacity = 2 * (this.mask + 1);
    this.keys = new Int32Array(3 * capacity);
    this.values = new Float64Array(width * capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let from = 0; from < keys.length / 3; from++) {
      const a = keys[3 * from]!;
      if (a === 0) continue;
      const to = this.insert({ a, b: keys[3 * from + 1]!, c: keys[3 * from + 2]! });
      for (let i = 0; i < width; i++) this.values[width * to + i] = values[width * from + i]!;
    }
  }
}

// A study's few thousand files repeat its patient, study, series and frame of reference identifiers.
const RECENT = 4096;

/**
 * Texts met so far: all by digest, the last few thousand also as they are, so the identifiers that
 * every file of a study repeats are found without hashing them again.
 */
export class SeenTexts {
  private readonly all = new DigestTable(0);
  private readonly recent = new Set<string>();

  /** Adds the text; false when it was met before. */
  add(text: string): boolean {
    if (this.recent.has(text)) return false;
    if (this.recent.size >= RECENT) this.recent.clear();
    this.recent.add(text);
    return this.all.add(textDigest(text));
  }
}
