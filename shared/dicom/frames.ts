import { DicomError } from './errors.js';
import type { DicomElement, Fragment, ParsedDicom } from './model.js';
import { ITEM, PIXEL_DATA, SEQUENCE_DELIMITER } from './tag.js';

/**
 * Encapsulated pixel data (PS3.5 A.4), frame by frame: which fragments make up each frame, read one frame at a
 * time so a large multi-frame is never held whole, and the encapsulated value rebuilt from new frames.
 */

const EXTENDED_OFFSET_TABLE = 0x7fe00001;

/** Where one frame's compressed bytes lie in the dataset's source. */
export type FrameFragments = readonly Fragment[];

const cannotSplit = (why: string) =>
  new DicomError('malformed', `the frames of the encapsulated pixel data cannot be told apart: ${why}`);

function uint64s(parsed: ParsedDicom, el: DicomElement): number[] {
  const bytes = parsed.source.read(el.valueStart, el.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: Math.floor(bytes.length / 8) }, (_, i) =>
    Number(view.getBigUint64(i * 8, true)),
  );
}

/** Frames by offsets counted from the first fragment's item tag (both offset tables count that way). */
function byOffsets(data: readonly Fragment[], offsets: readonly number[], frames: number): FrameFragments[] {
  const first = data[0]?.start ?? 0;
  return offsets.slice(0, frames).map((offset, i) => {
    const start = first + offset;
    const end = i + 1 < frames ? first + offsets[i + 1]! : Number.POSITIVE_INFINITY;
    const own = data.filter((f) => f.start >= start && f.start < end);
    if (own.length === 0 || own[0]!.start !== start)
      throw cannotSplit(`no fragment starts where frame ${i + 1} does`);
    return own;
  });
}

/** A JPEG, JPEG-LS or JPEG 2000 start of image / codestream, or a PS3.5 G.5 RLE header. */
function opensFrame(head: Uint8Array): boolean {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return true;
  if (head[0] === 0xff && head[1] === 0x4f && head[2] === 0xff && head[3] === 0x51) return true;
  if (head.length < 8) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const segments = view.getUint32(0, true);
  // The RLE header is 64 bytes, so the first segment starts at offset 64.
  return segments >= 1 && segments <= 15 && view.getUint32(4, true) === 64;
}

/** A JPEG end of image at the end of a fragment, before the one padding byte a fragment may end with. */
function closesJpeg(tail: Uint8Array): boolean {
  const n = tail.length;
  return (tail[n - 2] === 0xff && tail[n - 1] === 0xd9) || (tail[n - 3] === 0xff && tail[n - 2] === 0xd9);
}

function splitAt(data: readonly Fragment[], starts: readonly number[]): FrameFragments[] {
  return starts.map((s, i) => data.slice(s, starts[i + 1] ?? data.length));
}

/**
 * The fragments of each frame of encapsulated pixel data, by the Extended Offset Table, the Basic Offset
 * Table, one fragment per frame, or (no table) where a fragment opens a new codestream or the last one closed.
 */
export function encapsulatedFrames(parsed: ParsedDicom, numberOfFrames: number): FrameFragments[] {
  const pixels = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA);
  if (!pixels?.fragments) throw new DicomError('malformed', 'the pixel data is not encapsulated');
  const [table, ...data] = pixels.fragments;
  if (data.length === 0) throw cannotSplit('there are no fragments');
  const extended = parsed.dataset.elements.find((e) => e.tag === EXTENDED_OFFSET_TABLE);
  if (extended && extended.length >= numberOfFrames * 8) {
    return byOffsets(data, uint64s(parsed, extended), numberOfFrames);
  }
  if (table && table.length >= numberOfFrames * 4) {
    const bytes = parsed.source.read(table.valueStart, numberOfFrames * 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = Array.from({ length: numberOfFrames }, (_, i) => view.getUint32(i * 4, true));
    return byOffsets(data, offsets, numberOfFrames);
  }
  if (numberOfFrames === 1) return [data];
  if (data.length === numberOfFrames) return data.map((f) => [f]);
  const opening = data.flatMap((f, i) => (opensFrame(parsed.source.read(f.valueStart, 8)) ? [i] : []));
  if (opening.length === numberOfFrames && opening[0] === 0) return splitAt(data, opening);
  const afterEoi = [0];
  data.forEach((f, i) => {
    const tail = parsed.source.read(f.valueStart + Math.max(0, f.length - 3), Math.min(3, f.length));
    if (i + 1 < data.length && closesJpeg(tail)) afterEoi.push(i + 1);
  });
  if (afterEoi.length === numberOfFrames) return splitAt(data, afterEoi);
  throw cannotSplit(`${data.length} fragments for ${numberOfFrames} frames and no offset table`);
}

/** One frame's compressed bytes: its fragments' values, concatenated. */
export function readFrame(parsed: ParsedDicom, fragments: FrameFragments): Uint8Array {
  if (fragments.length === 1) return parsed.source.read(fragments[0]!.valueStart, fragments[0]!.length);
  const out = new Uint8Array(fragments.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of fragments) {
    out.set(parsed.source.read(f.valueStart, f.length), at);
    at += f.length;
  }
  return out;
}

function itemHeader(tag: number, length: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag >>> 16, true);
  v.setUint16(2, tag & 0xffff, true);
  v.setUint32(4, length, true);
  return b;
}

/**
 * The Pixel Data element (explicit VR little endian, as every encapsulated syntax is) holding the given
 * frames one fragment each, padded to even length, with a Basic Offset Table: the pieces in file order.
 */
export function encapsulatedPixelData(frames: readonly Uint8Array[]): Uint8Array[] {
  const padded = frames.map((f) => f.length + (f.length % 2));
  const total = padded.reduce((n, l) => n + 8 + l, 0);
  if (total > 0xfffffffe) throw new DicomError('too-large', 'the frames do not fit a Basic Offset Table');
  const table = new Uint8Array(frames.length * 4);
  const view = new DataView(table.buffer);
  let offset = 0;
  padded.forEach((length, i) => {
    view.setUint32(i * 4, offset, true);
    offset += 8 + length;
  });
  // (7FE0,0010) OB with undefined length.
  const header = new Uint8Array([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const pieces = [header, itemHeader(ITEM, table.length), table];
  frames.forEach((frame, i) => {
    pieces.push(itemHeader(ITEM, padded[i]!), frame);
    if (frame.length % 2) pieces.push(new Uint8Array(1));
  });
  pieces.push(itemHeader(SEQUENCE_DELIMITER, 0));
  return pieces;
}
