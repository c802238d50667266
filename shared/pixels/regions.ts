/**
 * Where pixels are cleaned: rectangles from device templates, from the person at the screen, and from the
 * text detector. Types only; the pixel stage resolves and applies them.
 */

/** Image pixels, top-left origin, columns to the right and rows down; applied to every frame unless said. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Which files a region rule applies to: every field given must match (header values compared as trimmed,
 * case-insensitive text; Rows/Columns as numbers). Instance and series UIDs are the original ones: rules that
 * name them are drawn on site and never travel with the data.
 */
export interface RegionMatch {
  readonly sopInstanceUID?: string;
  readonly seriesInstanceUID?: string;
  readonly manufacturer?: string;
  readonly modelName?: string;
  readonly sopClassUID?: string;
  readonly modality?: string;
  readonly photometricInterpretation?: string;
  readonly rows?: number;
  readonly columns?: number;
}

/** One template, drawn box set or acceptance, as it stands in a profile. */
export interface RegionRule {
  readonly label?: string;
  readonly match: RegionMatch;
  readonly regions: readonly Rect[];
  /** Clean everything outside the Ultrasound Region Sequence (0018,6011) regions as well. */
  readonly outsideUltrasoundRegions?: boolean;
  /** "I have looked: send as is" — the file leaves with its pixels untouched; recorded in the private audit. */
  readonly accept?: boolean;
  /** Stored value to fill with; the darkest value for the photometric interpretation when absent. */
  readonly fill?: number;
}

/** Regions found in this file's frames by the detector: frame index (0-based) → rectangles. */
export type DetectedRegions = ReadonlyMap<number, readonly Rect[]>;
