import type { Context } from 'dcmjs-codecs';
import { ReportableError } from '../../shared/errors.js';
import type {
  FrameLayout,
  FrameRedactionCodec,
  LosslessFrameCodec,
  PixelCodecs,
} from '../../shared/pixels/codec.js';
import {
  codedSize,
  jpeg2000Coding,
  jpegLsScan,
  MAX_FRAME_SAMPLES,
} from '../../shared/pixels/coding-parameters.js';
import { jpegBaselineRedactor } from '../../shared/pixels/jpeg/redact.js';
import { rleCodec } from '../../shared/pixels/rle.js';
import { loadNativeCodecs, type NativeCodecs } from './dcmjs-codecs.js';
import { checkSize } from './types.js';

/**
 * The codecs the pixel stage cleans compressed frames with: every frame is decoded, filled and re-encoded in
 * its own transfer syntax, except lossy JPEG, which is cleaned in the compressed domain.
 */

type Method = 'Jpeg' | 'JpegLs' | 'Jpeg2000' | 'HtJpeg2000';
type Parameters = Record<string, number | boolean>;

const frameBytes = (l: FrameLayout) =>
  l.rows * l.columns * l.samplesPerPixel * Math.ceil(l.bitsAllocated / 8);

/** Samples by plane to interleaved, or back: a codec may give the planes as the codestream holds them. */
function replan(samples: Uint8Array, layout: FrameLayout, fromPlanar: boolean): Uint8Array {
  const bytes = Math.ceil(layout.bitsAllocated / 8);
  const pixels = layout.rows * layout.columns;
  const n = layout.samplesPerPixel;
  const out = new Uint8Array(samples.length);
  for (let p = 0; p < pixels; p++) {
    for (let s = 0; s < n; s++) {
      const planar = (s * pixels + p) * bytes;
      const interleaved = (p * n + s) * bytes;
      for (let b = 0; b < bytes; b++) {
        if (fromPlanar) out[interleaved + b] = samples[planar + b]!;
        else out[planar + b] = samples[interleaved + b]!;
      }
    }
  }
  return out;
}

/** Refuses a frame before a decoder allocates for it: too large, or not the size the header says. */
function checkFrame(name: string, frame: Uint8Array, layout: FrameLayout): void {
  if (layout.rows * layout.columns * layout.samplesPerPixel > MAX_FRAME_SAMPLES) {
    throw new ReportableError(`a ${layout.columns} × ${layout.rows} frame is too large to clean here`);
  }
  const coded = codedSize(frame);
  if (!coded) throw new ReportableError(`the frame does not start like ${name} data`);
  checkSize(name, layout, coded);
}

/**
 * The sample precision to encode with: Bits Stored, unless an unsigned sample uses bits above it (some files
 * keep them, and a codec told the smaller precision would drop them) or 16-bit samples hold 8 bits or fewer
 * (which the codecs would read as bytes), then Bits Allocated.
 */
function encodedBits(samples: Uint8Array, layout: FrameLayout): number {
  const { bitsStored, bitsAllocated } = layout;
  if (bitsAllocated !== 16 || bitsStored >= bitsAllocated) return bitsStored;
  if (bitsStored <= 8) return bitsAllocated;
  if (layout.pixelRepresentation === 1) return bitsStored;
  for (let i = 0; i + 1 < samples.length; i += 2) {
    if ((samples[i]! | (samples[i + 1]! << 8)) >> bitsStored) return bitsAllocated;
  }
  return bitsStored;
}

function run(what: string, step: () => Context, layout: FrameLayout, expected?: number): Uint8Array {
  let result: Uint8Array | undefined;
  try {
    const context = step();
    result = expected === undefined ? context.getEncodedBuffer() : context.getDecodedBuffer();
  } catch {
    // The codec's own message may quote the data; ours says what failed.
    throw new ReportableError(`the ${what} of a ${layout.columns} × ${layout.rows} frame failed`);
  }
  if (!result || result.length === 0 || (expected !== undefined && result.length !== expected)) {
    throw new ReportableError(
      `the ${what} of a ${layout.columns} × ${layout.rows} frame gave no usable result`,
    );
  }
  // Out of codec memory, which the next call reuses.
  return new Uint8Array(result);
}

