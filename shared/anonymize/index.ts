export { patientShiftDays, shiftDA, shiftDT } from './date-shift.js';
export {
  type ActionName,
  type AnonymizeOptions,
  type AnonymizeResult,
  anonymize,
  type FileReport,
  IMPLEMENTATION_CLASS_UID,
  type OutputIdentity,
  type PlannedAction,
  type PrivateMapping,
  TOOL_NAME,
} from './engine.js';
export type { Identifier, IdentifierKind } from './identifiers.js';
export { type AnonymizationKey, KEY_BYTES, keyFingerprint, keyFromBytes, sha256Hex } from './key.js';
export { pseudonymFor } from './pseudonym.js';
export { remapUid } from './uid-remap.js';
