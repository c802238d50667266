import type { Tag } from '../dicom/tag.js';
import { elementOf, groupOf, isPrivateCreator, isPrivateGroup } from '../dicom/tag.js';
import { dictionaryRows } from '../standard/dictionary.generated.js';

/** One PS3.6 data element: the dictionary VR may list alternatives such as `US or SS`. */
export interface DictionaryEntry {
  readonly keyword: string;
  readonly vr: string;
  readonly vm: string;
  readonly retired: boolean;
}

interface Pattern {
  readonly mask: number;
  readonly value: number;
  readonly entry: DictionaryEntry;
}

interface Tables {
  readonly exact: Map<Tag, DictionaryEntry>;
  readonly byKeyword: Map<string, Tag>;
  /** Repeating groups (50xx, 60xx, 7Fxx, 0020,31xx ...): 'x' digits are wildcards. */
  readonly patterns: Pattern[];
}

let built: Tables | undefined;

/**
 * Built on first use: an explicit-VR file of standard attributes is read and scanned without the
 * dictionary, and parsing and indexing its 5,000 rows was a tenth of the CLI's start-up.
 */
function tables(): Tables {
  if (built) return built;
  const exact = new Map<Tag, DictionaryEntry>();
  const byKeyword = new Map<string, Tag>();
  const patterns: Pattern[] = [];
  for (const [pattern, keyword, vr, vm, retired] of dictionaryRows()) {
    const entry: DictionaryEntry = { keyword, vr, vm, retired: retired === 1 };
    if (pattern.includes('x')) {
      const mask = Number.parseInt(pattern.replace(/[0-9A-F]/g, 'F').replace(/x/g, '0'), 16) >>> 0;
      const value = Number.parseInt(pattern.replace(/x/g, '0'), 16) >>> 0;
      patterns.push({ mask, value, entry });
    } else {
      const tag = Number.parseInt(pattern, 16) >>> 0;
      exact.set(tag, entry);
      if (keyword) byKeyword.set(keyword, tag);
    }
  }
  built = { exact, byKeyword, patterns };
  return built;
}

const GROUP_LENGTH: DictionaryEntry = { keyword: 'GroupLength', vr: 'UL', vm: '1', retired: false };
const PRIVATE_CREATOR: DictionaryEntry = { keyword: 'PrivateCreator', vr: 'LO', vm: '1', retired: false };

/** The standard entry for a tag, or undefined for private and unknown tags. */
export function lookup(tag: Tag): DictionaryEntry | undefined {
  const { exact, patterns } = tables();
  const hit = exact.get(tag);
  if (hit) return hit;
  if (elementOf(tag) === 0x0000) return GROUP_LENGTH;
  if (isPrivateCreator(tag)) return PRIVATE_CREATOR;
  if (isPrivateGroup(groupOf(tag))) return undefined;
  for (const p of patterns) if ((tag & p.mask) >>> 0 === p.value) return p.entry;
  return undefined;
}

export const tagForKeyword = (keyword: string): Tag | undefined => tables().byKeyword.get(keyword);
export const keywordOf = (tag: Tag): string | undefined => lookup(tag)?.keyword;

/**
 * The single VR to use when the file does not say (implicit VR): the first alternative of `US or SS`,
 * `OB or OW` and the like, and UN when the tag is unknown.
 */
export function impliedVR(tag: Tag): string {
  const vr = lookup(tag)?.vr;
  if (!vr) return 'UN';
  return vr.slice(0, 2);
}

/** All keywords, for autocomplete in the profile editor. */
export function allKeywords(): string[] {
  return [...tables().byKeyword.keys()];
}
