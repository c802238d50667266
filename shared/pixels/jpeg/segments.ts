import { ReportableError } from '../../errors.js';

/**
 * The marker segments of a JPEG stream (ITU T.81 B.1–B.2): where each lies, and the frame and scan headers
 * read out of them. The entropy-coded data after a start of scan is its own piece, up to the next marker
 * that is neither a stuffed 0xFF00 nor a restart.
 */

export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const DHT = 0xc4;
export const DQT = 0xdb;
export const DRI = 0xdd;
const SOF_BASELINE = 0xc0;
const SOF_EXTENDED = 0xc1;
const RST0 = 0xd0;
const RST7 = 0xd7;

export interface Segment {
  /** The marker's second byte. */
  readonly marker: number;
  /** Offset of the 0xFF of the marker. */
  readonly start: number;
  /** Offset after the segment (after the entropy-coded data, for a scan). */
  readonly end: number;
  /** For a scan: where its entropy-coded data begins. */
  readonly dataStart?: number;
}

export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly quantTable: number;
}

export interface FrameHeader {
  readonly marker: number;
  readonly precision: number;
  readonly lines: number;
  readonly samplesPerLine: number;
  readonly components: readonly FrameComponent[];
}

export interface ScanComponent {
  /** Index into the frame's components. */
  readonly index: number;
  readonly dcTable: number;
  readonly acTable: number;
}

export interface ScanHeader {
  readonly components: readonly ScanComponent[];
}

export const notCleanable = (why: string) => new ReportableError(`this JPEG cannot be cleaned: ${why}`);

const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

const isStandalone = (m: number) => m === SOI || m === EOI || (m >= RST0 && m <= RST7) || m === 0x01;

/** The segments in stream order, from SOI to EOI; bytes after EOI are left to the caller. */
export function segments(bytes: Uint8Array): Segment[] {
  if (bytes[0] !== 0xff || bytes[1] !== SOI)
    throw notCleanable('it does not start with a start-of-image marker');
  const out: Segment[] = [{ marker: SOI, start: 0, end: 2 }];
  let i = 2;
  while (i < bytes.length) {
    if (bytes[i] !== 0xff) throw notCleanable(`no marker at byte ${i}`);
    const marker = bytes[i + 1];
    if (marker === undefined) break;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (isStandalone(marker)) {
      out.push({ marker, start: i, end: i + 2 });
      i += 2;
      if (marker === EOI) return out;
      continue;
    }
    if (i + 4 > bytes.length) break;
    const end = i + 2 + u16(bytes, i + 2);
    if (end > bytes.length) break;
    if (marker !== SOS) {
      out.push({ marker, start: i, end });
      i = end;
      continue;
    }
    let j = end;
    while (
      j + 1 < bytes.length &&
      !(bytes[j] === 0xff && bytes[j + 1] !== 0 && !(bytes[j + 1]! >= RST0 && bytes[j + 1]! <= RST7))
    ) {
      j++;
    }
    out.push({ marker, start: i, end: j + 1 < bytes.length ? j : bytes.length, dataStart: end });
    i = j;
  }
  throw notCleanable('it ends before its end-of-image marker');
}

export function frameHeader(bytes: Uint8Array, s: Segment): FrameHeader {
  if (s.marker !== SOF_BASELINE && s.marker !== SOF_EXTENDED) {
    throw notCleanable('only baseline and extended sequential Huffman-coded JPEG are');
  }
  const count = bytes[s.start + 9]!;
  if (s.end - s.start < 10 + count * 3) throw notCleanable('its frame header is short');
  const components = Array.from({ length: count }, (_, k) => {
    const at = s.start + 10 + k * 3;
    return { id: bytes[at]!, h: bytes[at + 1]! >> 4, v: bytes[at + 1]! & 15, quantTable: bytes[at + 2]! };
  });
  const header = {
    marker: s.marker,
    precision: bytes[s.start + 4]!,
    lines: u16(bytes, s.start + 5),
    samplesPerLine: u16(bytes, s.start + 7),
    components,
  };
  if (header.precision !== 8 && header.precision !== 12)
    throw notCleanable(`${header.precision}-bit samples`);
  if (header.lines === 0) throw notCleanable('its height is given after the scan (DNL)');
  if (components.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4))
    throw notCleanable('bad sampling factors');
  return header;
}

export function scanHeader(bytes: Uint8Array, s: Segment, frame: FrameHeader): ScanHeader {
  const count = bytes[s.start + 4]!;
  if (count < 1 || count > 4 || s.start + 8 + count * 2 > s.dataStart!)
    throw notCleanable('its scan header is malformed');
  const components = Array.from({ length: count }, (_, k) => {
    const id = bytes[s.start + 5 + k * 2]!;
    const index = frame.components.findIndex((c) => c.id === id);
    if (index < 0) throw notCleanable('a scan names a component the frame does not have');
    const tables = bytes[s.start + 6 + k * 2]!;
    return { index, dcTable: tables >> 4, acTable: tables & 15 };
  });
  // Ss, Se, Ah and Al are ignored: a baseline or extended frame is sequential whatever they say, as libjpeg
  // reads them (some encoders write Se = 0).
  return { components };
}

/** The restart interval in MCUs a DRI segment sets (0: none). */
export const restartInterval = (bytes: Uint8Array, s: Segment): number => u16(bytes, s.start + 4);

/** The quantization tables a DQT segment defines, each as 64 values in zigzag order. */
export function quantTables(bytes: Uint8Array, s: Segment): Map<number, Uint16Array> {
  const tables = new Map<number, Uint16Array>();
  for (let i = s.start + 4; i < s.end; ) {
    const wide = bytes[i]! >> 4;
    const id = bytes[i]! & 15;
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) table[k] = wide ? u16(bytes, i + 1 + k * 2) : bytes[i + 1 + k]!;
    tables.set(id, table);
    i += 1 + 64 * (wide ? 2 : 1);
  }
  return tables;
}

/** Whether three components hold RGB rather than YCbCr: an Adobe APP14 transform of 0, or ids 'R' 'G' 'B'. */
export function isRgb(bytes: Uint8Array, all: readonly Segment[], frame: FrameHeader): boolean {
  const ids = frame.components.map((c) => c.id);
  if (ids.join() === '82,71,66') return true;
  const adobe = all.find(
    (s) =>
      s.marker === 0xee &&
      s.end - s.start >= 16 &&
      String.fromCharCode(...bytes.subarray(s.start + 4, s.start + 9)) === 'Adobe',
  );
  return adobe !== undefined && bytes[adobe.start + 15] === 0;
}
