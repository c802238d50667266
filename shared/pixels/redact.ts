import { encodeHeader } from '../dicom/encode.js';
import { DicomError } from '../dicom/errors.js';
import { encapsulatedFrames } from '../dicom/frames.js';
import type { DicomElement, ParsedDicom } from '../dicom/model.js';
import type { ByteSource } from '../dicom/source.js';
import { ITEM, SEQUENCE_DELIMITER } from '../dicom/tag.js';
import type { Chunk, ElementEdit } from '../dicom/write.js';
import type { FrameLayout, PixelCodecs } from './codec.js';
import { clipRect, type FillValue, fillRects } from './fill.js';
import type { CheckedLayout } from './layout.js';
import type { Rect } from './regions.js';
import { type FrameSpill, IN_MEMORY } from './spill.js';

/** Rectangles to fill with one value. */
export interface FillGroup {
  readonly rects: readonly Rect[];
  readonly fill: FillValue;
}

/** What to fill in frame `index` (0-based); empty when the frame stays as it is. */
export type FramePlan = (index: number) => readonly FillGroup[];

export interface Redaction {
  /** Top-level edits: the new Pixel Data, and the Extended Offset Table when the file has one. */
  readonly edits: ReadonlyMap<number, ElementEdit>;
  /** Rectangles filled, summed over frames. */
  readonly regionsCleaned: number;
  /** Frames re-encoded in a syntax that allows loss, at the original frame's coding parameters. */
  readonly lossyReencoded?: number;
}

/** Why cleaning could not be done; the file is then held. Plain words, attributes and counts only. */
export class CannotClean extends Error {}

const countRects = (groups: readonly FillGroup[], layout: FrameLayout) =>
  groups.reduce((n, g) => n + g.rects.filter((r) => clipRect(r, layout)).length, 0);

/**
 * One cleaned native frame, produced when the writer first reads it and dropped once read to its end, so
 * a long multi-frame image is never held whole.
 */
class CleanedFrame implements ByteSource {
  private bytes: Uint8Array | undefined;
  constructor(
    readonly size: number,
    private readonly produce: () => Uint8Array,
  ) {}
  private ensure(): Uint8Array {
    this.bytes ??= this.produce();
    return this.bytes;
  }
  window() {
    return { bytes: this.ensure(), base: 0 };
  }
  read(offset: number, length: number): Uint8Array {
    const bytes = this.ensure();
    const end = Math.min(this.size, offset + length);
    // A view, not a copy: the frame is dropped here once read to its end, and readers do not write to it.
    const out = bytes.subarray(offset, end);
    if (end >= this.size) this.bytes = undefined;
    return out;
  }
}

/** Native (uncompressed) pixel data: frames with regions are filled, every other byte is a source range. */
function redactNative(parsed: ParsedDicom, checked: CheckedLayout, plan: FramePlan): Redaction {
  const { layout, pixelData, frameBytes } = checked;
  const littleEndian = parsed.dataset.syntax.littleEndian;
  if (!littleEndian && layout.bitsAllocated === 8 && pixelData.vr === 'OW')
    throw new CannotClean('8-bit pixels in OW big endian words are not supported');
  const source = parsed.source;
  const chunks: Chunk[] = [source.read(pixelData.start, pixelData.valueStart - pixelData.start).slice()];
  let regionsCleaned = 0;
  let copyFrom = pixelData.valueStart;
  const copyUntil = (end: number) => {
    if (end > copyFrom) chunks.push({ source, offset: copyFrom, length: end - copyFrom });
    copyFrom = end;
  };
  for (let i = 0; i < layout.numberOfFrames; i++) {
    const groups = plan(i);
    const rects = countRects(groups, layout);
    if (rects === 0) continue;
    const start = pixelData.valueStart + i * frameBytes;
    copyUntil(start);
    regionsCleaned += rects;
    const frame = new CleanedFrame(frameBytes, () => {
      const bytes = source.read(start, frameBytes).slice();
      for (const g of groups) fillRects(bytes, layout, g.rects, g.fill, littleEndian);
      return bytes;
    });
    chunks.push({ source: frame, offset: 0, length: frameBytes });
    copyFrom = start + frameBytes;
  }
  copyUntil(pixelData.end);
  return { edits: new Map([[pixelData.start, { kind: 'raw', chunks }]]), regionsCleaned };
}

const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;

function uint64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setBigUint64(i * 8, BigInt(v), true);
  });
  return out;
}

/** Which fragments (indices after the Basic Offset Table item) make up each frame. */
export function framesOfFragments(parsed: ParsedDicom, pixelData: DicomElement, frames: number): number[][] {
  const index = new Map((pixelData.fragments ?? []).slice(1).map((f, i) => [f, i]));
  try {
    return encapsulatedFrames(parsed, frames).map((members) => members.map((f) => index.get(f)!));
  } catch (error) {
    if (error instanceof DicomError) throw new CannotClean(error.message);
    throw error;
  }
}

