import { BitReader, BitWriter } from './bits.js';
import { type HuffmanDecoder, type HuffmanEncoder, LOOKUP_BITS } from './huffman.js';
import { type FrameHeader, notCleanable, type ScanHeader } from './segments.js';

/**
 * A sequential Huffman scan (ITU T.81 F.1.2, F.2.2) to quantized DCT coefficients and back. Coefficients are
 * kept per component on the MCU-padded block grid, 64 per block in zigzag order, exactly as coded.
 */

export interface BlockGrid {
  readonly mcusX: number;
  readonly mcusY: number;
  readonly hMax: number;
  readonly vMax: number;
  /** Per component: blocks per row and rows of blocks on the padded grid, and the coefficients. */
  readonly components: readonly {
    readonly width: number;
    readonly height: number;
    readonly coefficients: Int16Array;
  }[];
}

export function blockGrid(frame: FrameHeader): BlockGrid {
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  const mcusX = Math.ceil(frame.samplesPerLine / (8 * hMax));
  const mcusY = Math.ceil(frame.lines / (8 * vMax));
  return {
    mcusX,
    mcusY,
    hMax,
    vMax,
    components: frame.components.map((c) => {
      const width = mcusX * c.h;
      const height = mcusY * c.v;
      return { width, height, coefficients: new Int16Array(width * height * 64) };
    }),
  };
}

/** Calls `visit` for each block a scan codes, in coding order: scan component, block index in its grid, MCU. */
function forEachBlock(
  frame: FrameHeader,
  grid: BlockGrid,
  scan: ScanHeader,
  visit: (component: number, block: number, mcu: number) => void,
): void {
  if (scan.components.length === 1) {
    // Non-interleaved: the component's own blocks, not padded to whole MCUs (A.2.2).
    const index = scan.components[0]!.index;
    const c = frame.components[index]!;
    const width = Math.ceil(Math.ceil((frame.samplesPerLine * c.h) / grid.hMax) / 8);
    const height = Math.ceil(Math.ceil((frame.lines * c.v) / grid.vMax) / 8);
    const stride = grid.components[index]!.width;
    for (let y = 0, mcu = 0; y < height; y++)
      for (let x = 0; x < width; x++, mcu++) visit(0, y * stride + x, mcu);
    return;
  }
  const parts = scan.components.map((sc) => ({
    c: frame.components[sc.index]!,
    stride: grid.components[sc.index]!.width,
  }));
  for (let my = 0, mcu = 0; my < grid.mcusY; my++) {
    for (let mx = 0; mx < grid.mcusX; mx++, mcu++) {
      for (let s = 0; s < parts.length; s++) {
        const { c, stride } = parts[s]!;
        for (let v = 0; v < c.v; v++) {
          const row = (my * c.v + v) * stride + mx * c.h;
          for (let h = 0; h < c.h; h++) visit(s, row + h, mcu);
        }
      }
    }
  }
}

function decodeSymbol(reader: BitReader, table: HuffmanDecoder): number {
  const peek = reader.peek16();
  const fast = table.lookup[peek >>> (16 - LOOKUP_BITS)]!;
  if (fast >= 0) {
    reader.skip(fast >> 8);
    return fast & 0xff;
  }
  for (let length = LOOKUP_BITS + 1; length <= 16; length++) {
    const code = peek >>> (16 - length);
    if (code <= table.maxCode[length]!) {
      reader.skip(length);
      const symbol = table.symbols[table.valPtr[length]! + code - table.minCode[length]!];
      if (symbol === undefined) break;
      return symbol;
    }
  }
  throw notCleanable('its entropy-coded data holds a code its Huffman table does not');
}

/** F.2.2.1: `bits` extra bits of a magnitude category to a signed value. */
const extend = (value: number, bits: number): number =>
  value < 1 << (bits - 1) ? value - (1 << bits) + 1 : value;

export interface ScanTables {
  readonly dc: readonly HuffmanDecoder[];
  readonly ac: readonly HuffmanDecoder[];
}

