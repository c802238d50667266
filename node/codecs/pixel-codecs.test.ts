import { describe, expect, it } from 'vitest';
import { ReportableError } from '../../shared/errors.js';
import type { FrameLayout, LosslessFrameCodec } from '../../shared/pixels/codec.js';
import { jpeg2000Coding, jpegLsScan } from '../../shared/pixels/coding-parameters.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { ToolRunner } from '../../test/pixel-tools.js';
import {
  compare,
  compressedFrames,
  damaged,
  fill,
  frameLayout,
  layoutOf,
  nativeDicom,
  nativeFrames,
  parse,
  sampleAt,
  syntheticFrame,
  withFrames,
} from '../../test/pixels.js';
import { hasTool } from '../../test/tools.js';
import { loadPixelCodecs } from './pixel-codecs.js';

// Frames are built by dcmtk and gdcm (and OpenJPH's own tools for HTJ2K), cleaned and re-encoded by our
// codecs, written back into the file, and decoded again by the same independent tool: outside the region
// every sample must be what that tool decoded from the original, inside it the fill.

const tools = new ToolRunner();
// Compiled once for the file; every call after this is synchronous.
const codecs = await loadPixelCodecs();

const RECTS: Rect[] = [
  { x: 5, y: 7, width: 21, height: 12 },
  { x: 40, y: 30, width: 9, height: 20 },
];

const mono = (bits: number, stored = bits): FrameLayout =>
  frameLayout({ bitsAllocated: bits, bitsStored: stored, highBit: stored - 1 });
const rgb = (planar: number): FrameLayout => ({
  ...mono(8),
  samplesPerPixel: 3,
  planarConfiguration: planar,
  photometricInterpretation: 'RGB',
});

function nativeFile(layout: FrameLayout, frames: number): Uint8Array {
  return nativeDicom(
    { ...layout, numberOfFrames: frames },
    Array.from({ length: frames }, (_, i) => syntheticFrame(layout, i)),
  );
}

const run = (command: string, args: readonly string[], input: Uint8Array) =>
  tools.dicom(command, args, input);

interface LosslessCase {
  readonly name: string;
  readonly syntax: string;
  readonly layout: FrameLayout;
  readonly frames: number;
  readonly compress: (native: Uint8Array) => Uint8Array;
  /** The independent decoder: the file to native samples. */
  readonly decode: (compressed: Uint8Array) => Uint8Array;
}

const dcmcrle =
  (extra: string[] = []) =>
  (b: Uint8Array) =>
    run('dcmcrle', extra, b);
const dcmdrle = (b: Uint8Array) => run('dcmdrle', [], b);
const dcmcjpeg = (args: string[]) => (b: Uint8Array) => run('dcmcjpeg', args, b);
const dcmdjpeg = (b: Uint8Array) => run('dcmdjpeg', ['+cn'], b);
const dcmcjpls = (args: string[]) => (b: Uint8Array) => run('dcmcjpls', args, b);
const dcmdjpls = (b: Uint8Array) => run('dcmdjpls', [], b);
const gdcm = (args: string[]) => (b: Uint8Array) => run('gdcmconv', args, b);
const gdcmRaw = (b: Uint8Array) => run('gdcmconv', ['--raw'], b);

