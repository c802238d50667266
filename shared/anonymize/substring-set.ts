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
  }

  /** Whether some string of the set occurs in `text`. */
  inside(text: string): boolean {
    for (const s of this.short) if (text.includes(s)) return true;
    const long = this.long;
    if (long.length === 0) return false;
    const starts = this.starts;
    let a = text.charCodeAt(0);
    let b = text.charCodeAt(1);
    for (let at = 0; at + 3 <= text.length; at++) {
      const c = text.charCodeAt(at + 2);
      const h = hash3(a, b, c);
      if ((starts[h >>> 5]! & (1 << (h & 31))) !== 0) {
        for (const s of long) if (s.charCodeAt(0) === a && text.startsWith(s, at)) return true;
      }
      a = b;
      b = c;
    }
    return false;
  }
}

const BITS = 4096;

// Multiplying spreads each unit over the high bits, which the shift keeps.
const hash3 = (a: number, b: number, c: number): number =>
  (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35)) >>> 20;
