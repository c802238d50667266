import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pixelModule, us } from '../../test/image.js';
import { part10, SECONDARY_CAPTURE, str } from '../../test/part10.js';
import { hasTool } from '../../test/tools.js';
import { anonymize } from '../anonymize/engine.js';
import { keyFromBytes } from '../anonymize/key.js';
import { encodeNumbers } from '../dicom/encode.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { concatChunks, type NewElement } from '../dicom/write.js';
import { getPreset, type Profile } from '../profile/index.js';
import type { Rect } from './regions.js';

/*
 * Synthetic images with a name rendered by ImageMagick (scripts/make-pixel-fixtures.mjs) burned into every
 * frame, in every photometric interpretation, bit depth, planar configuration and native transfer syntax.
 * dcmtk is the independent decoder: dcmconv turns input and output into Explicit VR Little Endian, dcmdump
 * writes their Pixel Data out raw, and the test reads samples from those bytes by the standard's layout.
 */

const KEY = keyFromBytes(new Uint8Array(32).fill(0x5a));
const W = 96;
const H = 40;
const REGION: Rect = { x: 16, y: 8, width: 64, height: 24 };

function readPgm(path: string): { width: number; height: number; data: Uint8Array } {
  const bytes = readFileSync(path);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 32).toString('latin1'));
  if (!header) throw new Error('not an 8-bit binary PGM');
  const data = new Uint8Array(bytes.subarray(header[0].length));
  return { width: Number(header[1]), height: Number(header[2]), data };
}
const GLYPHS = readPgm(join(__dirname, '../../test/fixtures/pixels/doe-jane-64x24.pgm'));
const isGlyph = (x: number, y: number) => {
  const gx = x - REGION.x;
  const gy = y - REGION.y;
  return (
    gx >= 0 &&
    gy >= 0 &&
    gx < GLYPHS.width &&
    gy < GLYPHS.height &&
    GLYPHS.data[gy * GLYPHS.width + gx]! > 127
  );
};

type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422' | 'PALETTE COLOR';
type SyntaxName = 'explicit' | 'implicit' | 'big' | 'deflated';

interface Case {
  readonly pi: Photometric;
  readonly bits: 8 | 16;
  readonly stored: number;
  readonly signed: boolean;
  readonly planar: 0 | 1;
  readonly frames: number;
  readonly syntax: SyntaxName;
}

const IMAGE_KINDS: ReadonlyArray<Omit<Case, 'frames' | 'syntax'>> = [
  { pi: 'MONOCHROME2', bits: 8, stored: 8, signed: false, planar: 0 },
  { pi: 'MONOCHROME2', bits: 16, stored: 12, signed: false, planar: 0 },
  { pi: 'MONOCHROME2', bits: 16, stored: 16, signed: true, planar: 0 },
  { pi: 'MONOCHROME2', bits: 16, stored: 12, signed: true, planar: 0 },
  { pi: 'MONOCHROME1', bits: 16, stored: 12, signed: false, planar: 0 },
  { pi: 'MONOCHROME1', bits: 8, stored: 8, signed: false, planar: 0 },
  { pi: 'RGB', bits: 8, stored: 8, signed: false, planar: 0 },
  { pi: 'RGB', bits: 8, stored: 8, signed: false, planar: 1 },
  { pi: 'RGB', bits: 16, stored: 16, signed: false, planar: 0 },
  { pi: 'YBR_FULL', bits: 8, stored: 8, signed: false, planar: 0 },
  { pi: 'YBR_FULL', bits: 8, stored: 8, signed: false, planar: 1 },
  { pi: 'YBR_FULL_422', bits: 8, stored: 8, signed: false, planar: 0 },
  { pi: 'PALETTE COLOR', bits: 8, stored: 8, signed: false, planar: 0 },
];

const CASES: Case[] = [
  ...IMAGE_KINDS.flatMap((k) =>
    (['explicit', 'implicit', 'big', 'deflated'] as const).map((syntax) => ({ ...k, frames: 1, syntax })),
  ),
  ...IMAGE_KINDS.flatMap((k) =>
    (['explicit', 'big'] as const).map((syntax) => ({ ...k, frames: 3, syntax })),
  ),
];

const samplesOf = (c: Case) => (c.pi.startsWith('MONO') || c.pi === 'PALETTE COLOR' ? 1 : 3);
const frameBytes = (c: Case) => W * H * (c.pi === 'YBR_FULL_422' ? 2 : samplesOf(c)) * (c.bits / 8);

/** Byte offset of sample `s` of pixel (x, y) in frame f, by PS3.3 C.7.6.3.1 (422: Y0 Y1 Cb Cr per pair). */
function offsetOf(c: Case, f: number, x: number, y: number, s: number): number {
  const b = c.bits / 8;
  const base = f * frameBytes(c);
  if (c.pi === 'YBR_FULL_422') {
    const pair = base + (y * W + (x & ~1)) * 2 * b;
    return s === 0 ? pair + (x & 1) * b : pair + (1 + s) * b;
  }
  const n = samplesOf(c);
  return base + (c.planar === 1 ? s * W * H + y * W + x : (y * W + x) * n + s) * b;
}

