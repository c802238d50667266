import type { RegionRule } from '../pixels/regions.js';
import type { TechnicalTextEdits } from '../pixels/text-technical.js';
import type { OptionKey } from './options.js';
import type { PresetName } from './presets.js';
import type { CompiledRule } from './rules.js';

/** Written into exported files so a later, changed file format can still read today's files. */
export const PROFILE_FORMAT_VERSION = 1;

/** Days added to every date of a patient; one value per patient is drawn from this range. */
export interface DateShiftRange {
  readonly minDays: number;
  readonly maxDays: number;
}

/** One to ten years back: far enough to hide real dates, not so far that ages or eras look wrong. */
export const DEFAULT_DATE_SHIFT: DateShiftRange = { minDays: -3650, maxDays: -365 };

/** A de-identification profile: a preset, the options it applies and custom rules that override the table. */
export interface Profile {
  readonly version: typeof PROFILE_FORMAT_VERSION;
  readonly name: string;
  readonly base: PresetName;
  /** The base preset's options plus the file's, in Table E.1-1 column order. */
  readonly options: ReadonlyArray<OptionKey>;
  readonly dateShift: DateShiftRange;
  readonly rules: ReadonlyArray<CompiledRule>;
  /** Drawn boxes, site templates and acceptances for the pixels (applied with the Clean Pixel Data option). */
  readonly pixelRules: ReadonlyArray<RegionRule>;
  /** Changes to the burned-in text the detector keeps, by modality; absent when the defaults stand. */
  readonly technicalText?: TechnicalTextEdits;
}
