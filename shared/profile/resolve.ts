import type { ActionCode, OptionActionCode, ProfileRow } from '../standard/profile-table.generated.js';
import { assertValidOptions, type OptionKey, TABLE_OPTIONS } from './options.js';

/**
 * A single thing to do with an attribute. The Table E.1-1 codes keep their meaning; the one addition,
 * KEEP_SEQUENCE_REMAP, is how X/Z/U* is carried out: keep the sequence and process each item with the
 * table, whose U rows then remap the referenced UIDs inside, so references stay consistent across the
 * de-identified set instead of dangling.
 */
export type ResolvedAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'KEEP_SEQUENCE_REMAP';

type ConditionalCode = Exclude<ActionCode, ResolvedAction>;

/*
 * Conditional codes ("X unless Z or D is required to maintain IOD conformance") depend on the
 * attribute's Type in the IOD of each instance, which this table does not carry. The rule:
 * - attribute not used in any standard composite IOD: no Type can require it, so the first code
 *   applies (X, or Z for Z/D);
 * - otherwise the last code, which is valid whatever the Type is: D satisfies Type 1, 2 and 3 (a
 *   dummy non-empty value), Z satisfies Type 2 and 3. D-capable rows include Type 1 uses such as
 *   Device Serial Number and Acquisition DateTime in the enhanced multi-frame IODs, and Patient ID,
 *   which is Type 2 but which archives need non-empty.
 * Every variant replaces or removes the value, so the choice affects conformance, never privacy.
 */
const CONDITIONAL: Readonly<Record<ConditionalCode, { notInIod: ResolvedAction; inIod: ResolvedAction }>> = {
  'Z/D': { notInIod: 'Z', inIod: 'D' },
  'X/Z': { notInIod: 'X', inIod: 'Z' },
  'X/D': { notInIod: 'X', inIod: 'D' },
  'X/Z/D': { notInIod: 'X', inIod: 'D' },
  'X/Z/U*': { notInIod: 'X', inIod: 'KEEP_SEQUENCE_REMAP' },
};

/*
 * When two selected options give different codes for one row, C (clean) wins over K (keep). In the
 * 2026d table that happens only on the nine device calibration/manufacture dates, where Retain Device
 * Identity says K and Retain Longitudinal Modified Dates says C: keeping those dates real next to
 * shifted study dates would reveal the real study dates and break the intervals the shift preserves.
 */
const OPTION_CODE_RANK: Readonly<Record<OptionActionCode, number>> = { K: 0, C: 1 };

const isConditional = (code: ActionCode): code is ConditionalCode => code in CONDITIONAL;

/**
 * The action for one Table E.1-1 row under a set of options. A code from a selected option's column
 * replaces the Basic Profile code; conditional codes are resolved as documented above, so the result
 * never keeps the original value unless an option column says K or C.
 * Throws when the options cannot be combined (both longitudinal date options).
 */
export function resolveAction(row: ProfileRow, options: ReadonlySet<OptionKey>): ResolvedAction {
  assertValidOptions(options);
  let optionCode: OptionActionCode | undefined;
  for (const key of TABLE_OPTIONS) {
    const code = options.has(key) ? row.options[key] : undefined;
    if (code && (!optionCode || OPTION_CODE_RANK[code] > OPTION_CODE_RANK[optionCode])) optionCode = code;
  }
  if (optionCode) return optionCode;
  const basic = row.basic;
  if (!isConditional(basic)) return basic;
  return row.inStdCompIOD ? CONDITIONAL[basic].inIod : CONDITIONAL[basic].notInIod;
}

const DESCRIPTIONS: Readonly<Record<ResolvedAction, string>> = {
  D: 'Replace with a harmless dummy value',
  Z: 'Empty the value (the attribute stays, with no content)',
  X: 'Remove the attribute (with everything inside it, for a sequence)',
  K: 'Keep the original value (sequences are kept but their contents are still de-identified)',
  C: 'Clean: replace with a similar value that does not identify anyone',
  U: 'Replace the UID with a new one, the same new UID everywhere the original appears',
  KEEP_SEQUENCE_REMAP:
    'Keep the reference sequence, de-identify its contents and replace the UIDs it points to with the new ones',
};

/** Plain-English description of a resolved action, for reports and the UI. */
export const describeAction = (action: ResolvedAction): string => DESCRIPTIONS[action];
