import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReportableError } from '../../shared/errors.js';
import type { FrameLayout } from '../../shared/pixels/codec.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { corpusFiles, hasCorpus } from '../../test/corpus.js';
import { ToolRunner } from '../../test/pixel-tools.js';
import {
  compare,
  compressedFrames,
  fill,
  frameLayout,
  grow,
  layoutOf,
  nativeFrames,
  parse,
  sampleAt,
  withFrames,
} from '../../test/pixels.js';
import { hasTool } from '../../test/tools.js';
import { loadPixelCodecs } from './pixel-codecs.js';

// Every public corpus file in a syntax we clean: a rectangle in its first and last frame is cleaned, the
// frames written back, and the output decoded by an independent decoder next to the original. Lossless
// syntaxes must come back identical outside the rectangle; lossy JPEG identical outside its cleaned MCUs
// (one pixel more where chroma is subsampled); the lossy-capable syntaxes are re-encoded losslessly here
// (no original parameters given), so they too must be identical.

const tools = new ToolRunner();
// Compiled once for the file; every call after this is synchronous.
const codecs = await loadPixelCodecs();
const run = (command: string, args: readonly string[], input: Uint8Array) =>
  tools.dicom(command, args, input);

const dcmdjpeg = (b: Uint8Array) => nativeFrames(run('dcmdjpeg', ['+cn'], b));
const DECODERS: Record<string, (file: Uint8Array) => { layout: FrameLayout; frames: Uint8Array[] }> = {
  '1.2.840.10008.1.2.5': (b) => nativeFrames(run('dcmdrle', [], b)),
  '1.2.840.10008.1.2.4.50': dcmdjpeg,
  '1.2.840.10008.1.2.4.51': dcmdjpeg,
  '1.2.840.10008.1.2.4.57': dcmdjpeg,
  '1.2.840.10008.1.2.4.70': dcmdjpeg,
  '1.2.840.10008.1.2.4.80': (b) => nativeFrames(run('dcmdjpls', [], b)),
  '1.2.840.10008.1.2.4.81': (b) => nativeFrames(run('dcmdjpls', [], b)),
  '1.2.840.10008.1.2.4.90': (b) => nativeFrames(run('gdcmconv', ['--raw'], b)),
  '1.2.840.10008.1.2.4.91': (b) => nativeFrames(run('gdcmconv', ['--raw'], b)),
  '1.2.840.10008.1.2.4.201': ojphExpand,
  '1.2.840.10008.1.2.4.202': ojphExpand,
  '1.2.840.10008.1.2.4.203': ojphExpand,
};

/** OpenJPH's decoder on each frame's codestream (gdcm 3.0 reads no HTJ2K). */
function ojphExpand(file: Uint8Array) {
  const parsed = parse(file);
  const layout = { ...layoutOf(parsed), planarConfiguration: 0 };
  const frames = compressedFrames(parsed).map((frame) => tools.ojphExpand(layout, frame));
  return { layout, frames };
}

/** A rectangle in the middle of the image, a quarter of each side. */
const centre = (l: FrameLayout): Rect => ({
  x: Math.floor(l.columns / 3),
  y: Math.floor(l.rows / 3),
  width: Math.max(1, Math.floor(l.columns / 4)),
  height: Math.max(1, Math.floor(l.rows / 4)),
});

const FILES = corpusFiles().filter((f) => f.transferSyntax in DECODERS);
const haveTools = ['dcmdjpeg', 'dcmdrle', 'dcmdjpls', 'gdcmconv', 'ojph_expand'].every(hasTool);

/** Files no codec can clean, so the pixel stage holds them; each with the reason it gives. */
const HELD: Record<string, RegExp> = {
  // A tiled slide whose edge tiles are smaller JPEG images than the frame size the header declares.
  'fo-dicom+fo-dicom/TestData/multiframe.dcm': /holds a 55 × 121 image, not the 240 × 240/,
};

describe.skipIf(!hasCorpus || !haveTools)('corpus files cleaned and re-encoded in their own syntax', () => {
  it.each(FILES.map((f) => [f.path, f] as const))('%s', (path, file) => {
    const bytes = new Uint8Array(readFileSync(file.abs));
    let before: ReturnType<typeof nativeFrames>;
    try {
      before = DECODERS[file.transferSyntax]!(bytes);
    } catch {
      return; // the independent decoder cannot read the original either: nothing to compare with
    }
    const parsed = parse(bytes);
    const layout = layoutOf(parsed);
    const codec = codecs.forSyntax(file.transferSyntax)!;
    const rect = centre(layout);
    const dark = layout.photometricInterpretation === 'MONOCHROME1' ? 2 ** layout.bitsStored - 1 : 0;
    const originals = compressedFrames(parsed);
    const touched = new Set([0, originals.length - 1]);
    let region: Rect[] = [rect];
    let margin = [0, 0];
    const clean = (frame: Uint8Array) => {
      if (codec.kind === 'compressed-domain') {
        const result = codec.redact(frame, layout, [rect]);
        region = [...result.cleaned];
        // Where the MCU is 16 pixels, chroma is subsampled: the upsampler reaches one pixel further.
        const r = region[0]!;
        const colour = layout.samplesPerPixel === 3;
        margin = [
          colour && r.x % 16 === 0 && r.width % 16 === 0 ? 1 : 0,
          colour && r.y % 16 === 0 && r.height % 16 === 0 ? 1 : 0,
        ];
        return result.frame;
      }
      const samples = codec.decode(frame, layout);
      fill(layout, samples, [rect], dark);
      return codec.encode(samples, layout);
    };
    let frames: Uint8Array[];
    try {
      frames = originals.map((frame, i) => (touched.has(i) ? clean(frame) : frame));
    } catch (error) {
      expect(error).toBeInstanceOf(ReportableError);
      expect((error as Error).message).toMatch(HELD[path] ?? /^$/);
      return;
    }
    const after = DECODERS[file.transferSyntax]!(withFrames(bytes, frames));
    expect(after.frames).toHaveLength(before.frames.length);
    for (let f = 0; f < before.frames.length; f++) {
      const keepOut = touched.has(f) ? grow(region, margin[0]!, margin[1]!) : [];
      const difference = compare(
        before.layout,
        [before.frames[f]!],
        [after.frames[f]!],
        keepOut,
        [],
        undefined,
      );
      expect(difference.outsideDiffering, `frame ${f}`).toBe(0);
    }
    // Inside, the darkest value (for colour, the first sample: Y of YCbCr, or R). A MONOCHROME1 JPEG whose
    // Bits Stored is below its precision is cleaned to just under its largest stored value.
    const lowest = codec.kind === 'compressed-domain' && dark > 0 ? dark * 0.95 : dark;
    for (const r of grow(region, -margin[0]!, -margin[1]!)) {
      for (let y = r.y; y < r.y + r.height; y++) {
        for (let x = r.x; x < r.x + r.width; x++) {
          const v = sampleAt(before.layout, after.frames[0]!, x, y, 0);
          if (v > dark || v < lowest) expect.fail(`sample ${v} at ${x},${y} is not the fill`);
        }
      }
    }
  });
});

it('a codec that cannot read a frame says so plainly', async () => {
  const c = (await loadPixelCodecs()).forSyntax('1.2.840.10008.1.2.4.80')!;
  if (c.kind !== 'lossless') throw new Error('JPEG-LS is re-encoded');
  expect(() => c.decode(new Uint8Array([0xff, 0xd8, 1, 2, 3]), frameLayout())).toThrow(ReportableError);
});
