import { formatTag, groupOf, isPrivateGroup, type Tag } from '../dicom/tag.js';
import { lookup } from '../dictionary/index.js';

/** A tag's keyword for reports: `Private` for any private tag, `Unknown` for one the dictionary lacks. */
export const keywordFor = (tag: Tag): string =>
  isPrivateGroup(groupOf(tag)) ? 'Private' : (lookup(tag)?.keyword ?? 'Unknown');

/** `(GGGG,EEEE) Keyword`: how the shareable report names an attribute (the report layout keeps each one). */
export const attributeLabel = (tag: Tag): string => `${formatTag(tag)} ${keywordFor(tag)}`;
