import { formatTag, groupOf, isPrivateGroup, type Tag } from '../dicom/tag.js';
import { lookup } from '../dictionary/index.js';

/** A tag's keyword for reports: `Private` for any private tag, `Unknown` for one the dictionary lacks. */
export const keywordFor = (tag: Tag): string =>
  isPrivateGroup(groupOf(tag)) ? 'Private' : (lookup(tag)?.keyword ?? 'Unknown');

// The report's key for an attribute, made for every attribute of every file: a few hundred distinct tags
// in a batch, so each label is formatted once (a tag and a keyword: no value, nothing per file).
const attributeLabels = new Map<Tag, string>();

/** `(GGGG,EEEE) Keyword`: how the shareable report names an attribute. */
export const attributeLabel = (tag: Tag): string => {
  let label = attributeLabels.get(tag);
  if (label === undefined) {
    label = `${formatTag(tag)} ${keywordFor(tag)}`;
    if (attributeLabels.size < 65_536) attributeLabels.set(tag, label);
  }
  return label;
};