const LOSSLESS: LosslessCase[] = [
  {
    name: 'RLE, MONOCHROME2 16-bit, 3 frames',
    syntax: '1.2.840.10008.1.2.5',
    layout: mono(16, 12),
    frames: 3,
    compress: dcmcrle(),
    decode: dcmdrle,
  },
  {
    name: 'RLE, RGB 8-bit planar 0',
    syntax: '1.2.840.10008.1.2.5',
    layout: rgb(0),
    frames: 1,
    compress: dcmcrle(),
    decode: dcmdrle,
  },
  {
    name: 'RLE, RGB 8-bit planar 1, 2 frames',
    syntax: '1.2.840.10008.1.2.5',
    layout: rgb(1),
    frames: 2,
    compress: dcmcrle(),
    decode: dcmdrle,
  },
  {
    name: 'RLE, MONOCHROME2 8-bit, frames in 1 kB fragments',
    syntax: '1.2.840.10008.1.2.5',
    layout: mono(8),
    frames: 2,
    compress: dcmcrle(['+fs', '1']),
    decode: dcmdrle,
  },
  {
    name: 'JPEG lossless SV1, MONOCHROME2 16-bit, 2 frames',
    syntax: '1.2.840.10008.1.2.4.70',
    layout: mono(16, 12),
    frames: 2,
    compress: dcmcjpeg(['+e1']),
    decode: dcmdjpeg,
  },
  {
    name: 'JPEG lossless SV1, 8 bits stored in 16',
    syntax: '1.2.840.10008.1.2.4.70',
    layout: mono(16, 8),
    frames: 1,
    compress: dcmcjpeg(['+e1']),
    decode: dcmdjpeg,
  },
  {
    name: 'JPEG lossless SV1, RGB 8-bit',
    syntax: '1.2.840.10008.1.2.4.70',
    layout: rgb(0),
    frames: 1,
    compress: dcmcjpeg(['+e1']),
    decode: dcmdjpeg,
  },
  {
    name: 'JPEG lossless SV6, MONOCHROME2 8-bit, fragments without offset table',
    syntax: '1.2.840.10008.1.2.4.57',
    layout: mono(8),
    frames: 3,
    compress: dcmcjpeg(['+el', '+sv', '6', '+fs', '1', '-ot']),
    decode: dcmdjpeg,
  },
  {
    name: 'JPEG lossless SV6, RGB 8-bit',
    syntax: '1.2.840.10008.1.2.4.57',
    layout: rgb(0),
    frames: 1,
    compress: dcmcjpeg(['+el', '+sv', '6']),
    decode: dcmdjpeg,
  },
  {
    name: 'JPEG-LS lossless, MONOCHROME2 16-bit, 2 frames',
    syntax: '1.2.840.10008.1.2.4.80',
    layout: mono(16, 16),
    frames: 2,
    compress: dcmcjpls(['+el']),
    decode: dcmdjpls,
  },
  {
    name: 'JPEG-LS lossless, 8 bits stored in 16',
    syntax: '1.2.840.10008.1.2.4.80',
    layout: mono(16, 8),
    frames: 1,
    compress: dcmcjpls(['+el']),
    decode: dcmdjpls,
  },
  {
    name: 'JPEG-LS lossless, RGB 8-bit line-interleaved',
    syntax: '1.2.840.10008.1.2.4.80',
    layout: rgb(0),
    frames: 1,
    compress: dcmcjpls(['+el']),
    decode: dcmdjpls,
  },
  {
    name: 'JPEG-LS lossless, RGB 8-bit uninterleaved',
    syntax: '1.2.840.10008.1.2.4.80',
    layout: rgb(0),
    frames: 1,
    compress: dcmcjpls(['+el', '+in']),
    decode: dcmdjpls,
  },
  {
    name: 'JPEG 2000 lossless, MONOCHROME2 16-bit, 2 frames',
    syntax: '1.2.840.10008.1.2.4.90',
    layout: mono(16, 12),
    frames: 2,
    compress: gdcm(['--j2k']),
    decode: gdcmRaw,
  },
  {
    name: 'JPEG 2000 lossless, 8 bits stored in 16',
    syntax: '1.2.840.10008.1.2.4.90',
    layout: mono(16, 8),
    frames: 1,
    compress: gdcm(['--j2k']),
    decode: gdcmRaw,
  },
  {
    name: 'JPEG 2000 lossless, RGB 8-bit',
    syntax: '1.2.840.10008.1.2.4.90',
    layout: rgb(0),
    frames: 1,
    compress: gdcm(['--j2k']),
    decode: gdcmRaw,
  },
  {
    name: 'JPEG 2000 lossless, MONOCHROME2 8-bit',
    syntax: '1.2.840.10008.1.2.4.90',
    layout: mono(8),
    frames: 1,
    compress: gdcm(['--j2k']),
    decode: gdcmRaw,
  },
];

const EXACT = { outsideDiffering: 0, outsideMax: 0, insideNotFill: 0 };

const haveTools = ['dcmcrle', 'dcmcjpeg', 'dcmcjpls', 'gdcmconv', 'ojph_compress'].every(hasTool);

