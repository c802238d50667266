import { concatChunks } from '../../dicom/write.js';
import type { CompressedDomainRedactor, FrameLayout } from '../codec.js';
import { MAX_FRAME_SAMPLES } from '../coding-parameters.js';
import type { Rect } from '../regions.js';
import {
  dhtSegment,
  HuffmanDecoder,
  HuffmanEncoder,
  type HuffmanTable,
  huffmanTables,
  optimalTable,
  tableKey,
} from './huffman.js';
import { blockGrid, decodeScan, encodeScan, MissingSymbol, ScanWriter, SymbolCounter } from './scan.js';
import {
  DHT,
  DQT,
  DRI,
  EOI,
  type FrameHeader,
  frameHeader,
  isRgb,
  notCleanable,
  quantTables,
  restartInterval,
  type ScanHeader,
  type Segment,
  SOS,
  scanHeader,
  segments,
} from './segments.js';

/**
 * Lossy JPEG (baseline and extended sequential, 8 and 12 bits) cleaned without a second generation of loss,
 * as DicomCleaner does: the blocks under the rectangles, widened to whole MCUs, become flat dark blocks (a DC
 * coefficient only); every other block keeps its quantized coefficients exactly, and the scans are Huffman
 * coded again with the file's own tables (or, when a flat block needs a code they lack, optimal ones in a new
 * DHT segment). Decoded pixels outside the cleaned MCUs stay what they were, except where a decoder's
 * smoothing chroma upsampler blends a subsampled chroma sample across the MCU edge.
 */

const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== DHT && m !== 0xc8 && m !== 0xcc;

/** The rectangles widened to the MCU grid and clipped to the image; empty ones dropped. */
function toMcuGrid(rects: readonly Rect[], frame: FrameHeader, mcuWidth: number, mcuHeight: number): Rect[] {
  return rects.flatMap((r) => {
    const x0 = Math.max(0, Math.floor(r.x / mcuWidth) * mcuWidth);
    const y0 = Math.max(0, Math.floor(r.y / mcuHeight) * mcuHeight);
    const x1 = Math.min(frame.samplesPerLine, Math.ceil((r.x + r.width) / mcuWidth) * mcuWidth);
    const y1 = Math.min(frame.lines, Math.ceil((r.y + r.height) / mcuHeight) * mcuHeight);
    return x1 > x0 && y1 > y0 ? [{ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }] : [];
  });
}

/**
 * The DC coefficient of a flat block at the darkest sample, or for MONOCHROME1 the brightest one Bits Stored
 * allows: the inverse DCT of a DC-only block is DC × Q / 8 plus the level shift 2^(P-1). Decoders clamp what
 * overshoots the precision's range; below its top (Bits Stored smaller than the JPEG precision) the block
 * stays at or under the largest stored value, since a larger one would wrap when masked to Bits Stored.
 */
function extremeDc(quant: number, precision: number, brightest: boolean, bitsStored: number): number {
  const shift = 1 << (precision - 1);
  if (!brightest) return -Math.ceil((shift * 8) / quant);
  const top = (1 << precision) - 1;
  const target = Math.min(top, 2 ** bitsStored - 1);
  return target === top ? Math.ceil(((top - shift) * 8) / quant) : Math.floor(((target - shift) * 8) / quant);
}

interface DecodedScan {
  readonly segment: Segment;
  readonly header: ScanHeader;
  readonly restartInterval: number;
}

