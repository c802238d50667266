import { encapsulatedFrames, readFrame } from '../shared/dicom/frames.js';
import type { DicomElement, ParsedDicom } from '../shared/dicom/model.js';
import { PIXEL_DATA, tagOf } from '../shared/dicom/tag.js';
import { readNumbers, readText } from '../shared/dicom/values.js';
import { ReportableError } from '../shared/errors.js';
import type { FrameImage, ImageInfo } from '../shared/ipc/contract.js';
import { decodeRle } from '../shared/pixels/rle.js';
import { canDecode, decodeFrame as decodeCompressed, isBrowserJpeg, type Pixels } from './codecs/index.js';

const TAG = {
  samplesPerPixel: tagOf(0x0028, 0x0002),
  photometric: tagOf(0x0028, 0x0004),
  planar: tagOf(0x0028, 0x0006),
  frames: tagOf(0x0028, 0x0008),
  rows: tagOf(0x0028, 0x0010),
  columns: tagOf(0x0028, 0x0011),
  bitsAllocated: tagOf(0x0028, 0x0100),
  bitsStored: tagOf(0x0028, 0x0101),
  pixelRepresentation: tagOf(0x0028, 0x0103),
  windowCenter: tagOf(0x0028, 0x1050),
  windowWidth: tagOf(0x0028, 0x1051),
  rescaleIntercept: tagOf(0x0028, 0x1052),
  rescaleSlope: tagOf(0x0028, 0x1053),
};

const RLE = '1.2.840.10008.1.2.5';
// 8-bit lossy JPEG that the page's own image decoder reads (baseline and 8-bit extended).
const BROWSER_JPEG = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);
/** Larger frames are not previewed: a decoded 16-megapixel frame is already 64 MB of floats. */
const MAX_PIXELS = 16 * 1024 * 1024;

interface Geometry {
  readonly rows: number;
  readonly columns: number;
  readonly samples: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly photometric: string;
  readonly planar: boolean;
  readonly frames: number;
}

class Header {
  constructor(private readonly parsed: ParsedDicom) {}
  element(tag: number): DicomElement | undefined {
    return this.parsed.dataset.elements.find((e) => e.tag === tag);
  }
  us(tag: number): number | undefined {
    const el = this.element(tag);
    return el ? readNumbers(this.parsed.source, el, 'US', this.parsed.dataset.syntax, 1)[0] : undefined;
  }
  /** First value of an IS or DS attribute. */
  number(tag: number, vr: 'IS' | 'DS'): number | undefined {
    const el = this.element(tag);
    if (!el) return undefined;
    const value = Number.parseFloat(readText(this.parsed.source, el, vr, undefined).split('\\')[0] ?? '');
    return Number.isFinite(value) ? value : undefined;
  }
  code(tag: number): string {
    const el = this.element(tag);
    return el ? readText(this.parsed.source, el, 'CS', undefined).trim().toUpperCase() : '';
  }
}

function geometry(header: Header): Geometry | undefined {
  const rows = header.us(TAG.rows);
  const columns = header.us(TAG.columns);
  const bitsAllocated = header.us(TAG.bitsAllocated);
  if (!rows || !columns || !bitsAllocated) return undefined;
  return {
    rows,
    columns,
    samples: header.us(TAG.samplesPerPixel) ?? 1,
    bitsAllocated,
    bitsStored: header.us(TAG.bitsStored) ?? bitsAllocated,
    signed: header.us(TAG.pixelRepresentation) === 1,
    photometric: header.code(TAG.photometric) || 'MONOCHROME2',
    planar: header.us(TAG.planar) === 1,
    frames: Math.max(1, Math.trunc(header.number(TAG.frames, 'IS') ?? 1)),
  };
}

const frameBytes = (g: Geometry): number => g.rows * g.columns * g.samples * (g.bitsAllocated / 8);

