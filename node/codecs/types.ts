import { ReportableError } from '../../shared/errors.js';
/** What a codec needs to know about the frame, from the image pixel module (PS3.3 C.7.6.3). */
export interface FrameLayout {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly samplesPerPixel: number;
  /** 1: signed samples. */
  readonly pixelRepresentation: number;
}

/** Decoded samples, pixel-interleaved (R G B R G B … for colour), one element per sample. */
export type Pixels = Uint8Array | Int8Array | Uint16Array | Int16Array;

/** A decoded frame must have the size the header says; codecs check what they produced against it. */
export function checkSize(
  codec: string,
  layout: FrameLayout,
  got: { width: number; height: number; components: number },
): void {
  if (
    got.width !== layout.columns ||
    got.height !== layout.rows ||
    got.components !== layout.samplesPerPixel
  ) {
    throw new ReportableError(
      `the ${codec} data holds a ${got.width} × ${got.height} image with ${got.components} samples per pixel, ` +
        `not the ${layout.columns} × ${layout.rows} with ${layout.samplesPerPixel} the header says`,
    );
  }
}

/** Copies samples out of codec memory into an array of the given width and signedness. */
export function typed(bytes: Uint8Array, bitsPerSample: number, signed: boolean): Pixels {
  const copy = new Uint8Array(bytes);
  if (bitsPerSample <= 8) return signed ? new Int8Array(copy.buffer) : copy;
  return signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
}

/** A factory run once, on first use: compiling the WebAssembly is not paid at app start-up. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