/** Decodes, fills, re-encodes every frame; returns the new file and the fill value used. */
function cleanLossless(compressed: Uint8Array, syntax: string, original = true) {
  const parsed = parse(compressed);
  const layout = layoutOf(parsed);
  const codec = codecs.forSyntax(syntax) as LosslessFrameCodec;
  expect(codec.kind).toBe('lossless');
  const decoded: Uint8Array[] = [];
  const frames = compressedFrames(parsed).map((frame) => {
    const samples = codec.decode(frame, layout);
    decoded.push(new Uint8Array(samples));
    fill(layout, samples, RECTS, 0);
    return codec.encode(samples, layout, original ? frame : undefined);
  });
  return { layout, decoded, out: withFrames(compressed, frames), frames };
}

describe.skipIf(!haveTools)('lossless re-encoding, checked by an independent decoder', () => {
  it.each(LOSSLESS)('$name', ({ syntax, layout, frames, compress, decode }) => {
    const compressed = compress(nativeFile(layout, frames));
    expect(parse(compressed).transferSyntax.uid).toBe(syntax);
    const { layout: declared, decoded, out } = cleanLossless(compressed, syntax);
    const before = nativeFrames(decode(compressed));
    const after = nativeFrames(decode(out));
    // gdcm reports the precision of the codestream, which it wrote as 16 bits where 12 were stored.
    expect({ ...after.layout, bitsStored: 0, highBit: 0 }).toEqual({
      ...before.layout,
      bitsStored: 0,
      highBit: 0,
    });
    expect(before.frames).toHaveLength(frames);
    // Our decoder gives the stored samples the independent one gives, in the declared planar configuration.
    for (let f = 0; f < frames; f++) {
      for (let y = 0; y < layout.rows; y += 3) {
        for (let x = 0; x < layout.columns; x += 2) {
          for (let s = 0; s < layout.samplesPerPixel; s++) {
            expect(sampleAt(declared, decoded[f]!, x, y, s)).toBe(
              sampleAt(before.layout, before.frames[f]!, x, y, s),
            );
          }
        }
      }
    }
    const difference = compare(before.layout, before.frames, after.frames, RECTS, RECTS, () => 0);
    expect(difference).toMatchObject(EXACT);
    // The region really changed: the synthetic image is nowhere 0 in it.
    expect(
      compare(before.layout, before.frames, after.frames, [], [], undefined).outsideDiffering,
    ).toBeGreaterThan(0);
  });

  it('near-lossless JPEG-LS keeps its NEAR given the original, and is lossless without it', () => {
    const compressed = dcmcjpls(['+en', '+md', '3'])(nativeFile(mono(8), 2));
    expect(parse(compressed).transferSyntax.uid).toBe('1.2.840.10008.1.2.4.81');
    const codec = codecs.forSyntax('1.2.840.10008.1.2.4.81') as LosslessFrameCodec;
    expect(codec.lossy).toBe(true);
    const keep = cleanLossless(compressed, '1.2.840.10008.1.2.4.81');
    expect(keep.frames.map((f) => jpegLsScan(f)?.near)).toEqual([3, 3]);
    const before = nativeFrames(dcmdjpls(compressed));
    const kept = compare(
      before.layout,
      before.frames,
      nativeFrames(dcmdjpls(keep.out)).frames,
      RECTS,
      RECTS,
      () => 0,
    );
    expect(kept.outsideMax).toBeLessThanOrEqual(3);
    expect(kept.insideMax).toBeLessThanOrEqual(3);
    const exact = cleanLossless(compressed, '1.2.840.10008.1.2.4.81', false);
    expect(exact.frames.map((f) => jpegLsScan(f)?.near)).toEqual([0, 0]);
    const lossless = compare(
      before.layout,
      before.frames,
      nativeFrames(dcmdjpls(exact.out)).frames,
      RECTS,
      RECTS,
      () => 0,
    );
    expect(lossless).toMatchObject(EXACT);
  });

  it('lossy JPEG 2000 is re-encoded irreversibly at about its ratio given the original, losslessly without it', () => {
    const native = nativeFile(mono(8), 1);
    const compressed = gdcm(['--j2k', '--lossy', '--irreversible', '-q', '50'])(native);
    expect(parse(compressed).transferSyntax.uid).toBe('1.2.840.10008.1.2.4.91');
    const original = compressedFrames(parse(compressed))[0]!;
    expect(jpeg2000Coding(original)?.reversible).toBe(false);
    const keep = cleanLossless(compressed, '1.2.840.10008.1.2.4.91');
    expect(jpeg2000Coding(keep.frames[0]!)?.reversible).toBe(false);
    expect(keep.frames[0]!.length).toBeLessThan(original.length * 2);
    const exact = cleanLossless(compressed, '1.2.840.10008.1.2.4.91', false);
    expect(jpeg2000Coding(exact.frames[0]!)?.reversible).toBe(true);
    const before = nativeFrames(gdcmRaw(compressed));
    const lossless = compare(
      before.layout,
      before.frames,
      nativeFrames(gdcmRaw(exact.out)).frames,
      RECTS,
      RECTS,
      () => 0,
    );
    expect(lossless).toMatchObject(EXACT);
  });
});

