import { ReportableError } from '../../shared/errors.js';
import { startOfFrame } from '../../shared/pixels/coding-parameters.js';
import { decodeJpegLossless } from './jpeg-lossless.js';
import { decodeJpegLs } from './jpeg-ls.js';
import { decodeHtj2k, decodeJpeg2000 } from './jpeg2000.js';
import type { FrameLayout, Pixels } from './types.js';

export type { FrameLayout, Pixels } from './types.js';

type Codec = (compressed: Uint8Array, layout: FrameLayout) => Promise<Pixels>;

/** Compressed transfer syntaxes decoded here, in the main process (the renderer runs no WebAssembly). */
const CODECS: ReadonlyMap<string, Codec> = new Map([
  ['1.2.840.10008.1.2.4.57', decodeJpegLossless], // JPEG Lossless, Non-Hierarchical (Process 14)
  ['1.2.840.10008.1.2.4.70', decodeJpegLossless], // JPEG Lossless, First-Order Prediction (SV1)
  ['1.2.840.10008.1.2.4.80', decodeJpegLs], // JPEG-LS Lossless
  ['1.2.840.10008.1.2.4.81', decodeJpegLs], // JPEG-LS Lossy (Near-Lossless)
  ['1.2.840.10008.1.2.4.90', decodeJpeg2000], // JPEG 2000 (Lossless Only)
  ['1.2.840.10008.1.2.4.91', decodeJpeg2000], // JPEG 2000
  ['1.2.840.10008.1.2.4.201', decodeHtj2k], // HTJ2K (Lossless Only)
  ['1.2.840.10008.1.2.4.202', decodeHtj2k], // HTJ2K with RPCL Options (Lossless Only)
  ['1.2.840.10008.1.2.4.203', decodeHtj2k], // HTJ2K
]);

/**
 * Whether a frame is 8-bit baseline or extended JPEG, which the page's own image decoder reads, whatever
 * the transfer syntax says (some files labelled lossless hold lossy JPEG).
 */
export function isBrowserJpeg(frame: Uint8Array): boolean {
  const sof = startOfFrame(frame);
  return (sof?.marker === 0xc0 || sof?.marker === 0xc1) && sof.precision === 8;
}

export const canDecode = (transferSyntaxUid: string): boolean => CODECS.has(transferSyntaxUid);

/**
 * Decodes the compressed bytes of one frame to pixel-interleaved samples, one array element per sample.
 * The codec's WebAssembly is compiled on first use.
 */
export async function decodeFrame(
  transferSyntaxUid: string,
  compressed: Uint8Array,
  layout: FrameLayout,
): Promise<Pixels> {
  const codec = CODECS.get(transferSyntaxUid);
  if (!codec) throw new ReportableError(`no codec for transfer syntax ${transferSyntaxUid}`);
  return codec(compressed, layout);
}