/** Why this image cannot be previewed, or undefined when it can. */
function unsupportedReason(parsed: ParsedDicom, pixels: DicomElement, g: Geometry): string | undefined {
  const ts = parsed.transferSyntax;
  if (!ts.encapsulated && !pixels.fragments && pixels.length < frameBytes(g)) {
    return 'the pixel data is shorter than the image size says';
  }
  if (g.rows * g.columns > MAX_PIXELS) return 'the image is too large to preview';
  if (ts.encapsulated && ts.uid !== RLE && !BROWSER_JPEG.has(ts.uid) && !canDecode(ts.uid)) {
    return `previews of ${ts.name} images are not available yet`;
  }
  if (BROWSER_JPEG.has(ts.uid) && g.bitsStored > 8)
    return `previews of ${g.bitsStored}-bit JPEG images are not available yet`;
  if (![8, 16, 32].includes(g.bitsAllocated)) return `${g.bitsAllocated}-bit pixels cannot be previewed`;
  const grey = g.samples === 1 && g.photometric.startsWith('MONOCHROME');
  // YBR_ICT and YBR_RCT (JPEG 2000) come out of the decoder as RGB.
  const colour =
    g.samples === 3 &&
    g.bitsAllocated === 8 &&
    ['RGB', 'YBR_FULL', 'YBR_ICT', 'YBR_RCT'].includes(g.photometric);
  if (!grey && !colour && !BROWSER_JPEG.has(ts.uid)) return `${g.photometric} images cannot be previewed yet`;
  return undefined;
}

/** What the inspector needs to offer a preview; null when the file has no pixel data. */
export function imageInfo(parsed: ParsedDicom): ImageInfo | null {
  const header = new Header(parsed);
  const pixels = header.element(PIXEL_DATA);
  const g = geometry(header);
  if (!pixels || !g) return null;
  const unsupported = unsupportedReason(parsed, pixels, g);
  return {
    frames: g.frames,
    rows: g.rows,
    columns: g.columns,
    transferSyntax: parsed.transferSyntax.name,
    ...(unsupported ? { unsupported } : {}),
  };
}

/** The compressed bytes of one frame of encapsulated pixel data. */
const encapsulatedFrame = (parsed: ParsedDicom, frame: number, frames: number): Uint8Array =>
  readFrame(parsed, encapsulatedFrames(parsed, frames)[frame]!);

function greyFrame(header: Header, g: Geometry, raw: Uint8Array, littleEndian: boolean): FrameImage {
  const count = g.rows * g.columns;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const slope = header.number(TAG.rescaleSlope, 'DS') ?? 1;
  const intercept = header.number(TAG.rescaleIntercept, 'DS') ?? 0;
  const shift = 32 - g.bitsStored;
  const bytes = g.bitsAllocated / 8;
  const values = new Float32Array(count);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const at = i * bytes;
    const stored =
      bytes === 1
        ? view.getUint8(at)
        : bytes === 2
          ? view.getUint16(at, littleEndian)
          : view.getUint32(at, littleEndian);
    // Bits above Bits Stored may hold overlays; the sign, when there is one, is bit Bits Stored - 1.
    const value = g.signed
      ? (stored << shift) >> shift
      : shift > 0
        ? (stored << shift) >>> shift
        : stored >>> 0;
    const modality = value * slope + intercept;
    values[i] = modality;
    if (modality < min) min = modality;
    if (modality > max) max = modality;
  }
  if (count === 0) min = max = 0;
  const center = header.number(TAG.windowCenter, 'DS');
  const width = header.number(TAG.windowWidth, 'DS');
  return {
    kind: 'grey',
    width: g.columns,
    height: g.rows,
    data: Buffer.from(values.buffer).toString('base64'),
    min,
    max,
    window:
      center !== undefined && width !== undefined && width > 0
        ? { center, width }
        : { center: (min + max) / 2, width: Math.max(1, max - min) },
    invert: g.photometric === 'MONOCHROME1',
  };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decoded samples as the bytes of an uncompressed little-endian frame with the header's Bits Allocated. */
function samplesToRaw(samples: Pixels, g: Geometry): Uint8Array {
  const bytes = g.bitsAllocated / 8;
  if (samples.BYTES_PER_ELEMENT === bytes) {
    const raw = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    if (bytes === 1 || HOST_LITTLE_ENDIAN) return raw;
  }
  const raw = new Uint8Array(samples.length * bytes);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i]!;
    if (bytes === 1) view.setUint8(i, value & 0xff);
    else if (bytes === 2) view.setUint16(i * 2, value & 0xffff, true);
    else view.setUint32(i * 4, value >>> 0, true);
  }
  return raw;
}

