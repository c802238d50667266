import { topLevelText } from '../dicom/header.js';
import type { ParsedDicom } from '../dicom/model.js';
import { PIXELS_NOT_AT_RISK, type PixelOutcome } from './outcome.js';

const BURNED_IN_ANNOTATION = 0x00280301;
const ENCAPSULATED_DOCUMENT = 0x00420011;

/**
 * The safety gate for files whose pixels were not cleaned: what the file itself declares decides whether
 * it may leave. The pixel stage (templates, drawn regions, the detector) refines this.
 */
export function pixelGate(parsed: ParsedDicom): PixelOutcome {
  if (topLevelText(parsed, BURNED_IN_ANNOTATION).trim().toUpperCase() === 'YES') {
    return {
      status: 'held',
      reason: 'Burned In Annotation (0028,0301) is YES and the pixels were not cleaned',
      regionsCleaned: 0,
    };
  }
  if (parsed.dataset.elements.some((e) => e.tag === ENCAPSULATED_DOCUMENT)) {
    return {
      status: 'held',
      reason: 'the file holds an encapsulated document (0042,0011) whose content cannot be verified',
      regionsCleaned: 0,
    };
  }
  return PIXELS_NOT_AT_RISK;
}
