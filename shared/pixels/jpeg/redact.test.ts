import { describe, expect, it } from 'vitest';
import { ToolRunner } from '../../../test/pixel-tools.js';
import {
  compare,
  compressedFrames,
  damaged,
  frameLayout,
  grow,
  layoutOf,
  nativeDicom,
  nativeFrames,
  parse,
  syntheticFrame,
  withFrames,
} from '../../../test/pixels.js';
import { hasTool } from '../../../test/tools.js';
import { ReportableError } from '../../errors.js';
import type { FrameLayout } from '../codec.js';
import type { Rect } from '../regions.js';
import { jpegBaselineRedactor } from './redact.js';

// Lossy JPEG made by dcmtk's dcmcjpeg, cleaned in the compressed domain, and decoded before and after by
// dcmtk's dcmdjpeg (IJG libjpeg, no colour conversion): outside the cleaned MCUs every sample is the same,
// inside them the flat dark value.

const tools = new ToolRunner();
const run = (command: string, args: readonly string[], input: Uint8Array) =>
  tools.dicom(command, args, input);

const RECTS: Rect[] = [
  { x: 5, y: 7, width: 21, height: 12 },
  { x: 41, y: 33, width: 9, height: 6 },
];

const layout = (over: Partial<FrameLayout>): FrameLayout => frameLayout({ rows: 61, columns: 83, ...over });

interface Case {
  readonly name: string;
  readonly layout: FrameLayout;
  readonly frames: number;
  /** dcmcjpeg's options, or cjpeg's (libjpeg-turbo, wrapped by img2dcm) after 'cjpeg'. */
  readonly args: string[];
  readonly syntax: string;
  /** MCU size: the grid the rectangles widen to. */
  readonly mcu: readonly [number, number];
  /** Pixels beyond a cleaned MCU that a smoothing chroma upsampler may touch. */
  readonly margin: readonly [number, number];
  readonly dark: (sample: number) => number;
}

const CASES: Case[] = [
  {
    name: 'baseline MONOCHROME2, standard tables, 2 frames',
    layout: layout({}),
    frames: 2,
    args: ['+eb', '-ho'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [8, 8],
    margin: [0, 0],
    dark: () => 0,
  },
  {
    name: 'baseline MONOCHROME2, optimized tables, 3 frames in 1 kB fragments without offset table',
    layout: layout({}),
    frames: 3,
    args: ['+eb', '+ho', '+fs', '1', '-ot'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [8, 8],
    margin: [0, 0],
    dark: () => 0,
  },
  {
    name: 'baseline MONOCHROME1 is cleaned to its brightest value',
    layout: layout({ photometricInterpretation: 'MONOCHROME1' }),
    frames: 1,
    args: ['+eb'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [8, 8],
    margin: [0, 0],
    dark: () => 255,
  },
  {
    name: 'baseline RGB as YBR_FULL_422 (4:2:2)',
    layout: layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }),
    frames: 1,
    args: ['+eb', '+s2'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [16, 8],
    // IJG's smoothing upsampler blends each output pixel with the next chroma sample across the MCU edge.
    margin: [1, 0],
    dark: (s) => (s === 0 ? 0 : 128),
  },
  {
    name: 'baseline RGB kept as RGB components',
    layout: layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }),
    frames: 1,
    args: ['+eb', '+cr'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [8, 8],
    margin: [0, 0],
    dark: () => 0,
  },
  {
    name: 'baseline RGB as YBR_FULL (4:4:4), 2 frames',
    layout: layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }),
    frames: 2,
    args: ['+eb', '+s4'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [8, 8],
    margin: [0, 0],
    dark: (s) => (s === 0 ? 0 : 128),
  },
  {
    name: 'libjpeg-turbo RGB as YBR_FULL_422 (4:2:0), restart markers every 3 MCUs',
    layout: layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }),
    frames: 1,
    args: ['cjpeg', '-restart', '3B', '-quality', '85'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [16, 16],
    margin: [1, 1],
    dark: (s) => (s === 0 ? 0 : 128),
  },
  {
    name: 'libjpeg-turbo grey, optimized tables, a restart marker after every MCU',
    layout: layout({}),
    frames: 1,
    args: ['cjpeg', '-grayscale', '-optimize', '-restart', '1B'],
    syntax: '1.2.840.10008.1.2.4.50',
    mcu: [8, 8],
    margin: [0, 0],
    dark: () => 0,
  },
  {
    name: 'extended 12-bit MONOCHROME2, 2 frames',
    layout: layout({ bitsAllocated: 16, bitsStored: 12, highBit: 11 }),
    frames: 2,
    args: ['+ee'],
    syntax: '1.2.840.10008.1.2.4.51',
    mcu: [8, 8],
    margin: [0, 0],
    dark: () => 0,
  },
];

