import type { OptionKey } from './options.js';
import { DEFAULT_DATE_SHIFT, PROFILE_FORMAT_VERSION, type Profile } from './profile.js';

export const PRESET_NAMES = ['basic', 'research', 'relinkable'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface PresetInfo {
  readonly name: PresetName;
  readonly label: string;
  readonly options: ReadonlyArray<OptionKey>;
}

// Clean Pixel Data is on in every preset: identity burned into images is the leak that matters most, and a
// file whose pixels need a look is held rather than sent. A profile file may turn it off (withoutOptions).
const PRESETS: ReadonlyArray<PresetInfo> = [
  { name: 'basic', label: 'Basic Profile', options: ['cleanPixelData'] },
  {
    name: 'research',
    label:
      'Basic + Retain Longitudinal Temporal Information with Modified Dates + Retain Patient Characteristics',
    options: ['retainPatientCharacteristics', 'retainLongModifiedDates', 'cleanPixelData'],
  },
  { name: 'relinkable', label: 'Basic + Retain UIDs', options: ['retainUIDs', 'cleanPixelData'] },
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
