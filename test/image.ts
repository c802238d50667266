import { encodeNumbers } from '../shared/dicom/encode.js';
import { EXPLICIT_LE } from '../shared/dicom/transfer-syntax.js';
import type { NewElement } from '../shared/dicom/write.js';
import { str } from './part10.js';

/** A US (unsigned short) element in Explicit VR Little Endian. */
export const us = (tag: number, ...values: number[]): NewElement => ({
  tag,
  vr: 'US',
  value: encodeNumbers('US', values, EXPLICIT_LE),
});

export interface PixelModule {
  readonly rows: number;
  readonly columns: number;
  readonly photometric: string;
  readonly bits: 8 | 16;
  readonly stored?: number;
  readonly signed?: boolean;
  /** Given for three-sample images only. */
  readonly planar?: 0 | 1;
  readonly frames?: number;
}

/** The Image Pixel module's attributes (without Pixel Data) for a synthetic test image. */
export function pixelModule(m: PixelModule): NewElement[] {
  const stored = m.stored ?? m.bits;
  const samples = m.photometric.startsWith('MONOCHROME') || m.photometric === 'PALETTE COLOR' ? 1 : 3;
  return [
    us(0x00280002, samples),
    str(0x00280004, 'CS', m.photometric),
    ...(samples === 3 ? [us(0x00280006, m.planar ?? 0)] : []),
    ...(m.frames && m.frames > 1 ? [str(0x00280008, 'IS', String(m.frames))] : []),
    us(0x00280010, m.rows),
    us(0x00280011, m.columns),
    us(0x00280100, m.bits),
    us(0x00280101, stored),
    us(0x00280102, stored - 1),
    us(0x00280103, m.signed ? 1 : 0),
  ];
}
