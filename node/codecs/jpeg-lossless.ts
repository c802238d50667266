import { ReportableError } from '../../shared/errors.js';
import { startOfFrame } from '../../shared/pixels/coding-parameters.js';
import { checkSize, type FrameLayout, lazy, type Pixels } from './types.js';

const decoderModule = lazy(() => import('jpeg-lossless-decoder-js'));

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
