import { dictionaryRows } from '../standard/dictionary.generated.js';
import { parseTagPattern, type TagPattern } from './tag-pattern.js';

// Only what profile files need: keyword to tag, repeating groups included (OverlayData is (60xx,3000)).
// The dictionary module may take this over once it exposes patterns by keyword.
const BY_KEYWORD = new Map<string, TagPattern>();
for (const [text, keyword] of dictionaryRows()) {
  const pattern = parseTagPattern(text);
  if (!pattern) throw new Error(`PS3.6 dictionary row ${text} is not a tag`);
  BY_KEYWORD.set(keyword, pattern);
}

/** The PS3.6 tag (or repeating-group pattern) for a keyword such as StudyDescription; case-sensitive. */
export const tagForKeyword = (keyword: string): TagPattern | undefined => BY_KEYWORD.get(keyword);