/** Decodes the scan's entropy-coded data [start, end) into the grid. */
export function decodeScan(
  bytes: Uint8Array,
  start: number,
  end: number,
  frame: FrameHeader,
  scan: ScanHeader,
  grid: BlockGrid,
  tables: ScanTables,
  restartInterval: number,
): void {
  const reader = new BitReader(bytes, start, end);
  const predictors = new Int32Array(scan.components.length);
  let lastMcu = 0;
  forEachBlock(frame, grid, scan, (component, block, mcu) => {
    if (mcu !== lastMcu) {
      lastMcu = mcu;
      if (restartInterval > 0 && mcu % restartInterval === 0) {
        reader.restart();
        predictors.fill(0);
      }
    }
    const out = grid.components[scan.components[component]!.index]!.coefficients;
    const at = block * 64;
    const category = decodeSymbol(reader, tables.dc[component]!);
    if (category > 16) throw notCleanable('a DC difference is out of range');
    predictors[component] = predictors[component]! + (category ? extend(reader.bits(category), category) : 0);
    out[at] = predictors[component]!;
    for (let k = 1; k < 64; ) {
      const symbol = decodeSymbol(reader, tables.ac[component]!);
      const run = symbol >> 4;
      const size = symbol & 15;
      if (size === 0) {
        if (run !== 15) break; // end of block
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw notCleanable('an AC coefficient run passes the end of its block');
      out[at + k] = extend(reader.bits(size), size);
      k++;
    }
  });
}

const categoryOf = (value: number): number => (value === 0 ? 0 : 32 - Math.clz32(Math.abs(value)));

/** A symbol a table lacks: the caller builds tables that have it. */
export class MissingSymbol extends Error {}

export interface SymbolSink {
  symbol(table: 'dc' | 'ac', component: number, symbol: number): void;
  bits(value: number, n: number): void;
  restart(n: number): void;
}

/** Encodes the grid's blocks of this scan into `sink`, the DC differences computed afresh. */
export function encodeScan(
  frame: FrameHeader,
  scan: ScanHeader,
  grid: BlockGrid,
  restartInterval: number,
  sink: SymbolSink,
): void {
  const predictors = new Int32Array(scan.components.length);
  let lastMcu = 0;
  forEachBlock(frame, grid, scan, (component, block, mcu) => {
    if (mcu !== lastMcu) {
      lastMcu = mcu;
      if (restartInterval > 0 && mcu % restartInterval === 0) {
        sink.restart(mcu / restartInterval - 1);
        predictors.fill(0);
      }
    }
    const coefficients = grid.components[scan.components[component]!.index]!.coefficients;
    const at = block * 64;
    const diff = coefficients[at]! - predictors[component]!;
    predictors[component] = coefficients[at]!;
    const dcCategory = categoryOf(diff);
    sink.symbol('dc', component, dcCategory);
    sink.bits(diff < 0 ? diff - 1 : diff, dcCategory);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const value = coefficients[at + k]!;
      if (value === 0) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) sink.symbol('ac', component, 0xf0);
      const size = categoryOf(value);
      sink.symbol('ac', component, (run << 4) | size);
      sink.bits(value < 0 ? value - 1 : value, size);
      run = 0;
    }
    if (run > 0) sink.symbol('ac', component, 0);
  });
}

/** Writes the symbols with the given encoders; throws MissingSymbol when one has no code. */
export class ScanWriter implements SymbolSink {
  readonly writer: BitWriter;
  constructor(
    private readonly dc: readonly HuffmanEncoder[],
    private readonly ac: readonly HuffmanEncoder[],
    capacity: number,
  ) {
    this.writer = new BitWriter(capacity);
  }
  symbol(table: 'dc' | 'ac', component: number, symbol: number): void {
    const encoder = (table === 'dc' ? this.dc : this.ac)[component]!;
    const length = encoder.length[symbol]!;
    if (length === 0) throw new MissingSymbol();
    this.writer.bits(encoder.code[symbol]!, length);
  }
  bits(value: number, n: number): void {
    this.writer.bits(value, n);
  }
  restart(n: number): void {
    this.writer.restart(n);
  }
}

/** Counts the symbols each of the scan's tables must code. */
export class SymbolCounter implements SymbolSink {
  readonly dc: Uint32Array[];
  readonly ac: Uint32Array[];
  constructor(components: number) {
    this.dc = Array.from({ length: components }, () => new Uint32Array(256));
    this.ac = Array.from({ length: components }, () => new Uint32Array(256));
  }
  symbol(table: 'dc' | 'ac', component: number, symbol: number): void {
    (table === 'dc' ? this.dc : this.ac)[component]![symbol]!++;
  }
  bits(): void {}
  restart(): void {}
}
