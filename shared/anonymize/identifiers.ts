import { BoundedMemo } from '../bounded-memo.js';
import type { Dataset, DicomElement, ParsedDicom } from '../dicom/model.js';
import { groupOf, isPrivateGroup, type Tag } from '../dicom/tag.js';
import { readText } from '../dicom/values.js';
import { datasetCharset, effectiveVR } from '../dicom/walk.js';
import { lookup } from '../dictionary/index.js';
import { type ProfileRow, profileRowFor } from '../profile/table.js';
import { inUnspacedScript } from './clean-text.js';
import { isStandardUid } from './uid-remap.js';

/**
 * The kinds of values that identify a person or place. "Clean" removes them from free text, and the
 * residual check searches outputs for them. Descriptions and codes are not identifiers: searching for a
 * removed "CT HEAD" would flag a kept Body Part Examined of HEAD.
 */
export type IdentifierKind = 'name' | 'id' | 'uid' | 'date' | 'place';

export interface Identifier {
  readonly kind: IdentifierKind;
  readonly text: string;
}

/** One of something for each kind of identifier. */
const byKind = <T>(make: () => T): Record<IdentifierKind, T> => ({
  name: make(),
  id: make(),
  uid: make(),
  date: make(),
  place: make(),
});

// Per VR, per tag: the VR strings are the parser's few constants, so no key is built per element.
const kinds = new Map<string, Map<Tag, IdentifierKind | null>>();

/** Which kind of identifier an attribute's value is, from its Table E.1-1 row and VR; undefined if none. */
export function identifierKindOf(tag: Tag, vr: string): IdentifierKind | undefined {
  // Asked for every element of every file: the answer depends on the tag and VR only.
  let ofVR = kinds.get(vr);
  if (!ofVR) {
    ofVR = new Map();
    kinds.set(vr, ofVR);
  }
  let kind = ofVR.get(tag);
  if (kind === undefined) {
    // The dictionary's VR wins over the file's: a Patient Name written as LO is still a name.
    const entry = lookup(tag);
    const dictionaryVR = entry?.vr.length === 2 ? entry.vr : undefined;
    kind = kindFromTable(profileRowFor(tag), entry?.keyword, dictionaryVR ?? vr) ?? null;
    ofVR.set(tag, kind);
  }
  return kind ?? undefined;
}

function kindFromTable(
  row: ProfileRow | undefined,
  keyword: string | undefined,
  vr: string,
): IdentifierKind | undefined {
  if (vr === 'PN') return 'name';
  if (!row) return keyword ? OUTSIDE_TABLE[keyword] : undefined;
  if (vr === 'UI') return row.basic === 'U' || row.options.retainUIDs === 'K' ? 'uid' : undefined;
  const kw = keyword ?? '';
  if (vr === 'DA' || vr === 'DT') return /Birth/.test(kw) ? 'date' : undefined;
  // Descriptors (Protocol Name, ROI Name, RT Plan Name...) are what Clean Descriptors keeps, not places.
  if (row.options.cleanDescriptors) return undefined;
  if (/Address|Institution|Telephone|Phone|Country|Region|Street|City/.test(kw)) return 'place';
  if (
    /(ID|IDs|Number|Numbers|Identifier)$/.test(kw) &&
    (vr === 'LO' || vr === 'SH' || vr === 'UC' || vr === 'LT')
  ) {
    return 'id';
  }
  if (/Name$/.test(kw) && (vr === 'LO' || vr === 'SH')) return 'place';
  return undefined;
}

/** Standard attributes newer than Table E.1-1, or left out of it, whose value is a person's identifier. */
const OUTSIDE_TABLE: Readonly<Record<string, IdentifierKind>> = {
  PatientBirthDateInAlternativeCalendar: 'date',
  PatientDeathDateInAlternativeCalendar: 'date',
  ContactDisplayName: 'name',
  ContactURI: 'place',
  BreedRegistrationNumber: 'id',
};

// Placeholders that many systems write instead of a name; finding them proves nothing.
const NOT_IDENTIFYING = new Set([
  'ANONYMOUS',
  'ANONYMIZED',
  'ANON',
  'UNKNOWN',
  'NONE',
  'PATIENT',
  'TEST',
  'DOCTOR',
  'PHYSICIAN',
  // Name prefixes and suffixes, and the two-letter codes every description is full of (MR HEAD, CT CHEST):
  // as two-letter "name parts" they would be cleaned out of every text.
  'MR',
  'MRS',
  'MS',
  'DR',
  'PROF',
  'JR',
  'SR',
  'ST',
  'II',
  'III',
  'IV',
  ...[
    'CT',
    'US',
    'DX',
    'CR',
    'NM',
    'PT',
    'XA',
    'RF',
    'MG',
    'OT',
    'SC',
    'IO',
    'PX',
    'ES',
    'XC',
    'GM',
    'OP',
    'SM',
    'RT',
  ],
]);

// Each value is split in every file of its study: the same patient, physicians, institution and study
// UIDs. Bounded, so a batch of a million different values, or of long texts, costs their splitting, not a
// cache of them too. One memo per kind, so the value itself is the key.
const stringsOf = byKind(() => new BoundedMemo<readonly string[]>());
const LONGEST_KEPT = 256;

