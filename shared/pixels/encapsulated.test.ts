import { describe, expect, it } from 'vitest';
import { pixelModule } from '../../test/image.js';
import { part10, str } from '../../test/part10.js';
import { anonymize } from '../anonymize/engine.js';
import { keyFromBytes } from '../anonymize/key.js';
import { asciiBytes, encodeHeader } from '../dicom/encode.js';
import type { ParsedDicom } from '../dicom/model.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { ITEM, PIXEL_DATA, SEQUENCE_DELIMITER } from '../dicom/tag.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { concatChunks, type NewElement } from '../dicom/write.js';
import { getPreset, type Profile } from '../profile/index.js';
import type { LosslessFrameCodec, PixelCodecs } from './codec.js';

/*
 * Encapsulated pixel data through an injected codec. Encapsulated Uncompressed Explicit VR Little Endian
 * (1.2.840.10008.1.2.1.98) stores each frame's samples as they are, so its codec is the identity: a real
 * codec for a real syntax, which lets these tests check fragments and offset tables byte by byte.
 */

const ENCAPSULATED_UNCOMPRESSED = '1.2.840.10008.1.2.1.98';
const KEY = keyFromBytes(new Uint8Array(32).fill(0x77));
const W = 16;
const H = 8;
const FRAMES = 3;

const identity: LosslessFrameCodec = {
  kind: 'lossless',
  decode: (frame) => frame.slice(),
  encode: (samples) => samples.slice(),
};
const codecs: PixelCodecs = {
  forSyntax: (uid) => (uid === ENCAPSULATED_UNCOMPRESSED ? identity : undefined),
};

const frameOf = (f: number) => Uint8Array.from({ length: W * H }, (_, i) => 1 + ((i * 7 + f * 50) % 250));

function u32(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setUint32(i * 4, v, true);
  });
  return out;
}

function u64(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setBigUint64(i * 8, BigInt(v), true);
  });
  return out;
}

/** A multi-frame file whose frames are one fragment each, indexed by a Basic or an Extended Offset Table. */
function encapsulatedFile(table: 'basic' | 'extended'): Uint8Array {
  const frames = Array.from({ length: FRAMES }, (_, f) => frameOf(f));
  const offsets = frames.map((_, f) => f * (8 + W * H));
  const elements: NewElement[] = [
    str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    str(0x00080060, 'CS', 'OT'),
    str(0x00100010, 'PN', 'DOE^JANE'),
    ...pixelModule({ rows: H, columns: W, photometric: 'MONOCHROME2', bits: 8, frames: FRAMES }),
    str(0x00280301, 'CS', 'YES'),
  ];
  if (table === 'extended') {
    elements.push({ tag: 0x7fe00001, vr: 'OV', value: u64(offsets) });
    elements.push({ tag: 0x7fe00002, vr: 'OV', value: u64(frames.map((f) => f.length)) });
  }
  const file = part10(elements, '1.2.840.10008.5.1.4.1.1.7');
  const bot = table === 'basic' ? u32(offsets) : new Uint8Array(0);
  const pixel = concatChunks([
    encodeHeader(PIXEL_DATA, 'OB', 0xffffffff, EXPLICIT_LE),
    encodeHeader(ITEM, '', bot.length, EXPLICIT_LE),
    bot,
    ...frames.flatMap((f) => [encodeHeader(ITEM, '', f.length, EXPLICIT_LE), f]),
    encodeHeader(SEQUENCE_DELIMITER, '', 0, EXPLICIT_LE),
  ]);
  const bytes = concatChunks([file, pixel]);
  // part10 writes Explicit VR Little Endian in the meta: the syntax of these frames is declared instead.
  const ts = Buffer.from(bytes).indexOf(Buffer.from('1.2.840.10008.1.2.1\0'));
  const withSyntax = concatChunks([
    bytes.subarray(0, ts),
    asciiBytes(ENCAPSULATED_UNCOMPRESSED),
    bytes.subarray(ts + 20),
  ]);
  // The meta value grew by 3 bytes: fix its length and the group length.
  const view = new DataView(withSyntax.buffer);
  view.setUint16(ts - 2, ENCAPSULATED_UNCOMPRESSED.length, true);
  view.setUint32(132 + 8, view.getUint32(132 + 8, true) + 3, true);
  return withSyntax;
}