function codec(
  native: NativeCodecs,
  method: Method,
  name: string,
  parameters: (samples: Uint8Array, layout: FrameLayout, original?: Uint8Array) => Parameters,
  lossy = false,
  /** Whether the codec gives this frame's samples by plane whatever the layout says. */
  givesPlanes: (frame: Uint8Array) => boolean = () => false,
): LosslessFrameCodec {
  const decode = native.codecs[`decode${method}`].bind(native.codecs);
  const encode = native.codecs[`encode${method}`].bind(native.codecs);
  return {
    kind: 'lossless',
    lossy,
    decode: (frame, layout) => {
      checkFrame(name, frame, layout);
      const samples = run(
        `${name} decoding`,
        // No colour conversion: YBR stays YBR, so re-encoding gives back the stored samples.
        () => decode(native.context(layout, { encodedBuffer: frame }), { convertColorspaceToRgb: false }),
        layout,
        frameBytes(layout),
      );
      const planes = layout.samplesPerPixel > 1 && givesPlanes(frame);
      return planes && layout.planarConfiguration === 0 ? replan(samples, layout, true) : samples;
    },
    encode: (samples, layout, original) => {
      if (samples.length !== frameBytes(layout)) {
        throw new ReportableError(`the samples do not fill a ${layout.columns} × ${layout.rows} frame`);
      }
      const options = parameters(samples, layout, original);
      const precision = { ...layout, bitsStored: encodedBits(samples, layout) };
      return run(
        `${name} encoding`,
        () => encode(native.context(precision, { decodedBuffer: samples }), options),
        layout,
      );
    },
  };
}

/** JPEG 2000 and HTJ2K: the original's progression order, and its compression ratio when it was irreversible. */
function jpeg2000Parameters(fixedOrder?: number) {
  return (samples: Uint8Array, _layout: FrameLayout, original?: Uint8Array): Parameters => {
    const coding = original ? jpeg2000Coding(original) : undefined;
    const progressionOrder = fixedOrder ?? coding?.progressionOrder ?? 0;
    if (!original || !coding || coding.reversible) return { lossy: false, progressionOrder };
    return { lossy: true, progressionOrder, rate: Math.max(1, samples.length / original.length) };
  };
}

const RPCL = 2;

/** Compiles the WebAssembly once; after that every codec call is synchronous. */
export async function loadPixelCodecs(): Promise<PixelCodecs> {
  const native = await loadNativeCodecs();
  const jpegLossless = codec(native, 'Jpeg', 'JPEG lossless', () => ({
    lossy: false,
    predictor: 1,
    pointTransform: 0,
  }));
  // CharLS gives the planes of a frame coded one scan per component (interleave mode 0) one after another.
  const byPlane = (frame: Uint8Array) => jpegLsScan(frame)?.components === 1;
  const jpegLs = codec(native, 'JpegLs', 'JPEG-LS', () => ({ lossy: false }), false, byPlane);
  const jpegLsNearLossless = codec(
    native,
    'JpegLs',
    'JPEG-LS',
    (_samples, _layout, original) => {
      const near = (original && jpegLsScan(original)?.near) || 0;
      return { lossy: near > 0, allowedLossyError: near };
    },
    true,
    byPlane,
  );
  // Lossy JPEG is cleaned block by block; the decoder is there so that its text can be read.
  const jpegLossy: FrameRedactionCodec = {
    ...jpegBaselineRedactor,
    decode: codec(native, 'Jpeg', 'JPEG', () => ({})).decode,
  };
  const codecs = new Map<string, FrameRedactionCodec>([
    ['1.2.840.10008.1.2.5', rleCodec],
    ['1.2.840.10008.1.2.4.50', jpegLossy],
    ['1.2.840.10008.1.2.4.51', jpegLossy],
    // Process 14 with any predictor: selection value 1 is one of them, and lossless either way.
    ['1.2.840.10008.1.2.4.57', jpegLossless],
    ['1.2.840.10008.1.2.4.70', jpegLossless],
    ['1.2.840.10008.1.2.4.80', jpegLs],
    ['1.2.840.10008.1.2.4.81', jpegLsNearLossless],
    [
      '1.2.840.10008.1.2.4.90',
      codec(native, 'Jpeg2000', 'JPEG 2000', () => ({ lossy: false, progressionOrder: 0 })),
    ],
    ['1.2.840.10008.1.2.4.91', codec(native, 'Jpeg2000', 'JPEG 2000', jpeg2000Parameters(), true)],
    [
      '1.2.840.10008.1.2.4.201',
      codec(native, 'HtJpeg2000', 'HTJ2K', () => ({ lossy: false, progressionOrder: 0 })),
    ],
    [
      '1.2.840.10008.1.2.4.202',
      codec(native, 'HtJpeg2000', 'HTJ2K', () => ({ lossy: false, progressionOrder: RPCL })),
    ],
    ['1.2.840.10008.1.2.4.203', codec(native, 'HtJpeg2000', 'HTJ2K', jpeg2000Parameters(), true)],
  ]);
  return { forSyntax: (uid) => codecs.get(uid) };
}
