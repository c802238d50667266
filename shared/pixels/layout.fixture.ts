import type { FrameLayout } from './codec.js';

/** A frame layout for tests: one 8-bit MONOCHROME2 frame unless said otherwise. */
export const testLayout = (over: Partial<FrameLayout>): FrameLayout => ({
  rows: 1,
  columns: 1,
  samplesPerPixel: 1,
  bitsAllocated: 8,
  bitsStored: 8,
  highBit: 7,
  pixelRepresentation: 0,
  planarConfiguration: 0,
  photometricInterpretation: 'MONOCHROME2',
  numberOfFrames: 1,
  ...over,
});