const range = (c: Case) =>
  c.signed
    ? { min: -(2 ** (c.stored - 1)), max: 2 ** (c.stored - 1) - 1 }
    : { min: 0, max: 2 ** c.stored - 1 };

/** A stored value: a varied background (so "unchanged" means something) and bright glyphs. */
function valueAt(c: Case, f: number, x: number, y: number, s: number): number {
  const { min, max } = range(c);
  if (isGlyph(x, y) && (s === 0 || c.pi === 'RGB')) return max;
  const span = Math.floor((max - min) / 2);
  return min + ((x * 7 + y * 13 + s * 50 + f * 31) % span);
}

function read(c: Case, raw: Uint8Array, at: number): number {
  if (c.bits === 8) return raw[at]!;
  const v = raw[at]! | (raw[at + 1]! << 8);
  if (!c.signed) return v & ((1 << c.stored) - 1);
  const shifted = v << (32 - c.stored);
  return shifted >> (32 - c.stored);
}

function pixelBytes(c: Case): Uint8Array {
  const raw = new Uint8Array(frameBytes(c) * c.frames);
  const view = new DataView(raw.buffer);
  for (let f = 0; f < c.frames; f++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let s = 0; s < samplesOf(c); s++) {
          const at = offsetOf(c, f, x, y, s);
          const v = valueAt(c, f, x, y, s);
          if (c.bits === 8) raw[at] = v;
          else view.setUint16(at, v & 0xffff, true);
        }
  return raw;
}

// The palette's darkest entry is index 156, not 0, so the fill is found from the table, not assumed.
const PALETTE = Array.from({ length: 256 }, (_, i) => ((i + 100) % 256) * 257);
const DARKEST_PALETTE_INDEX = 156;

function inputFile(c: Case): Uint8Array {
  const elements: NewElement[] = [
    str(0x00080016, 'UI', SECONDARY_CAPTURE),
    str(0x00080018, 'UI', '2.25.4242'),
    str(0x00080060, 'CS', 'OT'),
    str(0x00100010, 'PN', 'DOE^JANE'),
    str(0x00100020, 'LO', 'MRN9567370'),
    ...pixelModule({
      rows: H,
      columns: W,
      photometric: c.pi,
      bits: c.bits,
      stored: c.stored,
      signed: c.signed,
      planar: c.planar,
      frames: c.frames,
    }),
    str(0x00280301, 'CS', 'YES'),
    { tag: PIXEL_DATA, vr: c.bits === 8 ? 'OB' : 'OW', value: pixelBytes(c) },
  ];
  if (c.pi === 'PALETTE COLOR') {
    for (const tag of [0x00281101, 0x00281102, 0x00281103]) elements.push(us(tag, 256, 0, 16));
    for (const tag of [0x00281201, 0x00281202, 0x00281203])
      elements.push({ tag, vr: 'OW', value: encodeNumbers('US', PALETTE, EXPLICIT_LE) });
  }
  return part10(elements, SECONDARY_CAPTURE);
}

