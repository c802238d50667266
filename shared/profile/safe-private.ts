import { SAFE_PRIVATE_ROWS } from '../standard/safe-private.generated.js';

// Table E.3.10-1 names a private attribute by creator, group and the element's low byte: 'xx' is the
// block the creator reserved, which differs from file to file. Key: "ggggee" hex, NUL, creator.
const key = (creator: string, group: number, elementLowByte: number): string =>
  `${group.toString(16).padStart(4, '0')}${elementLowByte.toString(16).padStart(2, '0')}\0${creator}`;

/** Safe attribute → the VR the table gives it ('' where it gives none; the first of 'OW/OB'). */
const SAFE = new Map(
  SAFE_PRIVATE_ROWS.map(([pattern, creator, vr]) => {
    // Some published rows use lower-case hex; parse rather than compare text.
    const m = /^([0-9a-f]{4})xx([0-9a-f]{2})$/i.exec(pattern);
    if (!m) throw new Error(`Table E.3.10-1 row ${pattern} is not in the form ggggxxee`);
    return [key(creator, Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16)), vr.slice(0, 2)] as const;
  }),
);

/**
 * True when Table E.3.10-1 lists the private attribute as safe to keep under the Retain Safe Private
 * Option. `creator` is the value of the Private Creator element that reserved the block; trailing
 * spaces (DICOM padding) are ignored, anything else must match exactly, case included, since creator
 * strings are compared exactly in PS3.5 7.8.1.
 */
export function isSafePrivate(creator: string, group: number, elementLowByte: number): boolean {
  return SAFE.has(key(creator.replace(/ +$/, ''), group, elementLowByte & 0xff));
}

/**
 * The VR Table E.3.10-1 gives a safe private attribute, for files that do not say (implicit VR, where
 * every private value reads as UN); undefined when the table gives none.
 */
export function safePrivateVR(creator: string, group: number, elementLowByte: number): string | undefined {
  return SAFE.get(key(creator.replace(/ +$/, ''), group, elementLowByte & 0xff)) || undefined;
}