function redact(bytes: Uint8Array, layout: FrameLayout, rects: readonly Rect[]) {
  const all = segments(bytes);
  const sof = all.find((s) => isFrameMarker(s.marker));
  if (!sof) throw notCleanable('it has no frame header');
  const frame = frameHeader(bytes, sof);
  if (frame.samplesPerLine !== layout.columns || frame.lines !== layout.rows) {
    throw notCleanable(
      `it holds a ${frame.samplesPerLine} × ${frame.lines} image, not the ${layout.columns} × ${layout.rows} the header says`,
    );
  }
  if (layout.rows * layout.columns * layout.samplesPerPixel > MAX_FRAME_SAMPLES)
    throw notCleanable('it is too large');
  const grid = blockGrid(frame);
  const mcuWidth = 8 * grid.hMax;
  const mcuHeight = 8 * grid.vMax;
  const cleaned = toMcuGrid(rects, frame, mcuWidth, mcuHeight);
  if (cleaned.length === 0) return { frame: bytes, cleaned };

  // Decode every scan with the tables in force where it starts.
  const huffman = new Map<number, HuffmanTable>();
  const quant = new Map<number, Uint16Array>();
  const componentQuant: (Uint16Array | undefined)[] = frame.components.map(() => undefined);
  let interval = 0;
  const scans: DecodedScan[] = [];
  for (const s of all) {
    if (s.marker === DHT) for (const [k, t] of huffmanTables(bytes, s)) huffman.set(k, t);
    else if (s.marker === DQT) for (const [k, t] of quantTables(bytes, s)) quant.set(k, t);
    else if (s.marker === DRI) interval = restartInterval(bytes, s);
    else if (s.marker === SOS) {
      const header = scanHeader(bytes, s, frame);
      const table = (cls: number, id: number) => {
        const t = huffman.get(tableKey(cls, id));
        if (!t) throw notCleanable('a scan uses a Huffman table that is not defined');
        return new HuffmanDecoder(t);
      };
      for (const c of header.components)
        componentQuant[c.index] ??= quant.get(frame.components[c.index]!.quantTable);
      decodeScan(
        bytes,
        s.dataStart!,
        s.end,
        frame,
        header,
        grid,
        {
          dc: header.components.map((c) => table(0, c.dcTable)),
          ac: header.components.map((c) => table(1, c.acTable)),
        },
        interval,
      );
      scans.push({ segment: s, header, restartInterval: interval });
    }
  }
  if (componentQuant.some((q) => q === undefined))
    throw notCleanable('a component is in no scan or has no quantization table');

  // Flat blocks under the cleaned MCUs.
  const ycbcr = frame.components.length === 3 && !isRgb(bytes, all, frame);
  const brightest = layout.photometricInterpretation === 'MONOCHROME1';
  frame.components.forEach((c, index) => {
    const { width, coefficients } = grid.components[index]!;
    // Chroma of a YCbCr image goes to neutral (0 is mid-scale after the level shift).
    const dc =
      ycbcr && index > 0
        ? 0
        : extremeDc(componentQuant[index]![0]!, frame.precision, brightest, layout.bitsStored);
    const blockWidth = mcuWidth / c.h;
    const blockHeight = mcuHeight / c.v;
    for (const r of cleaned) {
      for (let by = r.y / blockHeight; by < Math.ceil((r.y + r.height) / mcuHeight) * c.v; by++) {
        for (let bx = r.x / blockWidth; bx < Math.ceil((r.x + r.width) / mcuWidth) * c.h; bx++) {
          const at = (by * width + bx) * 64;
          coefficients.fill(0, at, at + 64);
          coefficients[at] = dc;
        }
      }
    }
  });

  // Write the stream again: every segment as it was, each scan coded afresh.
  const pieces: Uint8Array[] = [];
  const inForce = new Map<number, HuffmanTable>();
  let scan = 0;
  for (const s of all) {
    if (s.marker === DHT) for (const [k, t] of huffmanTables(bytes, s)) inForce.set(k, t);
    if (s.marker !== SOS) {
      pieces.push(bytes.subarray(s.start, s.end));
      continue;
    }
    const { header, restartInterval: ri } = scans[scan++]!;
    const { tables, data } = encodeWithTables(frame, header, grid, ri, inForce, s.end - s.start);
    if (tables) pieces.push(tables);
    pieces.push(bytes.subarray(s.start, s.dataStart!), data);
  }
  const eoi = all[all.length - 1]!;
  if (eoi.marker === EOI && eoi.end < bytes.length) pieces.push(bytes.subarray(eoi.end));
  return { frame: concatChunks(pieces), cleaned };
}

/**
 * The scan's entropy-coded data with the tables in force; when a table lacks a symbol, optimal tables for
 * the scan, defined by a DHT segment returned before the data (and then in force for later scans).
 */
function encodeWithTables(
  frame: FrameHeader,
  header: ScanHeader,
  grid: ReturnType<typeof blockGrid>,
  interval: number,
  inForce: Map<number, HuffmanTable>,
  capacity: number,
): { readonly tables?: Uint8Array; readonly data: Uint8Array } {
  const keys = (cls: number) =>
    header.components.map((c) => tableKey(cls, cls === 0 ? c.dcTable : c.acTable));
  const encoders = (cls: number) => keys(cls).map((k) => new HuffmanEncoder(inForce.get(k)!));
  try {
    const writer = new ScanWriter(encoders(0), encoders(1), capacity + 1024);
    encodeScan(frame, header, grid, interval, writer);
    return { data: writer.writer.finish() };
  } catch (error) {
    if (!(error instanceof MissingSymbol)) throw error;
  }
  const counter = new SymbolCounter(header.components.length);
  encodeScan(frame, header, grid, interval, counter);
  const totals = new Map<number, Uint32Array>();
  for (const [cls, counts] of [
    [0, counter.dc],
    [1, counter.ac],
  ] as const) {
    keys(cls).forEach((key, component) => {
      const sum = totals.get(key) ?? new Uint32Array(256);
      counts[component]!.forEach((n, symbol) => {
        sum[symbol] = sum[symbol]! + n;
      });
      totals.set(key, sum);
    });
  }
  const fresh = new Map([...totals].map(([key, counts]) => [key, optimalTable(counts)] as const));
  for (const [key, table] of fresh) inForce.set(key, table);
  const writer = new ScanWriter(encoders(0), encoders(1), capacity + 1024);
  encodeScan(frame, header, grid, interval, writer);
  return { tables: dhtSegment(fresh), data: writer.writer.finish() };
}

export const jpegBaselineRedactor: CompressedDomainRedactor = { kind: 'compressed-domain', redact };