function colourFrame(g: Geometry, raw: Uint8Array, planar: boolean): FrameImage {
  const count = g.rows * g.columns;
  const rgba = new Uint8Array(count * 4);
  const ybr = g.photometric === 'YBR_FULL';
  for (let i = 0; i < count; i++) {
    const [a, b, c] = planar
      ? [raw[i]!, raw[count + i]!, raw[2 * count + i]!]
      : [raw[i * 3]!, raw[i * 3 + 1]!, raw[i * 3 + 2]!];
    const at = i * 4;
    if (ybr) {
      // PS3.3 C.7.6.3.1.2, YBR_FULL to RGB.
      rgba[at] = a + 1.402 * (c - 128);
      rgba[at + 1] = a - 0.344136 * (b - 128) - 0.714136 * (c - 128);
      rgba[at + 2] = a + 1.772 * (b - 128);
    } else {
      rgba[at] = a;
      rgba[at + 1] = b;
      rgba[at + 2] = c;
    }
    rgba[at + 3] = 255;
  }
  return {
    kind: 'rgba',
    width: g.columns,
    height: g.rows,
    data: Buffer.from(rgba.buffer).toString('base64'),
  };
}

/** One frame, ready to draw; throws with a plain reason when it cannot be shown. */
export async function decodeFrame(parsed: ParsedDicom, frame: number): Promise<FrameImage> {
  const header = new Header(parsed);
  const pixels = header.element(PIXEL_DATA);
  const g = geometry(header);
  if (!pixels || !g) throw new ReportableError('the file has no image');
  const unsupported = unsupportedReason(parsed, pixels, g);
  if (unsupported) throw new ReportableError(unsupported);
  if (frame >= g.frames) throw new ReportableError(`the image has ${g.frames} frames`);
  const ts = parsed.transferSyntax;
  if (BROWSER_JPEG.has(ts.uid)) {
    const jpeg = encapsulatedFrame(parsed, frame, g.frames);
    return { kind: 'jpeg', width: g.columns, height: g.rows, data: Buffer.from(jpeg).toString('base64') };
  }
  let raw: Uint8Array;
  let littleEndian = parsed.dataset.syntax.littleEndian;
  let planar = g.planar;
  if (ts.uid === RLE) {
    // Decoded by plane, as the planes lie in the RLE segments.
    raw = decodeRle(encapsulatedFrame(parsed, frame, g.frames), {
      rows: g.rows,
      columns: g.columns,
      samplesPerPixel: g.samples,
      bitsAllocated: g.bitsAllocated,
      bitsStored: g.bitsStored,
      highBit: g.bitsStored - 1,
      pixelRepresentation: g.signed ? 1 : 0,
      planarConfiguration: 1,
      photometricInterpretation: g.photometric,
      numberOfFrames: g.frames,
    });
    littleEndian = true;
    planar = true;
  } else if (ts.encapsulated) {
    const compressed = encapsulatedFrame(parsed, frame, g.frames);
    if (isBrowserJpeg(compressed)) {
      return {
        kind: 'jpeg',
        width: g.columns,
        height: g.rows,
        data: Buffer.from(compressed).toString('base64'),
      };
    }
    const samples = await decodeCompressed(ts.uid, compressed, {
      rows: g.rows,
      columns: g.columns,
      bitsAllocated: g.bitsAllocated,
      samplesPerPixel: g.samples,
      pixelRepresentation: g.signed ? 1 : 0,
    });
    raw = samplesToRaw(samples, g);
    littleEndian = true;
    planar = false;
  } else {
    const size = frameBytes(g);
    raw = parsed.source.read(pixels.valueStart + frame * size, size);
    if (raw.length < size) throw new ReportableError('the pixel data is shorter than the image size says');
  }
  return g.samples === 1 ? greyFrame(header, g, raw, littleEndian) : colourFrame(g, raw, planar);
}
