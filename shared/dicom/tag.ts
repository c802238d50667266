/** A DICOM tag as one unsigned 32-bit number: group in the high 16 bits, element in the low 16. */
export type Tag = number;

export const tagOf = (group: number, element: number): Tag => ((group << 16) | element) >>> 0;
export const groupOf = (tag: Tag): number => tag >>> 16;
export const elementOf = (tag: Tag): number => tag & 0xffff;

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

// Formatting tags was most of a scan's time, and files repeat the same few hundred tags.
const TAG_TEXT = new Map<Tag, string>();

/** `(GGGG,EEEE)`, the form used in the standard and in every report we write. */
export function formatTag(tag: Tag): string {
  let text = TAG_TEXT.get(tag);
  if (text === undefined) {
    if (TAG_TEXT.size > 8192) TAG_TEXT.clear();
    text = `(${hex4(groupOf(tag))},${hex4(elementOf(tag))})`;
    TAG_TEXT.set(tag, text);
  }
  return text;
}

/** Accepts `(gggg,eeee)`, `gggg,eeee` or `ggggeeee` (hex); undefined when it is not a tag. */
export function parseTag(text: string): Tag | undefined {
  const m = /^\(?\s*([0-9a-fA-F]{4})\s*,?\s*([0-9a-fA-F]{4})\s*\)?$/.exec(text.trim());
  return m ? tagOf(Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16)) : undefined;
}

export const isPrivateGroup = (group: number): boolean => (group & 1) === 1 && group > 0x0008;
/** (gggg,0010-00FF) in a private group reserves a block of 256 elements for one creator. */
export const isPrivateCreator = (tag: Tag): boolean => {
  const e = elementOf(tag);
  return isPrivateGroup(groupOf(tag)) && e >= 0x0010 && e <= 0x00ff;
};
export const isGroupLength = (tag: Tag): boolean => elementOf(tag) === 0x0000;

export const ITEM = 0xfffee000;
export const ITEM_DELIMITER = 0xfffee00d;
export const SEQUENCE_DELIMITER = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;
export const SPECIFIC_CHARACTER_SET = 0x00080005;
export const TRANSFER_SYNTAX_UID = 0x00020010;
