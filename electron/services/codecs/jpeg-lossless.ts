import { ReportableError } from '../../../shared/errors.js';
import { checkSize, type FrameLayout, lazy, type Pixels } from './types.js';

const decoderModule = lazy(() => import('jpeg-lossless-decoder-js'));

interface StartOfFrame {
  /** The SOFn marker's second byte: 0xc0 baseline, 0xc1 extended, 0xc3 lossless, 0xf7 JPEG-LS. */
  readonly marker: number;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: number;
}

/** The frame header (ITU T.81 B.2.2) of a JPEG stream, found by walking its marker segments. */
export function startOfFrame(bytes: Uint8Array): StartOfFrame | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  for (let i = 2; i + 9 < bytes.length; ) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const isFrame =
      (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) || marker === 0xf7;
    if (isFrame) {
      return {
        marker,
        precision: bytes[i + 4]!,
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return undefined;
}

/** JPEG lossless, processes 14 and 14 selection value 1 (PS3.5 A.4.1), with jpeg-lossless-decoder-js. */
export async function decodeJpegLossless(compressed: Uint8Array, layout: FrameLayout): Promise<Pixels> {
  const header = startOfFrame(compressed);
  if (header?.marker !== 0xc3) throw new ReportableError('the JPEG data is not lossless JPEG (process 14)');
  checkSize('JPEG lossless', layout, header);
  const { Decoder } = await decoderModule();
  // The decoder reads from the start of the ArrayBuffer it is given: a copy of just this frame
  // (not .slice(), which on a Node Buffer is a view into a shared pool).
  const own = new Uint8Array(compressed);
  const decoded = new Decoder().decode(own.buffer, 0, own.length, layout.bitsAllocated <= 8 ? 1 : 2);
  const signed = layout.pixelRepresentation === 1;
  if (decoded instanceof Uint8Array) return signed ? new Int8Array(decoded.buffer) : decoded;
  return signed ? new Int16Array(decoded.buffer) : decoded;
}