describe.skipIf(!haveTools)('HTJ2K lossless re-encoding, checked by OpenJPH', () => {
  it.each([
    { syntax: '1.2.840.10008.1.2.4.201', layout: mono(16, 12), args: ['-reversible', 'true'] },
    {
      syntax: '1.2.840.10008.1.2.4.202',
      layout: mono(8),
      args: ['-reversible', 'true', '-prog_order', 'RPCL'],
    },
    { syntax: '1.2.840.10008.1.2.4.201', layout: rgb(0), args: ['-reversible', 'true'] },
  ])('$syntax $layout.photometricInterpretation $layout.bitsAllocated-bit', ({ syntax, layout, args }) => {
    const originals = [0, 1].map((i) => syntheticFrame(layout, i));
    const codec = codecs.forSyntax(syntax) as LosslessFrameCodec;
    for (const samples of originals) {
      const frame = tools.ojphCompress(layout, samples, args);
      expect(Buffer.from(tools.ojphExpand(layout, frame))).toEqual(Buffer.from(samples));
      const decoded = codec.decode(frame, layout);
      expect(Buffer.from(decoded)).toEqual(Buffer.from(samples));
      fill(layout, decoded, RECTS, 0);
      const encoded = codec.encode(decoded, layout, frame);
      if (syntax.endsWith('.202')) expect(jpeg2000Coding(encoded)?.progressionOrder).toBe(2);
      const after = tools.ojphExpand(layout, encoded);
      expect(compare(layout, [samples], [after], RECTS, RECTS, () => 0)).toMatchObject(EXACT);
    }
  });
});

describe.skipIf(!haveTools)('lossy HTJ2K, checked by OpenJPH', () => {
  it('is re-encoded irreversibly given the original, and losslessly without it', () => {
    const layout = mono(8);
    const samples = syntheticFrame(layout, 0);
    const original = tools.ojphCompress(layout, samples, ['-qstep', '0.02']);
    expect(jpeg2000Coding(original)?.reversible).toBe(false);
    const codec = codecs.forSyntax('1.2.840.10008.1.2.4.203') as LosslessFrameCodec;
    expect(codec.lossy).toBe(true);
    const decoded = codec.decode(original, layout);
    expect(Buffer.from(decoded)).toEqual(Buffer.from(tools.ojphExpand(layout, original)));
    fill(layout, decoded, RECTS, 0);
    const kept = codec.encode(decoded, layout, original);
    expect(jpeg2000Coding(kept)?.reversible).toBe(false);
    const exact = codec.encode(decoded, layout);
    expect(jpeg2000Coding(exact)?.reversible).toBe(true);
    expect(Buffer.from(tools.ojphExpand(layout, exact))).toEqual(Buffer.from(decoded));
  });
});

describe('damaged frames', () => {
  const SYNTAXES = [
    '1.2.840.10008.1.2.5',
    '1.2.840.10008.1.2.4.70',
    '1.2.840.10008.1.2.4.80',
    '1.2.840.10008.1.2.4.90',
    '1.2.840.10008.1.2.4.201',
  ];
  it.each(SYNTAXES)('%s: a plain error or a frame of the right size, never a crash', (syntax) => {
    const codec = codecs.forSyntax(syntax) as LosslessFrameCodec;
    const layout = mono(16, 12);
    const good = codec.encode(syntheticFrame(layout, 0), layout);
    for (const frame of damaged(good, 8, 20, 64)) {
      try {
        expect(codec.decode(frame, layout)).toHaveLength(layout.rows * layout.columns * 2);
      } catch (error) {
        expect(error).toBeInstanceOf(ReportableError);
      }
    }
    // A frame of another size than the header's is refused before it is decoded.
    expect(() => codec.decode(good, { ...layout, rows: layout.rows + 1 })).toThrow(ReportableError);
  });
});
