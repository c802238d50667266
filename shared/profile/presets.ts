import type { OptionKey } from './options.js';
import { DEFAULT_DATE_SHIFT, PROFILE_FORMAT_VERSION, type Profile } from './profile.js';

export const PRESET_NAMES = ['basic', 'research', 'relinkable'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface PresetInfo {
  readonly name: PresetName;
  readonly label: string;
  readonly options: ReadonlyArray<OptionKey>;
}

// Labels name what a preset does in a radiographer's words (the standard's option names are in the README).
// Clean Pixel Data is on in every preset: identity burned into images is the leak that matters most, and a
// file whose pixels need a look is held rather than sent. A profile file may turn it off (withoutOptions).
const PRESETS: ReadonlyArray<PresetInfo> = [
  { name: 'basic', label: 'Basic: remove identity, new UIDs', options: ['cleanPixelData'] },
  {
    name: 'research',
    label: 'Research: keep age and sex, shift dates',
    options: ['retainPatientCharacteristics', 'retainLongModifiedDates', 'cleanPixelData'],
  },
  { name: 'relinkable', label: 'Relinkable: keep original UIDs', options: ['retainUIDs', 'cleanPixelData'] },
];

export const listPresets = (): ReadonlyArray<PresetInfo> => PRESETS;

export const isPresetName = (name: string): name is PresetName =>
  PRESETS.some((preset) => preset.name === name);

export function getPreset(name: PresetName): Profile {
  const preset = PRESETS.find((p) => p.name === name)!;
  return {
    version: PROFILE_FORMAT_VERSION,
    name: preset.label,
    base: preset.name,
    options: preset.options,
    dateShift: DEFAULT_DATE_SHIFT,
    rules: [],
    pixelRules: [],
  };
}