/** The strings worth looking for: whole values and, for names, their parts (two letters or more). */
export function identifierStrings(kind: IdentifierKind, value: string): readonly string[] {
  if (value.length > LONGEST_KEPT) return splitIdentifiers(kind, value);
  const memo = stringsOf[kind];
  return memo.known(value) ?? memo.remember(value, splitIdentifiers(kind, value));
}

function splitIdentifiers(kind: IdentifierKind, value: string): string[] {
  const out = new Set<string>();
  // Every VR but ST/LT/UT/UR is multi-valued: OtherPatientNames `SMITH^MARY\JONES^ANNA` is two people.
  for (const one of value.split('\\')) {
    const v = one.trim();
    if (v.length < 3) continue;
    if (kind === 'name') addNameParts(v, out);
    else if (kind === 'date') addDateForms(v, out);
    // UIDs of the standard itself (SOP classes, coding schemes) name no one and stay as they are.
    else if (!(kind === 'uid' && isStandardUid(v))) out.add(v);
  }
  return [...out].filter((s) => !NOT_IDENTIFYING.has(s.toUpperCase()));
}

/** Every component group (alphabetic, ideographic, phonetic): the whole name and its parts. */
function addNameParts(name: string, out: Set<string>) {
  for (const group of name.split('=')) {
    const whole = group.replace(/\^+/g, ' ').trim();
    if (whole.length >= 3) out.add(whole);
    // Written without spaces (山田太郎, 김민수님): family name then given name, run together.
    if (inUnspacedScript(group)) {
      const joined = group.replace(/[\^ ]+/g, '');
      if ([...joined].length >= 2) out.add(joined);
    }
    // Double-barrelled names (SMITH-JONES, O'BRIEN) are found by their parts too.
    for (const part of group.split(/[\^ ,\-']+/)) {
      const p = part.trim().replace(/\.$/, '');
      // Two-letter surnames (Li, Wu, Ng) are names too; the matcher looks for them only as names are written.
      if (p.length >= 3 || /^\p{L}{2}$/u.test(p)) out.add(p);
    }
  }
}

function addDateForms(date: string, out: Set<string>) {
  out.add(date);
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(date);
  if (!m) return;
  const [, y, mo, d] = m;
  for (const f of [
    `${y}-${mo}-${d}`,
    `${d}.${mo}.${y}`,
    `${d}/${mo}/${y}`,
    `${mo}/${d}/${y}`,
    `${y}/${mo}/${d}`,
  ])
    out.add(f);
}

/**
 * Every identifying value anywhere in a file: what Clean takes out of free text, and what the burned-in
 * text detector looks for in the pixels.
 */
export const fileIdentifiers = (parsed: ParsedDicom): Identifier[] => new FileIdentifiers(parsed).all;

/**
 * A file's identifying values, and which of them a value holds: the engine asks again for each value it
 * removes, and gets the identifiers already made instead of splitting the value a second time.
 */
export class FileIdentifiers {
  /** Each identifier once, in the order the file gives them. */
  readonly all: Identifier[] = [];
  private readonly byText = byKind(() => new Map<string, Identifier>());
  // By distinct value, not by element: a sequence of a million items repeats its references a million times.
  private readonly byValue = byKind(() => new Map<string, readonly Identifier[]>());
  /**
   * The top-level dataset's, by element start: the engine asks again for each value it removes, and most
   * of a small file's are there. Nested values are not kept (a million items would cost a million entries)
   * and are read again.
   */
  private readonly topLevel = new Map<number, readonly Identifier[]>();

  constructor(parsed: ParsedDicom) {
    const visit = (ds: Dataset, inherited: string | undefined, top: boolean) => {
      const charset = datasetCharset(parsed.source, ds, inherited);
      for (const el of ds.elements) {
        if (el.items) {
          for (const item of el.items) visit(item, charset, false);
          continue;
        }
        if (isPrivateGroup(groupOf(el.tag))) continue;
        const vr = effectiveVR(el);
        const kind = identifierKindOf(el.tag, vr);
        if (!kind) continue;
        const held = this.of(kind, readText(parsed.source, el, vr, charset));
        if (top) this.topLevel.set(el.start, held);
      }
    };
    visit(parsed.dataset, undefined, true);
  }

  /**
   * What a top-level value held when the file was read, with its element's own VR and character set;
   * undefined for any other element.
   */
  ofTopLevel(el: DicomElement): readonly Identifier[] | undefined {
    return this.topLevel.get(el.start);
  }

  /** The identifiers a value of this kind holds: the same objects as in `all`, each made once. */
  of(kind: IdentifierKind, value: string): readonly Identifier[] {
    const known = this.byValue[kind].get(value);
    if (known) return known;
    const texts = this.byText[kind];
    const held = identifierStrings(kind, value).map((text) => {
      let identifier = texts.get(text);
      if (!identifier) {
        identifier = { kind, text };
        texts.set(text, identifier);
        this.all.push(identifier);
      }
      return identifier;
    });
    this.byValue[kind].set(value, held);
    return held;
  }
}
