import { groupOf, type Tag } from '../dicom/tag.js';

/**
 * A tag or a family of tags: `tag` matches when `(tag & mask) === value`. Exact tags have a full mask;
 * repeating groups such as (60xx,3000) clear the 'xx' digits.
 */
export interface TagPattern {
  readonly mask: number;
  readonly value: number;
}

const HALF = '[0-9a-f]{2}(?:[0-9a-f]{2}|xx)';
const TAG_TEXT = new RegExp(`^\\((${HALF}),(${HALF})\\)$|^(${HALF})(${HALF})$`, 'i');

/**
 * Parses `(gggg,eeee)` or `ggggeeee` in hex, where the low byte of the group or of the element may be
 * 'xx' as PS3.6 writes repeating groups: (60xx,3000), (0020,31xx). Undefined for any other text.
 */
export function parseTagPattern(text: string): TagPattern | undefined {
  const m = TAG_TEXT.exec(text.trim());
  if (!m) return undefined;
  const digits = `${m[1] ?? m[3]}${m[2] ?? m[4]}`.toUpperCase();
  return {
    mask: Number.parseInt(digits.replace(/[0-9A-F]/g, 'F').replace(/X/g, '0'), 16) >>> 0,
    value: Number.parseInt(digits.replace(/X/g, '0'), 16) >>> 0,
  };
}

export const isExactPattern = (pattern: TagPattern): boolean => pattern.mask === 0xffffffff;

/**
 * PS3.5 7.6: repeating groups 50xx and 60xx (and the retired 7Fxx) are the even groups xx = 00-1E.
 * Odd groups in those ranges are private, so a pattern whose group digits are wildcards only
 * matches those even groups.
 */
export function matchesPattern(pattern: TagPattern, tag: Tag): boolean {
  if ((tag & pattern.mask) >>> 0 !== pattern.value) return false;
  if ((pattern.mask & 0x00ff0000) !== 0) return true;
  const xx = groupOf(tag) & 0xff;
  return (xx & 1) === 0 && xx <= 0x1e;
}

/** `(GGGG,EEEE)` with 'xx' where the pattern has wildcards, the inverse of parseTagPattern. */
export function formatTagPattern(pattern: TagPattern): string {
  const hex = pattern.value.toString(16).toUpperCase().padStart(8, '0');
  const mask = pattern.mask.toString(16).padStart(8, '0');
  const digits = [...hex].map((digit, i) => (mask[i] === '0' ? 'x' : digit)).join('');
  return `(${digits.slice(0, 4)},${digits.slice(4)})`;
}
