import { SOP_CLASS_ROWS } from '../standard/sop-classes.generated.js';

const NAMES = new Map(
  SOP_CLASS_ROWS.map(([uid, name, retired]) => [uid, retired ? `${name} (retired)` : name]),
);

/** The PS3.6 name of a SOP class UID ("CT Image Storage"), or undefined for one the standard does not list. */
export const sopClassName = (uid: string): string | undefined => NAMES.get(uid.trim());

/** A SOP class for people: its name when the standard has one, else the bare UID. */
export const sopClassLabel = (uid: string): string => sopClassName(uid) ?? uid;
