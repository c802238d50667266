import { describe, expect, it } from 'vitest';
import type { FrameLayout } from '../../shared/pixels/codec.js';
import { frameLayout } from '../../test/pixels.js';
import { forReading, toGray } from './prepare.js';

const layout = (over: Partial<FrameLayout>): FrameLayout => frameLayout({ rows: 1, columns: 4, ...over });

const le16 = (values: number[]) => {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setUint16(i * 2, v & 0xffff, true);
  });
  return out;
};

describe('toGray', () => {
  it('stretches 12 bits stored in 16 to the full 8-bit range, ignoring bits above Bits Stored', () => {
    const gray = toGray(
      le16([0xf000 | 100, 2050, 4000, 100]),
      layout({ bitsAllocated: 16, bitsStored: 12, highBit: 11 }),
    );
    expect([...gray!.data]).toEqual([0, 128, 255, 0]);
  });

  it('reads signed samples as signed (CT air below zero stays darkest)', () => {
    const gray = toGray(
      le16([-1000, 0, 1000, -1000]),
      layout({ bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 1 }),
    );
    expect([...gray!.data]).toEqual([0, 128, 255, 0]);
  });

  it('turns MONOCHROME1 so that high is bright', () => {
    const gray = toGray(
      new Uint8Array([0, 255, 10, 245]),
      layout({ photometricInterpretation: 'MONOCHROME1' }),
    );
    expect([...gray!.data]).toEqual([255, 0, 245, 10]);
  });

  it('colour: the brightest channel on a dark screen, the darkest on a light one, either planar configuration', () => {
    // Pure blue text on black: luma would make it 15 of 255.
    const dark = new Uint8Array([0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...toGray(dark, layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }))!.data]).toEqual(
      [255, 0, 0, 0],
    );
    const byPlane = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0]);
    const planar = layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB', planarConfiguration: 1 });
    expect([...toGray(byPlane, planar)!.data]).toEqual([255, 0, 0, 0]);
    // Navy text on white.
    const light = new Uint8Array([0, 0, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect([
      ...toGray(light, layout({ samplesPerPixel: 3, photometricInterpretation: 'RGB' }))!.data,
    ]).toEqual([0, 255, 255, 255]);
  });

  it('YBR_FULL_422 gives its two Y samples per pair of pixels', () => {
    const gray = toGray(
      new Uint8Array([10, 20, 128, 128, 30, 40, 128, 128]),
      layout({ samplesPerPixel: 3, photometricInterpretation: 'YBR_FULL_422' }),
    );
    expect([...gray!.data]).toEqual([10, 20, 30, 40]);
  });

  it('refuses what it cannot read: short data, 32-bit samples', () => {
    expect(toGray(new Uint8Array(3), layout({}))).toBeUndefined();
    expect(
      toGray(new Uint8Array(16), layout({ bitsAllocated: 32, bitsStored: 32, highBit: 31 })),
    ).toBeUndefined();
  });
});

describe('forReading', () => {
  const gray = { width: 4, height: 2, data: new Uint8Array([0, 0, 255, 0, 0, 0, 0, 0]) };

  it('crops, inverts a dark image to dark text on light, and enlarges by whole pixels', () => {
    const out = forReading(gray, { x: 1, y: 0, width: 2, height: 1 }, 2);
    expect(out.width).toBe(4);
    expect(out.height).toBe(2);
    expect([...out.data]).toEqual([255, 255, 0, 0, 255, 255, 0, 0]);
  });

  it('leaves a light image as it is', () => {
    const light = { width: 3, height: 1, data: new Uint8Array([255, 0, 255]) };
    expect([...forReading(light, { x: 0, y: 0, width: 3, height: 1 }, 1).data]).toEqual([255, 0, 255]);
  });
});
