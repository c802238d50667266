/**
 * A set of strings asked, for many texts, whether any of them occurs in the text: the residual check and
 * Clean ask it for every value of every file, with a file's thirty to fifty identifiers, and a value
 * rarely holds one. Testing each string with `includes` cost a pass over the text per string; here the
 * text is passed over once, and a string is compared only where a text's three units starting there
 * could begin it (a bitmap of the strings' first three units, hashed). Strings shorter than three units
 * are tested with `includes`.
 */
export class SubstringSet {
  private readonly long: readonly string[];
  private readonly short: readonly string[];
  /**
   * Bit h is set when some string of `long` begins with three units that hash to h. Small integers in a
   * plain array: a typed array's buffer, made for each of a file's two matchers, cost more than the search.
   */
  private readonly starts: number[] = [];
  /**
   * For a large set (a file of many items can name thousands of identifiers, most of them UIDs that begin
   * alike), the strings of PREFIX units or more by the hash of their first PREFIX units, and the others in
   * a list: a place the bitmap lets through is compared with those that could begin there.
   */
  private readonly large: { byPrefix: Map<number, string[]>; shorter: string[] } | undefined;

  constructor(strings: readonly string[]) {
    for (let i = 0; i < BITS / 32; i++) this.starts.push(0);
    const long: string[] = [];
    const short: string[] = [];
    for (const s of strings) {
      if (s.length < 3) short.push(s);
      else {
        long.push(s);
        const h = hash3(s.charCodeAt(0), s.charCodeAt(1), s.charCodeAt(2));
        this.starts[h >>> 5]! |= 1 << (h & 31);
      }
    }
    this.long = long;
    this.short = short;
    if (long.length > FEW) {
      const byPrefix = new Map<number, string[]>();
      const shorter: string[] = [];
      for (const l of long) {
        if (l.length < PREFIX) {
          shorter.push(l);
          continue;
        }
        const h = hashPrefix(l, 0);
        const same = byPrefix.get(h);
        if (same) same.push(l);
        else byPrefix.set(h, [l]);
      }
      this.large = { byPrefix, shorter };
    }
  }

  /** Whether some string of the set occurs in `text`. */
  inside(text: string): boolean {
    for (const s of this.short) if (text.includes(s)) return true;
    if (this.long.length === 0) return false;
    const starts = this.starts;
    let a = text.charCodeAt(0);
    let b = text.charCodeAt(1);
    for (let at = 0; at + 3 <= text.length; at++) {
      const c = text.charCodeAt(at + 2);
      const h = hash3(a, b, c);
      if ((starts[h >>> 5]! & (1 << (h & 31))) !== 0 && this.beginsAt(text, at, a)) return true;
      a = b;
      b = c;
    }
    return false;
  }

  /** Whether a string of `long` begins at `at` in `text`, whose unit there is `first`. */
  private beginsAt(text: string, at: number, first: number): boolean {
    const large = this.large;
    if (!large) {
      for (const s of this.long) if (s.charCodeAt(0) === first && text.startsWith(s, at)) return true;
      return false;
    }
    for (const s of large.shorter) if (s.charCodeAt(0) === first && text.startsWith(s, at)) return true;
    if (at + PREFIX > text.length) return false;
    const candidates = large.byPrefix.get(hashPrefix(text, at));
    if (candidates) for (const s of candidates) if (text.startsWith(s, at)) return true;
    return false;
  }
}

const BITS = 4096;
// Up to this many long strings, a place the bitmap lets through compares them all: a file's usual thirty
// to fifty identifiers cost less so than a map per matcher.
const FEW = 64;
const PREFIX = 8;

// Multiplying spreads each unit over the high bits, which the shift keeps.
const hash3 = (a: number, b: number, c: number): number =>
  (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35)) >>> 20;

/** A hash of the PREFIX units of `s` from `at` (FNV-1a over the units). */
function hashPrefix(s: string, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + PREFIX; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