/** The frames of an output, read through its offset table, and that table. */
function framesOf(parsed: ParsedDicom): { frames: Uint8Array[]; offsets: number[] } {
  const pixel = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  const [table, ...fragments] = pixel.fragments!;
  const eot = parsed.dataset.elements.find((e) => e.tag === 0x7fe00001);
  const read = (at: number, n: number) => parsed.source.read(at, n);
  let offsets: number[];
  if (table!.length > 0) {
    const b = read(table!.valueStart, table!.length);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    offsets = Array.from({ length: b.length / 4 }, (_, i) => v.getUint32(i * 4, true));
  } else {
    const b = read(eot!.valueStart, eot!.length);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    offsets = Array.from({ length: b.length / 8 }, (_, i) => Number(v.getBigUint64(i * 8, true)));
  }
  const first = fragments[0]!.start;
  const frames = offsets.map((o) => {
    const f = fragments.find((x) => x.start - first === o)!;
    return read(f.valueStart, f.length);
  });
  return { frames, offsets };
}

const REGION = { x: 2, y: 1, width: 5, height: 3 };
const profile: Profile = {
  ...getPreset('basic'),
  pixelRules: [{ match: { rows: H, columns: W }, regions: [REGION] }],
};

describe('encapsulated pixel data through an injected codec', () => {
  it.each(['basic', 'extended'] as const)(
    'cleans one frame, keeps the others byte for byte and rebuilds the %s offset table',
    (table) => {
      const input = encapsulatedFile(table);
      const parsed = parseDicom(new MemorySource(input));
      expect(parsed.transferSyntax.uid).toBe(ENCAPSULATED_UNCOMPRESSED);
      const result = anonymize(parsed, {
        profile: { ...getPreset('basic') },
        key: KEY,
        toolVersion: '0.1.0',
        pixelCodecs: codecs,
        detectedRegions: new Map([[1, [REGION]]]),
      });
      expect(result.pixels).toEqual({ status: 'cleaned', regionsCleaned: 1 });
      const out = parseDicom(new MemorySource(concatChunks(result.chunks)));
      const { frames, offsets } = framesOf(out);
      expect(offsets).toEqual([0, 8 + W * H, 2 * (8 + W * H)]);
      expect(Buffer.from(frames[0]!).equals(Buffer.from(frameOf(0)))).toBe(true);
      expect(Buffer.from(frames[2]!).equals(Buffer.from(frameOf(2)))).toBe(true);
      const cleaned = frames[1]!;
      const original = frameOf(1);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const inside =
            x >= REGION.x && x < REGION.x + REGION.width && y >= REGION.y && y < REGION.y + REGION.height;
          expect(cleaned[y * W + x]).toBe(inside ? 0 : original[y * W + x]);
        }
      if (table === 'extended') {
        const lengths = out.dataset.elements.find((e) => e.tag === 0x7fe00002)!;
        const b = out.source.read(lengths.valueStart, lengths.length);
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        expect([0, 1, 2].map((i) => Number(v.getBigUint64(i * 8, true)))).toEqual([W * H, W * H, W * H]);
      }
    },
  );

  it('cleans every frame when a rule applies to the file', () => {
    const result = anonymize(parseDicom(new MemorySource(encapsulatedFile('basic'))), {
      profile,
      key: KEY,
      toolVersion: '0.1.0',
      pixelCodecs: codecs,
    });
    expect(result.pixels).toEqual({ status: 'cleaned', regionsCleaned: FRAMES });
    const { frames } = framesOf(parseDicom(new MemorySource(concatChunks(result.chunks))));
    expect(frames.map((f) => f[REGION.y * W + REGION.x])).toEqual([0, 0, 0]);
  });

  it('holds the file, with the syntax named, when no codec can clean it', () => {
    const input = encapsulatedFile('basic');
    const result = anonymize(parseDicom(new MemorySource(input)), {
      profile,
      key: KEY,
      toolVersion: '0.1.0',
    });
    expect(result.pixels.status).toBe('held');
    expect(result.pixels.reason).toMatch(/no codec .* Encapsulated Uncompressed Explicit VR Little Endian/);
  });
});
