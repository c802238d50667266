import { lookup } from '../dictionary/index.js';
import type { DicomElement } from './model.js';
import { UNDEFINED_LENGTH } from './model.js';
import type { ByteSource } from './source.js';
import { elementOf, groupOf, isPrivateGroup, SEQUENCE_DELIMITER, type Tag } from './tag.js';
import type { Syntax } from './transfer-syntax.js';
import { hasLongHeader, VRS } from './vr.js';

/**
 * Whether a bulk value (OB, OW, UN...) ends in a run of well-formed data elements whose tags follow its
 * own in order: what a length grown by a damaged byte looks like once it has swallowed the attributes
 * after it (a physician, an institution). Such elements were never parsed as what they are, so neither
 * the profile nor the residual check would see them. Binary content that happens to look like elements
 * at its very end, with known tags in ascending order, is rare enough to give up.
 *
 * Linear in the value's length: from the end backwards, an offset is noted when a run starting there
 * reaches the end exactly.
 */
export function endsInSwallowedElements(source: ByteSource, el: DicomElement, syntax: Syntax): boolean {
  if (el.length === UNDEFINED_LENGTH || el.length < 8) return false;
  const bytes = source.read(el.valueStart, el.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = syntax.littleEndian;
  const end = bytes.length;
  const endsInDelimiter = end >= 8 && tagAt(view, end - 8, le) === SEQUENCE_DELIMITER;
  // Offsets from which a run of elements ends exactly at the end, with the tag found there: few, if any.
  const reaching = new Map<number, Tag>();
  // The cheap structural tests come first: at almost every offset of real binary data they fail, and the
  // dictionary is asked only where an element would reach the end or a run.
  for (let p = end - 8; p >= 0; p--) {
    let length: number;
    let header = 8;
    let sequence = true;
    if (syntax.explicitVR) {
      const vr = VR_CODES.get((bytes[p + 4]! << 8) | bytes[p + 5]!);
      if (vr === undefined) continue;
      sequence = vr === 'SQ' || vr === 'UN';
      if (hasLongHeader(vr)) {
        if (p + 12 > end) continue;
        length = view.getUint32(p + 8, le);
        header = 12;
      } else {
        length = view.getUint16(p + 6, le);
      }
    } else {
      length = view.getUint32(p + 4, le);
    }
    let nextTag: Tag | undefined;
    if (length === UNDEFINED_LENGTH) {
      // A sequence swallowed last ends in its delimiter; what it holds is not followed here.
      if (!sequence || !endsInDelimiter) continue;
    } else {
      const next = p + header + length;
      if (next > end) continue;
      if (next < end) {
        nextTag = reaching.get(next);
        if (nextTag === undefined) continue;
      }
    }
    const tag = tagAt(view, p, le);
    if (tag <= el.tag || (nextTag !== undefined && nextTag <= tag) || !plausibleTag(tag)) continue;
    if (length === UNDEFINED_LENGTH) return true;
    reaching.set(p, tag);
  }
  return reaching.size > 0;
}

/** The VRs by their two bytes as one number, so an offset is tested without making a string. */
const VR_CODES = new Map<number, string>(VRS.map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]));

const tagAt = (view: DataView, at: number, le: boolean): Tag =>
  ((view.getUint16(at, le) << 16) | view.getUint16(at + 2, le)) >>> 0;

/** A tag the standard defines (not a group length), or a private one in a private group's ranges. */
function plausibleTag(tag: Tag): boolean {
  const group = groupOf(tag);
  const element = elementOf(tag);
  if (isPrivateGroup(group)) return group > 0x0008 && group < 0xffff && element >= 0x0010;
  return element !== 0 && lookup(tag) !== undefined;
}
