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
  /** Further header tests, as device templates (pydicom-deid, CTP) write them; all must hold. */
  readonly conditions?: readonly HeaderCondition[];
}

/**
 * A test on a top-level attribute named by keyword. `contains`: its value, as text, holds one of `values`
 * (case-insensitive); `equals`: it is one of them (trimmed, case-insensitive); `missing`: the attribute is
 * absent; `empty`: present with no value; `present`: present.
 */
export interface HeaderCondition {
  readonly keyword: string;
  readonly test: 'contains' | 'equals' | 'missing' | 'empty' | 'present';
  readonly values?: readonly string[];
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
  /**
   * Text the detector found here that the person at the screen turned off: left as it is (not cleaned, not
   * a reason to hold, not a residue when the output is read again). Recorded in the private audit.
   */
  readonly keep?: readonly Rect[];
  /**
   * The person at the screen reviewed the detector's findings: text it could not decide is theirs to decide
   * (cleaned unless kept), so it no longer holds the file. Recorded in the private audit.
   */
  readonly reviewed?: boolean;
}

/** Regions found in this file's frames by the detector: frame index (0-based) → rectangles. */
export type DetectedRegions = ReadonlyMap<number, readonly Rect[]>;
