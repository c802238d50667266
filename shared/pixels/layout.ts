import type { DicomElement, ParsedDicom } from '../dicom/model.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { readNumbers, readText } from '../dicom/values.js';
import { effectiveVR } from '../dicom/walk.js';
import type { FrameLayout } from './codec.js';

const SAMPLES_PER_PIXEL = 0x00280002;
const PHOTOMETRIC_INTERPRETATION = 0x00280004;
const PLANAR_CONFIGURATION = 0x00280006;
const NUMBER_OF_FRAMES = 0x00280008;
const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const BITS_ALLOCATED = 0x00280100;
const BITS_STORED = 0x00280101;
const HIGH_BIT = 0x00280102;
const PIXEL_REPRESENTATION = 0x00280103;
const PIXEL_PADDING_VALUE = 0x00280120;

/** Photometric interpretations the pixel stage can fill, with their samples per pixel. */
const SAMPLES: Readonly<Record<string, number>> = {
  MONOCHROME1: 1,
  MONOCHROME2: 1,
  'PALETTE COLOR': 1,
  RGB: 3,
  YBR_FULL: 3,
  YBR_FULL_422: 3,
};

/** A frame layout checked against itself and the pixel data, with what a native frame occupies. */
export interface CheckedLayout {
  readonly layout: FrameLayout;
  readonly pixelData: DicomElement;
  /** Bytes of one native frame (YBR_FULL_422 stores two samples per pixel). */
  readonly frameBytes: number;
  /** Pixel Padding Value (0028,0120) as a stored value, when the file has one. */
  readonly paddingValue?: number;
}

/** Why a file's pixels cannot be cleaned here: names attributes and numbers only. */
export interface LayoutProblem {
  readonly problem: string;
}

const topLevel = (parsed: ParsedDicom, tag: number) => parsed.dataset.elements.find((e) => e.tag === tag);

function unsigned(parsed: ParsedDicom, tag: number): number | undefined {
  const el = topLevel(parsed, tag);
  if (!el || el.length === 0) return undefined;
  return readNumbers(parsed.source, el, 'US', parsed.dataset.syntax, 1)[0];
}

/**
 * The image pixel module of a file, validated: every number in range and consistent with the others and
 * with the pixel data's length. Undefined when the file has no Pixel Data.
 */
export function frameLayoutOf(parsed: ParsedDicom): CheckedLayout | LayoutProblem | undefined {
  const pixelData = topLevel(parsed, PIXEL_DATA);
  if (!pixelData) return undefined;
  const text = (tag: number) => {
    const el = topLevel(parsed, tag);
    return el ? readText(parsed.source, el, effectiveVR(el), undefined).trim().toUpperCase() : '';
  };
  const rows = unsigned(parsed, ROWS);
  const columns = unsigned(parsed, COLUMNS);
  const bitsAllocated = unsigned(parsed, BITS_ALLOCATED);
  const bitsStored = unsigned(parsed, BITS_STORED) ?? bitsAllocated;
  const highBit = unsigned(parsed, HIGH_BIT) ?? (bitsStored === undefined ? undefined : bitsStored - 1);
  const pixelRepresentation = unsigned(parsed, PIXEL_REPRESENTATION) ?? 0;
  const samplesPerPixel = unsigned(parsed, SAMPLES_PER_PIXEL) ?? 1;
  const planarConfiguration = unsigned(parsed, PLANAR_CONFIGURATION) ?? 0;
  const photometricInterpretation = text(PHOTOMETRIC_INTERPRETATION);
  const framesText = text(NUMBER_OF_FRAMES);
  const numberOfFrames = framesText === '' ? 1 : Number(framesText);

  const problem = (words: string): LayoutProblem => ({ problem: words });
  if (!rows || !columns) return problem('Rows (0028,0010) or Columns (0028,0011) is missing or 0');
  if (bitsAllocated !== 8 && bitsAllocated !== 16)
    return problem(`Bits Allocated (0028,0100) ${bitsAllocated ?? 'missing'} is not 8 or 16`);
  if (!bitsStored || bitsStored > bitsAllocated)
    return problem(
      `Bits Stored (0028,0101) ${bitsStored ?? 'missing'} does not fit Bits Allocated ${bitsAllocated}`,
    );
  if (highBit === undefined || highBit < bitsStored - 1 || highBit >= bitsAllocated)
    return problem(`High Bit (0028,0102) ${highBit ?? 'missing'} does not fit Bits Stored ${bitsStored}`);
  if (pixelRepresentation > 1)
    return problem(`Pixel Representation (0028,0103) ${pixelRepresentation} is not 0 or 1`);
  const expectedSamples = SAMPLES[photometricInterpretation];
  if (expectedSamples === undefined)
    return problem('Photometric Interpretation (0028,0004) is not one the pixel stage can fill');
  if (samplesPerPixel !== expectedSamples)
    return problem(
      `Samples per Pixel (0028,0002) ${samplesPerPixel} does not fit the photometric interpretation`,
    );
  if (samplesPerPixel === 3 && planarConfiguration > 1)
    return problem(`Planar Configuration (0028,0006) ${planarConfiguration} is not 0 or 1`);
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1 || numberOfFrames > 0x7fffffff)
    return problem('Number of Frames (0028,0008) is not a positive whole number');

  const subsampled = photometricInterpretation === 'YBR_FULL_422';
  if (subsampled && (columns % 2 !== 0 || planarConfiguration !== 0))
    return problem('YBR_FULL_422 needs an even number of columns and Planar Configuration 0');
  const frameBytes = rows * columns * (subsampled ? 2 : samplesPerPixel) * (bitsAllocated / 8);
  if (!parsed.transferSyntax.encapsulated && !pixelData.fragments) {
    if (pixelData.length === 0xffffffff || pixelData.length < frameBytes * numberOfFrames)
      return problem(
        `Pixel Data (7FE0,0010) holds ${pixelData.length} bytes, fewer than ${numberOfFrames} frames of ${frameBytes}`,
      );
  }
  const padding = topLevel(parsed, PIXEL_PADDING_VALUE);
  const paddingValue = padding
    ? readNumbers(
        parsed.source,
        padding,
        pixelRepresentation === 1 ? 'SS' : 'US',
        parsed.dataset.syntax,
        1,
      )[0]
    : undefined;
  return {
    layout: {
      rows,
      columns,
      samplesPerPixel,
      bitsAllocated,
      bitsStored,
      highBit,
      pixelRepresentation,
      planarConfiguration: samplesPerPixel === 3 ? planarConfiguration : 0,
      photometricInterpretation,
      numberOfFrames,
    },
    pixelData,
    frameBytes,
    ...(paddingValue !== undefined ? { paddingValue } : {}),
  };
}

export const isLayoutProblem = (x: CheckedLayout | LayoutProblem): x is LayoutProblem => 'problem' in x;
