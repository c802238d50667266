import type { OcrLine } from '../../shared/pixels/text-identity.js';

/** One 8-bit grey image as a reader takes it: one byte per pixel, rows top to bottom, dark text reads best. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Reads text off an image: lines of words with their boxes (in the image's pixels) and confidence.
 * The engine behind it (Tesseract today) is heavy, so one reader serves many frames and is closed once.
 */
export interface TextReader {
  read(image: GrayImage): Promise<OcrLine[]>;
  close(): Promise<void>;
}