const tmp = mkdtempSync(join(tmpdir(), 'pixels-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'latin1', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  return r.stdout;
}

const CONVERT: Readonly<Record<SyntaxName, string | undefined>> = {
  explicit: undefined,
  implicit: '+ti',
  big: '+tb',
  deflated: '+td',
};

/** Pixel Data as dcmtk reads it, in little endian: the independent decode of a file. */
function decodedPixels(path: string): Uint8Array {
  const le = `${path}.le`;
  run('dcmconv', ['+te', path, le]);
  run('dcmdump', ['+W', tmp, le]);
  return new Uint8Array(readFileSync(`${le}.0.raw`));
}

const profileWith = (regions: readonly Rect[], rows = H): Profile => ({
  ...getPreset('basic'),
  pixelRules: [{ label: 'drawn', match: { rows, columns: W }, regions }],
});

const pixelElementBytes = (bytes: Uint8Array): Buffer => {
  const parsed = parseDicom(new MemorySource(bytes));
  const el = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  return Buffer.from(parsed.source.read(el.start, el.end - el.start));
};

const name = (c: Case) =>
  `${c.pi} ${c.bits}/${c.stored} ${c.signed ? 'signed' : 'unsigned'} planar ${c.planar}, ${c.frames} frame(s), ${c.syntax}`;

describe.skipIf(!hasTool('dcmconv') || !hasTool('dcmdump'))('cleaning native pixel data', () => {
  it.each(CASES.map((c) => [name(c), c] as const))('%s', (label, c) => {
    const base = join(tmp, label.replace(/[^A-Za-z0-9]+/g, '_'));
    writeFileSync(`${base}.src.dcm`, inputFile(c));
    const convert = CONVERT[c.syntax];
    if (convert) run('dcmconv', [convert, `${base}.src.dcm`, `${base}.in.dcm`]);
    else writeFileSync(`${base}.in.dcm`, readFileSync(`${base}.src.dcm`));
    const input = new Uint8Array(readFileSync(`${base}.in.dcm`));

    const result = anonymize(parseDicom(new MemorySource(input)), {
      profile: profileWith([REGION]),
      key: KEY,
      toolVersion: '0.1.0',
    });
    expect(result.pixels).toEqual({ status: 'cleaned', regionsCleaned: c.frames });
    writeFileSync(`${base}.out.dcm`, concatChunks(result.chunks));

    const before = decodedPixels(`${base}.in.dcm`);
    const after = decodedPixels(`${base}.out.dcm`);
    expect(after.length).toBe(before.length);
    const inside = (x: number, y: number) =>
      x >= REGION.x && x < REGION.x + REGION.width && y >= REGION.y && y < REGION.y + REGION.height;
    const { min, max } = range(c);
    const fill =
      c.pi === 'MONOCHROME1'
        ? [max]
        : c.pi === 'PALETTE COLOR'
          ? [DARKEST_PALETTE_INDEX]
          : c.pi === 'RGB'
            ? [0, 0, 0]
            : c.pi.startsWith('YBR')
              ? [0, 128, 128]
              : [min];
    let changedOutside = 0;
    for (let f = 0; f < c.frames; f++) {
      const glyphContrast = new Set<number>();
      const cleanedValues = new Set<number>();
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let s = 0; s < samplesOf(c); s++) {
            const at = offsetOf(c, f, x, y, s);
            if (inside(x, y)) {
              if (s === 0) glyphContrast.add(read(c, before, at));
              expect(read(c, after, at)).toBe(fill[s]);
              if (s === 0) cleanedValues.add(read(c, after, at));
            } else if (read(c, after, at) !== read(c, before, at)) changedOutside++;
          }
      // The text was there (glyphs at full scale beside background) and is gone (one value left).
      expect(glyphContrast.has(max)).toBe(true);
      expect(cleanedValues.size).toBe(1);
    }
    expect(changedOutside).toBe(0);

    const dump = run('dcmdump', [`${base}.out.dcm`]);
    expect(dump).toMatch(/\(0028,0301\) CS \[NO\]/);
    expect(dump).toMatch(/\(0008,0100\) SH \[113101\]/);
    expect(dump).not.toMatch(/DOE\^JANE/);
  });
});

describe('files whose pixels are not cleaned', () => {
  const c: Case = { ...IMAGE_KINDS[1]!, frames: 2, syntax: 'explicit' };
  const input = inputFile(c);

  it('keep Pixel Data byte for byte and are held when they declare burned-in text', () => {
    const noMatch = anonymize(parseDicom(new MemorySource(input)), {
      profile: profileWith([REGION], H + 1),
      key: KEY,
      toolVersion: '0.1.0',
    });
    expect(noMatch.pixels.status).toBe('held');
    expect(pixelElementBytes(concatChunks(noMatch.chunks)).equals(pixelElementBytes(input))).toBe(true);

    const optionOff = anonymize(parseDicom(new MemorySource(input)), {
      profile: { ...profileWith([REGION]), options: [] },
      key: KEY,
      toolVersion: '0.1.0',
    });
    expect(optionOff.pixels.status).toBe('held');
    expect(pixelElementBytes(concatChunks(optionOff.chunks)).equals(pixelElementBytes(input))).toBe(true);
  });

  it('copy untouched frames as ranges of the input and produce a cleaned frame only when it is read', () => {
    const parsed = parseDicom(new MemorySource(input));
    const result = anonymize(parsed, {
      profile: { ...getPreset('basic') },
      key: KEY,
      toolVersion: '0.1.0',
      detectedRegions: new Map([[1, [REGION]]]),
    });
    expect(result.pixels).toEqual({ status: 'cleaned', regionsCleaned: 1 });
    const fromInput = result.chunks.filter(
      (ch) => !(ch instanceof Uint8Array) && ch.source === parsed.source,
    );
    const lazy = result.chunks.filter((ch) => !(ch instanceof Uint8Array) && ch.source !== parsed.source);
    // Frame 0 is part of an input range; frame 1 alone is produced on demand.
    expect(lazy.map((ch) => ch.length)).toEqual([frameBytes(c)]);
    const pixel = parsed.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
    expect(
      fromInput.some(
        (ch) => !(ch instanceof Uint8Array) && ch.offset + ch.length === pixel.valueStart + frameBytes(c),
      ),
    ).toBe(true);
    const out = pixelElementBytes(concatChunks(result.chunks));
    const inp = pixelElementBytes(input);
    const header = pixel.valueStart - pixel.start;
    expect(out.subarray(0, header + frameBytes(c)).equals(inp.subarray(0, header + frameBytes(c)))).toBe(
      true,
    );
    expect(out.equals(inp)).toBe(false);
  });
});