/**
 * Encapsulated pixel data through the injected codec: each frame with regions is decoded, filled and
 * re-encoded (or cleaned in the compressed domain) into one fragment; other frames keep their fragments
 * byte for byte. The Basic Offset Table, or the Extended Offset Table when the file has one, is rebuilt.
 */
function redactEncapsulated(
  parsed: ParsedDicom,
  checked: CheckedLayout,
  plan: FramePlan,
  codecs: PixelCodecs | undefined,
  spill: FrameSpill,
): Redaction {
  const { layout, pixelData } = checked;
  const codec = codecs?.forSyntax(parsed.transferSyntax.uid);
  if (!codec)
    throw new CannotClean(`no codec here can clean pixels in transfer syntax ${parsed.transferSyntax.name}`);
  const source = parsed.source;
  const fragments = (pixelData.fragments ?? []).slice(1);
  const frames = framesOfFragments(parsed, pixelData, layout.numberOfFrames);
  const body: Chunk[] = [];
  const offsets: number[] = [];
  const lengths: number[] = [];
  let size = 0;
  let regionsCleaned = 0;
  let lossyReencoded = 0;
  frames.forEach((members, i) => {
    offsets.push(size);
    const groups = plan(i);
    const rects = countRects(groups, layout);
    if (rects === 0) {
      for (const k of members) {
        const f = fragments[k]!;
        const length = f.valueStart - f.start + f.length;
        body.push({ source, offset: f.start, length });
        size += length;
      }
      lengths.push(members.reduce((n, k) => n + fragments[k]!.length, 0));
      return;
    }
    const data = concat(members.map((k) => source.read(fragments[k]!.valueStart, fragments[k]!.length)));
    let encoded: Uint8Array;
    if (codec.kind === 'lossless') {
      const samples = codec.decode(data, layout).slice();
      for (const g of groups) fillRects(samples, layout, g.rects, g.fill, true);
      // Given the original, a codec of a lossy syntax keeps its coding parameters: no lossless file turns
      // lossy, and a lossy one is not compressed harder than it was.
      encoded = codec.encode(samples, layout, data);
      if (codec.lossy) lossyReencoded++;
    } else {
      encoded = codec.redact(
        data,
        layout,
        groups.flatMap((g) => g.rects),
      ).frame;
    }
    regionsCleaned += rects;
    const pad = encoded.length % 2;
    body.push(encodeHeader(ITEM, '', encoded.length + pad, parsed.dataset.syntax), spill.put(encoded));
    if (pad) body.push(new Uint8Array(1));
    size += 8 + encoded.length + pad;
    lengths.push(encoded.length);
  });

  const edits = new Map<number, ElementEdit>();
  const eot = parsed.dataset.elements.find((e) => e.tag === EXTENDED_OFFSET_TABLE);
  const eotLengths = parsed.dataset.elements.find((e) => e.tag === EXTENDED_OFFSET_TABLE_LENGTHS);
  let table = new Uint8Array(0);
  if (eot) {
    edits.set(eot.start, { kind: 'value', vr: 'OV', value: uint64Bytes(offsets) });
    if (eotLengths) edits.set(eotLengths.start, { kind: 'value', vr: 'OV', value: uint64Bytes(lengths) });
  } else if (size <= 0xffffffff) {
    table = new Uint8Array(offsets.length * 4);
    const view = new DataView(table.buffer);
    offsets.forEach((o, i) => {
      view.setUint32(i * 4, o, true);
    });
  }
  const chunks: Chunk[] = [
    source.read(pixelData.start, pixelData.valueStart - pixelData.start).slice(),
    encodeHeader(ITEM, '', table.length, parsed.dataset.syntax),
    table,
    ...body,
    encodeHeader(SEQUENCE_DELIMITER, '', 0, parsed.dataset.syntax),
  ];
  edits.set(pixelData.start, { kind: 'raw', chunks });
  return { edits, regionsCleaned, ...(lossyReencoded > 0 ? { lossyReencoded } : {}) };
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Cleans the planned regions of every frame; throws CannotClean when this file's pixels cannot be.
 * Re-encoded frames go to `spill` as they are made, so at most one is in memory at a time.
 */
export function redactPixels(
  parsed: ParsedDicom,
  checked: CheckedLayout,
  plan: FramePlan,
  codecs: PixelCodecs | undefined,
  spill: FrameSpill = IN_MEMORY,
): Redaction {
  if (checked.pixelData.fragments) return redactEncapsulated(parsed, checked, plan, codecs, spill);
  if (parsed.transferSyntax.encapsulated)
    throw new CannotClean('the Pixel Data of this compressed transfer syntax is not in fragments');
  return redactNative(parsed, checked, plan);
}
