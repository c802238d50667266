import { notCleanable, type Segment } from './segments.js';

/**
 * Huffman tables (ITU T.81 C, F.2.2.3, K.2): decoding and encoding with the tables a file defines, and the
 * optimal tables for a set of symbol counts when a symbol the file never used is needed.
 */

export interface HuffmanTable {
  /** Number of codes of each length 1..16 (index 0 is length 1). */
  readonly counts: readonly number[];
  /** Symbols in code order. */
  readonly symbols: readonly number[];
}

/** Table class (0 DC, 1 AC) and id, as one key: class * 16 + id. */
export const tableKey = (cls: number, id: number): number => cls * 16 + id;

/** The tables a DHT segment defines, by key. */
export function huffmanTables(bytes: Uint8Array, s: Segment): Map<number, HuffmanTable> {
  const tables = new Map<number, HuffmanTable>();
  for (let i = s.start + 4; i < s.end; ) {
    const key = tableKey(bytes[i]! >> 4, bytes[i]! & 15);
    const counts = Array.from(bytes.subarray(i + 1, i + 17));
    const total = counts.reduce((a, b) => a + b, 0);
    if (counts.length < 16 || i + 17 + total > s.end) throw notCleanable('a Huffman table is malformed');
    tables.set(key, { counts, symbols: Array.from(bytes.subarray(i + 17, i + 17 + total)) });
    i += 17 + total;
  }
  return tables;
}

/** A DHT segment defining the given tables. */
export function dhtSegment(tables: ReadonlyMap<number, HuffmanTable>): Uint8Array {
  const body = [...tables].flatMap(([key, t]) => [((key >> 4) << 4) | (key & 15), ...t.counts, ...t.symbols]);
  const length = body.length + 2;
  return new Uint8Array([0xff, 0xc4, length >> 8, length & 0xff, ...body]);
}

/** Codes this long or shorter are looked up at once; longer ones by length. */
export const LOOKUP_BITS = 9;

/**
 * Decoding by code length (F.2.2.3): the largest code of each length and where its symbols start, and a
 * table giving the length and symbol of every code of up to LOOKUP_BITS bits from that many next bits.
 */
export class HuffmanDecoder {
  readonly maxCode = new Int32Array(18).fill(-1);
  readonly valPtr = new Int32Array(17);
  readonly minCode = new Int32Array(17);
  /** (length << 8) | symbol, or -1 when the code is longer. */
  readonly lookup = new Int32Array(1 << LOOKUP_BITS).fill(-1);
  readonly symbols: readonly number[];
  constructor(table: HuffmanTable) {
    this.symbols = table.symbols;
    let code = 0;
    let k = 0;
    for (let length = 1; length <= 16; length++) {
      const n = table.counts[length - 1]!;
      this.valPtr[length] = k;
      this.minCode[length] = code;
      code += n;
      k += n;
      this.maxCode[length] = n ? code - 1 : -1;
      if (length <= LOOKUP_BITS) {
        for (let i = 0; i < n; i++) {
          const first = (this.minCode[length]! + i) << (LOOKUP_BITS - length);
          const entry = (length << 8) | table.symbols[this.valPtr[length]! + i]!;
          this.lookup.fill(entry, first, first + (1 << (LOOKUP_BITS - length)));
        }
      }
      code <<= 1;
    }
    this.maxCode[17] = 0x7fffffff;
  }
}

/** Encoding: each symbol's code and its length (0: the table has no code for it). */
export class HuffmanEncoder {
  readonly code = new Uint16Array(256);
  readonly length = new Uint8Array(256);
  constructor(table: HuffmanTable) {
    let code = 0;
    let k = 0;
    for (let length = 1; length <= 16; length++) {
      for (let n = 0; n < table.counts[length - 1]!; n++, k++) {
        const symbol = table.symbols[k]!;
        this.code[symbol] = code++;
        this.length[symbol] = length;
      }
      code <<= 1;
    }
  }
  has(symbol: number): boolean {
    return this.length[symbol]! > 0;
  }
}

/**
 * The optimal table for these symbol counts, with code lengths limited to 16 and no code of all ones
 * (the procedure of T.81 K.2, figures K.1–K.3).
 */
export function optimalTable(frequencies: ArrayLike<number>): HuffmanTable {
  const freq = Array.from({ length: 257 }, (_, i) => (i < 256 ? frequencies[i]! : 1)); // 256: reserved code
  const codeSize = new Array<number>(257).fill(0);
  const others = new Array<number>(257).fill(-1);
  for (;;) {
    let v1 = -1;
    let v2 = -1;
    for (let i = 0; i < 257; i++) {
      if (freq[i]! === 0) continue;
      if (v1 < 0 || freq[i]! <= freq[v1]!) {
        v2 = v1;
        v1 = i;
      } else if (v2 < 0 || freq[i]! <= freq[v2]!) v2 = i;
    }
    if (v2 < 0) break;
    freq[v1] = freq[v1]! + freq[v2]!;
    freq[v2] = 0;
    codeSize[v1]!++;
    let at = v1;
    while (others[at]! >= 0) {
      at = others[at]!;
      codeSize[at]!++;
    }
    others[at] = v2;
    codeSize[v2]!++;
    at = v2;
    while (others[at]! >= 0) {
      at = others[at]!;
      codeSize[at]!++;
    }
  }
  const bits = new Array<number>(33).fill(0);
  for (let i = 0; i < 257; i++) if (codeSize[i]! > 0) bits[codeSize[i]!]!++;
  for (let i = 32; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i] = bits[i]! - 2;
      bits[i - 1]!++;
      bits[j + 1] = bits[j + 1]! + 2;
      bits[j]!--;
    }
  }
  let last = 16;
  while (bits[last] === 0) last--;
  bits[last]!--; // the reserved code goes
  const symbols: number[] = [];
  for (let size = 1; size <= 32; size++)
    for (let i = 0; i < 256; i++) if (codeSize[i] === size) symbols.push(i);
  return { counts: bits.slice(1, 17), symbols };
}