describe.skipIf(!hasTool('dcmcjpeg') || !hasTool('cjpeg'))(
  'lossy JPEG cleaned in the compressed domain',
  () => {
    it.each(CASES)('$name', ({ layout: l, frames, args, syntax, mcu, margin, dark }) => {
      const samples = Array.from({ length: frames }, (_, i) => syntheticFrame(l, i));
      const compressed =
        args[0] === 'cjpeg'
          ? tools.cjpeg(l, samples[0]!, args.slice(1))
          : run('dcmcjpeg', args, nativeDicom({ ...l, numberOfFrames: frames }, samples));
      const parsed = parse(compressed);
      expect(parsed.transferSyntax.uid).toBe(syntax);
      const declared = layoutOf(parsed);
      const results = compressedFrames(parsed).map((f) => jpegBaselineRedactor.redact(f, declared, RECTS));
      const cleaned = results[0]!.cleaned;
      for (const r of cleaned) {
        expect([r.x % mcu[0], r.y % mcu[1]]).toEqual([0, 0]);
        expect(r.x + r.width === l.columns || r.width % mcu[0] === 0).toBe(true);
      }
      for (const r of RECTS) {
        expect(
          cleaned.some(
            (c) =>
              c.x <= r.x && c.y <= r.y && c.x + c.width >= r.x + r.width && c.y + c.height >= r.y + r.height,
          ),
        ).toBe(true);
      }
      const out = withFrames(
        compressed,
        results.map((r) => r.frame),
      );
      const before = nativeFrames(run('dcmdjpeg', ['+cn'], compressed));
      const after = nativeFrames(run('dcmdjpeg', ['+cn'], out));
      expect(after.layout).toEqual(before.layout);
      const difference = compare(
        before.layout,
        before.frames,
        after.frames,
        grow(cleaned, ...margin),
        grow(cleaned, -margin[0], -margin[1]),
        dark,
      );
      expect(difference).toMatchObject({ outsideDiffering: 0, insideNotFill: 0 });
      expect(
        compare(before.layout, before.frames, after.frames, [], [], undefined).outsideDiffering,
      ).toBeGreaterThan(0);
    });

    it('leaves a frame with no rectangle on it as it is', () => {
      const native = nativeDicom(layout({}), [syntheticFrame(layout({}), 0)]);
      const frame = compressedFrames(parse(run('dcmcjpeg', ['+eb'], native)))[0]!;
      const result = jpegBaselineRedactor.redact(frame, layout({}), [
        { x: 100, y: 100, width: 5, height: 5 },
      ]);
      expect(result.cleaned).toEqual([]);
      expect(result.frame).toBe(frame);
    });

    it('refuses progressive and lossless JPEG with a plain reason', () => {
      const native = nativeDicom(layout({}), [syntheticFrame(layout({}), 0)]);
      for (const args of [['+ep'], ['+e1']]) {
        const frame = compressedFrames(parse(run('dcmcjpeg', args, native)))[0]!;
        expect(() => jpegBaselineRedactor.redact(frame, layout({}), RECTS)).toThrow(
          /only baseline and extended/,
        );
      }
    });

    it('damaged JPEG gives a plain error or a frame, never a crash or a hang', () => {
      const l = layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' });
      const frame = compressedFrames(
        parse(run('dcmcjpeg', ['+eb'], nativeDicom(l, [syntheticFrame(l, 0)]))),
      )[0]!;
      for (const d of damaged(frame, 20, 6, 2)) {
        try {
          jpegBaselineRedactor.redact(d, l, RECTS);
        } catch (error) {
          expect(error).toBeInstanceOf(ReportableError);
        }
      }
    });
  },
);
