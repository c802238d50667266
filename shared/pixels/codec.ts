import type { Rect } from './regions.js';

/** What a frame's samples are, from the image pixel module; enough to decode, fill and re-encode one frame. */
export interface FrameLayout {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  /** 0 interleaved (RGBRGB…), 1 by plane (RRR…GGG…BBB…). */
  readonly planarConfiguration: number;
  readonly photometricInterpretation: string;
  readonly numberOfFrames: number;
}

/**
 * Decodes and re-encodes one frame of a lossless syntax. `decode` returns the stored samples (little-endian,
 * in the colour space and planar configuration the dataset declares, no colour conversion), so that
 * `encode(decode(f))` decodes to the very same samples.
 */
export interface LosslessFrameCodec {
  readonly kind: 'lossless';
  /**
   * The syntax may be lossy (JPEG-LS near-lossless, JPEG 2000 and HTJ2K that allow the irreversible wavelet):
   * given the original frame, `encode` keeps its lossy parameters, so the report must say the frame was
   * re-encoded lossily. Without the original it encodes losslessly, which such a syntax also allows.
   */
  readonly lossy?: boolean;
  decode(frame: Uint8Array, layout: FrameLayout): Uint8Array;
  /** `original`: the frame as it was, whose coding parameters (NEAR, wavelet, progression order) are kept. */
  encode(samples: Uint8Array, layout: FrameLayout, original?: Uint8Array): Uint8Array;
}

/**
 * Cleans a lossy frame without a second generation of loss: the blocks under the rectangles are replaced in
 * the compressed data and every other block is kept as it is. Returns the rectangles as widened to the block
 * grid, which is what was really cleaned.
 */
export interface CompressedDomainRedactor {
  readonly kind: 'compressed-domain';
  redact(
    frame: Uint8Array,
    layout: FrameLayout,
    rects: readonly Rect[],
  ): { readonly frame: Uint8Array; readonly cleaned: readonly Rect[] };
  /** Decodes a frame to its stored samples, for reading its text only: cleaning never re-encodes it. */
  readonly decode?: (frame: Uint8Array, layout: FrameLayout) => Uint8Array;
}

export type FrameRedactionCodec = LosslessFrameCodec | CompressedDomainRedactor;

/**
 * The codecs the pixel stage may use, injected by the edge (WebAssembly codecs live outside shared/).
 * Native (uncompressed) syntaxes need none. Undefined: this syntax cannot be cleaned here, so a file that
 * needs cleaning is held instead.
 */
export interface PixelCodecs {
  forSyntax(transferSyntaxUID: string): FrameRedactionCodec | undefined;
}
