export {
  ALL_OPTIONS,
  assertValidOptions,
  BASIC_PROFILE_CODE,
  type CodedConcept,
  findOptionConflict,
  isOptionKey,
  methodCodes,
  OPTION_INFO,
  type OptionInfo,
  type OptionKey,
  sortOptions,
  TABLE_OPTIONS,
  type TableOptionKey,
} from './options.js';
export {
  getPreset,
  isPresetName,
  listPresets,
  PRESET_NAMES,
  type PresetInfo,
  type PresetName,
} from './presets.js';
export { type DateShiftRange, DEFAULT_DATE_SHIFT, PROFILE_FORMAT_VERSION, type Profile } from './profile.js';
export { exportProfile, ProfileError, type ProfileIssue, parseProfileFile } from './profile-file.js';
export { describeAction, type ResolvedAction, resolveAction } from './resolve.js';
export { type CompiledRule, RULE_ACTIONS, type RuleAction, type RuleTarget, ruleFor } from './rules.js';
export { isSafePrivate, safePrivateVR } from './safe-private.js';
export { PRIVATE_ROW, PROFILE_EDITION, PROFILE_ROW_COUNT, type ProfileRow, profileRowFor } from './table.js';
export { formatTagPattern, type TagPattern } from './tag-pattern.js';
