import { groupOf, isPrivateGroup, parseTag, type Tag } from '../dicom/tag.js';
import { PROFILE_EDITION, PROFILE_ROWS, type ProfileRow } from '../standard/profile-table.generated.js';
import { matchesPattern, type TagPattern } from './tag-pattern.js';

export type { ProfileRow };
export { PROFILE_EDITION };

export const PROFILE_ROW_COUNT = PROFILE_ROWS.length;

const exactRows = new Map<Tag, ProfileRow>();
const maskRows: Array<{ readonly pattern: TagPattern; readonly row: ProfileRow }> = [];
let privateRow: ProfileRow | undefined;

for (const row of PROFILE_ROWS) {
  const { match } = row;
  if (match.kind === 'exact') {
    const tag = parseTag(row.tag);
    if (tag === undefined) throw new Error(`Table E.1-1 row ${row.tag} is not a tag`);
    exactRows.set(tag, row);
  } else if (match.kind === 'mask') {
    const pattern = {
      mask: Number.parseInt(match.mask, 16) >>> 0,
      value: Number.parseInt(match.value, 16) >>> 0,
    };
    maskRows.push({ pattern, row });
  } else {
    privateRow = row;
  }
}

if (!privateRow) throw new Error('Table E.1-1 has no private attributes row');

/** The "(gggg,eeee) where gggg is odd" row: what the Basic Profile does with every private attribute. */
export const PRIVATE_ROW: ProfileRow = privateRow;

/**
 * The Table E.1-1 row governing a tag, or undefined when the table does not list it.
 *
 * Lookup order: exact tags, then the repeating-group rows (50xx,xxxx), (60xx,3000), (60xx,4000), which
 * PS3.5 7.6 limits to the even groups xx = 00-1E, then the private row for any private group.
 * "Private" follows PS3.5 7.8.1 as isPrivateGroup does: an odd group above 0008. The odd groups
 * 0001, 0003, 0005 and 0007 are reserved rather than private, so they get no row here; whatever
 * carries them is malformed and the caller decides what to do with it.
 */
export function profileRowFor(tag: Tag): ProfileRow | undefined {
  const exact = exactRows.get(tag);
  if (exact) return exact;
  if (isPrivateGroup(groupOf(tag))) return PRIVATE_ROW;
  return maskRows.find(({ pattern }) => matchesPattern(pattern, tag))?.row;
}
