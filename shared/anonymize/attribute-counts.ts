import type { Tag } from '../dicom/tag.js';

/** What happened to each attribute, by name only: safe to travel with the data. In the reports' order. */
export const ACTION_NAMES = [
  'removed',
  'emptied',
  'dummy',
  'replaced',
  'pseudonymized',
  'uid-remapped',
  'date-shifted',
  'cleaned',
  'hashed',
  'kept',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

const ACTION_INDEX = Object.fromEntries(ACTION_NAMES.map((a, i) => [a, i])) as Record<ActionName, number>;

/**
 * What the engine did to each attribute of a file, as it counted: tag, action (its index in ACTION_NAMES)
 * and change, three numbers per count, in the order counted. A small file counts some ninety attributes,
 * and a batch worker compares each file's counts with the file's before: numbers in one array cost less to
 * make and to compare than an object per attribute. `byAttribute` adds them up.
 */
export type AttributeCounts = readonly number[];

/** Appends one count. */
export const countAttribute = (counts: number[], tag: Tag, action: ActionName, by: number): void => {
  counts.push(tag, ACTION_INDEX[action], by);
};

/**
 * Per tag, in the order first counted: action → count, in the order each action was first counted; an
 * action whose count came back to zero is left out.
 */
export function byAttribute(counts: AttributeCounts): Map<Tag, Partial<Record<ActionName, number>>> {
  const totals = new Map<Tag, Partial<Record<ActionName, number>>>();
  for (let i = 0; i + 2 < counts.length; i += 3) {
    const tag = counts[i]!;
    const action = ACTION_NAMES[counts[i + 1]!]!;
    let perAttribute = totals.get(tag);
    if (!perAttribute) {
      perAttribute = {};
      totals.set(tag, perAttribute);
    }
    const now = (perAttribute[action] ?? 0) + counts[i + 2]!;
    if (now) perAttribute[action] = now;
    else delete perAttribute[action];
  }
  return totals;
}

/** Whether two files' counts were counted alike: then their totals are alike too. */
export function sameCounts(a: AttributeCounts, b: AttributeCounts): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
