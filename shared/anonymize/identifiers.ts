import type { Tag } from '../dicom/tag.js';
import { lookup } from '../dictionary/index.js';
import { type ProfileRow, profileRowFor } from '../profile/index.js';

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

const kinds = new Map<string, IdentifierKind | null>();

/** Which kind of identifier an attribute's value is, from its Table E.1-1 row and VR; undefined if none. */
export function identifierKindOf(tag: Tag, vr: string): IdentifierKind | undefined {
  // Asked for every element of every file: the answer depends on the tag and VR only.
  const memo = `${vr}${tag}`;
  let kind = kinds.get(memo);
  if (kind === undefined) {
    kind = kindFromTable(profileRowFor(tag), lookup(tag)?.keyword, vr) ?? null;
    kinds.set(memo, kind);
  }
  return kind ?? undefined;
}

function kindFromTable(
  row: ProfileRow | undefined,
  keyword: string | undefined,
  vr: string,
): IdentifierKind | undefined {
  if (vr === 'PN') return 'name';
  if (!row) return undefined;
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
]);

/** The strings worth looking for: whole values and, for names, their parts of three letters or more. */
export function identifierStrings(kind: IdentifierKind, value: string): string[] {
  const v = value.trim();
  if (v.length < 3) return [];
  const out = new Set<string>();
  if (kind === 'name') {
    for (const group of v.split('=')) {
      const whole = group.replace(/\^+/g, ' ').trim();
      if (whole.length >= 3) out.add(whole);
      for (const part of group.split(/[\^ ,]+/)) {
        const p = part.trim().replace(/\.$/, '');
        if (p.length >= 3 && !NOT_IDENTIFYING.has(p.toUpperCase())) out.add(p);
      }
    }
  } else if (kind === 'date') {
    const m = /^(\d{4})(\d{2})(\d{2})/.exec(v);
    out.add(v);
    if (m) {
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
  } else {
    // UIDs of the standard itself (SOP classes, coding schemes) name no one and stay as they are.
    for (const one of kind === 'uid' ? v.split('\\') : [v]) {
      const t = one.trim();
      if (t.length >= 3 && !(kind === 'uid' && t.startsWith('1.2.840.10008.'))) out.add(t);
    }
  }
  return [...out].filter((s) => !NOT_IDENTIFYING.has(s.toUpperCase()));
}
