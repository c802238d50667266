import type { DicomElement } from '../dicom/model.js';
import { elementOf, groupOf, isPrivateCreator, isPrivateGroup, PIXEL_DATA } from '../dicom/tag.js';
import type { ElementContext } from '../dicom/walk.js';
import { lookup } from '../dictionary/index.js';
import type { OptionKey } from '../profile/options.js';
import type { Profile } from '../profile/profile.js';
import { type ResolvedAction, resolveAction } from '../profile/resolve.js';
import { ruleFor } from '../profile/rules.js';
import { isSafePrivate } from '../profile/safe-private.js';
import { type ProfileRow, profileRowFor } from '../profile/table.js';
import { identifierKindOf } from './identifiers.js';

/** What happens to one element. */
export type Operation =
  | { readonly op: 'keep' }
  | { readonly op: 'remove' }
  | { readonly op: 'empty' }
  | { readonly op: 'dummy' }
  | { readonly op: 'replace'; readonly text: string }
  | { readonly op: 'pseudonym-id' }
  | { readonly op: 'pseudonym-name' }
  | { readonly op: 'remap-uid' }
  | { readonly op: 'shift-date' }
  | { readonly op: 'clean' }
  /** Default policy for standard text outside the table: changed only if it holds an identifier. */
  | { readonly op: 'scrub' }
  | { readonly op: 'hash' }
  | { readonly op: 'recurse' };

/** Why: the table (with its resolved code), a custom rule, the private-attribute rules, or our default policy. */
export type DecisionSource = 'table' | 'rule' | 'private' | 'default';

export interface Decision {
  readonly operation: Operation;
  readonly source: DecisionSource;
  readonly code?: ResolvedAction;
  readonly row?: ProfileRow;
}

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;
// Free text, and the strings people type names and IDs into (AE titles, URLs).
const TEXT_VRS = new Set(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'UR', 'AE']);
const BINARY_BULK = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);

const isSequence = (el: DicomElement) => el.items !== undefined;

// Distinct elements a batch can bring (private creators times tags): past this the answers are forgotten.
const REMEMBERED = 65_536;

/**
 * `decide` for one profile, remembered: the answer depends only on the tag, the VR, the private creator
 * and whether the element is a sequence or encapsulated, and every file of a batch asks it again for the
 * same few hundred of them.
 */
export class ProfileDecisions {
  private readonly options: ReadonlySet<OptionKey>;
  private readonly byCreator = new Map<string | undefined, Map<number, Decision>>();
  private size = 0;

  constructor(private readonly profile: Profile) {
    this.options = new Set(profile.options);
  }

  of(el: DicomElement, ctx: ElementContext): Decision {
    const vr = ctx.vr;
    const first = vr.charCodeAt(0);
    const second = vr.charCodeAt(1);
    if (vr.length !== 2 || first > 0x7f || second > 0x7f) return decide(el, ctx, this.profile, this.options);
    // Tag (32 bits), then the two flags and the VR's two ASCII characters: one exact number below 2^53.
    const key =
      (((first << 7) | second) * 4 + (el.items ? 2 : 0) + (el.fragments ? 1 : 0)) * 2 ** 32 + el.tag;
    let decisions = this.byCreator.get(ctx.privateCreator);
    if (!decisions) {
      decisions = new Map();
      this.byCreator.set(ctx.privateCreator, decisions);
    }
    let decision = decisions.get(key);
    if (!decision) {
      decision = decide(el, ctx, this.profile, this.options);
      if (this.size >= REMEMBERED) {
        this.byCreator.clear();
        this.size = 0;
        decisions = new Map();
        this.byCreator.set(ctx.privateCreator, decisions);
      }
      decisions.set(key, decision);
      this.size++;
    }
    return decision;
  }
}

const profileDecisions = new WeakMap<Profile, ProfileDecisions>();

/** The remembered decisions of a profile, made on its first file. */
export function decisionsFor(profile: Profile): ProfileDecisions {
  let decisions = profileDecisions.get(profile);
  if (!decisions) {
    decisions = new ProfileDecisions(profile);
    profileDecisions.set(profile, decisions);
  }
  return decisions;
}

/**
 * The decision for one element. Order: structural elements (group lengths, misplaced meta and command
 * groups), custom rules, private attributes, Table E.1-1, then the default policy for attributes the
 * table does not list: the VR decides for standard attributes, unknown ones go.
 */
export function decide(
  el: DicomElement,
  ctx: ElementContext,
  profile: Profile,
  options: ReadonlySet<OptionKey>,
): Decision {
  const tag = el.tag;
  const group = groupOf(tag);
  // Group lengths go stale once anything in the group changes; PS3.5 7.2 retired them outside the meta.
  if (elementOf(tag) === 0x0000) return { operation: { op: 'remove' }, source: 'default' };
  // Meta (0002) and command (0000) elements have no place in a stored dataset; the meta is rebuilt.
  if (group === 0x0002 || group === 0x0000) return { operation: { op: 'remove' }, source: 'default' };
  // Only pixel data may be encapsulated; anything else of undefined length (a UT, an OB) cannot be read
  // as a value, so it cannot be cleaned or checked: it goes.
  if (el.fragments && tag !== PIXEL_DATA) return { operation: { op: 'remove' }, source: 'default' };
  // Odd groups below 0009 and group FFFF are neither standard nor private (PS3.5 7.8.1): no creator, no
  // dictionary says what they hold, so they go with everything nested in them.
  if (isReservedOddGroup(group)) return { operation: { op: 'remove' }, source: 'default' };

  const rule = isPrivateCreator(tag) ? undefined : ruleFor(profile, tag, ctx.privateCreator);
  if (rule) {
    // A value action (replace, hash, shift, remap) means nothing for a sequence: its items could not be
    // processed, so the sequence goes rather than travelling as it is.
    if (isSequence(el) && rule.action !== 'keep' && rule.action !== 'remove' && rule.action !== 'empty') {
      return { operation: { op: 'remove' }, source: 'rule' };
    }
    const operation: Operation = (() => {
      switch (rule.action) {
        case 'keep':
          return isSequence(el) ? { op: 'recurse' } : { op: 'keep' };
        case 'remove':
          return { op: 'remove' };
        case 'empty':
          return { op: 'empty' };
        case 'replace':
          return { op: 'replace', text: rule.value ?? '' };
        case 'remapUid':
          return { op: 'remap-uid' };
        case 'shiftDate':
          return { op: 'shift-date' };
        case 'hash':
          return { op: 'hash' };
      }
    })();
    return { operation, source: 'rule' };
  }

  if (isPrivateGroup(group)) {
    // Creators are kept or dropped with their block, after the block's elements are decided.
    if (isPrivateCreator(tag)) return { operation: { op: 'keep' }, source: 'private' };
    const safe =
      options.has('retainSafePrivate') &&
      ctx.privateCreator !== undefined &&
      elementOf(tag) >= 0x1000 &&
      isSafePrivate(ctx.privateCreator, group, tag & 0xff);
    if (!safe) return { operation: { op: 'remove' }, source: 'private' };
    // The option's code for private attributes is C: a safe sequence keeps its items but they are
    // de-identified like any other, safe UIDs are remapped like public ones, and safe text is cleaned.
    const operation: Operation = isSequence(el)
      ? { op: 'recurse' }
      : ctx.vr === 'UI'
        ? { op: 'remap-uid' }
        : TEXT_VRS.has(ctx.vr)
          ? { op: 'clean' }
          : { op: 'keep' };
    return { operation, source: 'private' };
  }

  const row = profileRowFor(tag);
  if (row) {
    const code = resolveAction(row, options);
    return { operation: operationFor(code, el, ctx.vr, tag), source: 'table', code, row };
  }

  // Overlay Data (60xx,3000) goes under every option (X, or C: a bitmap cannot be cleaned unseen), and an
  // Overlay Plane module without it is invalid: the rest of the overlay goes too, unless a rule keeps the data.
  if (group >= 0x6000 && group <= 0x601e && group % 2 === 0) {
    if (ruleFor(profile, ((group << 16) | 0x3000) >>> 0)?.action !== 'keep') {
      return { operation: { op: 'remove' }, source: 'default' };
    }
  }
  if (isSequence(el)) return { operation: { op: 'recurse' }, source: 'default' };
  return { operation: outsideTable(tag, ctx.vr, options), source: 'default' };
}

const isReservedOddGroup = (group: number) => group % 2 === 1 && (group < 0x0009 || group === 0xffff);

/**
 * Standard attributes the table does not name (newer ones, retired ones): the VR decides, because a name,
 * a date or an instance UID identifies whatever attribute holds it. Attributes that are themselves a
 * person's identifier (names, birth dates in another calendar) go.
 */
function outsideTable(tag: number, vr: string, options: ReadonlySet<OptionKey>): Operation {
  const entry = lookup(tag);
  if (!entry) return { op: 'remove' };
  if (identifierKindOf(tag, vr)) return { op: 'remove' };
  switch (vr) {
    case 'UI':
      // Class UIDs (SOP classes, transfer syntaxes) name a kind of object, never an instance.
      return CLASS_UID_KEYWORD.test(entry.keyword) ? { op: 'keep' } : { op: 'remap-uid' };
    case 'DA':
    case 'DT':
    case 'TM':
      // The table's rule for dates and times: gone, shifted under Modified Dates, kept under Full Dates.
      if (options.has('retainLongFullDates')) return { op: 'keep' };
      if (options.has('retainLongModifiedDates')) return vr === 'TM' ? { op: 'keep' } : { op: 'shift-date' };
      return { op: 'remove' };
  }
  if (TEXT_VRS.has(vr)) return { op: 'scrub' };
  return { op: 'keep' };
}

const CLASS_UID_KEYWORD = /SOPClass|TransferSyntaxUID/;

function operationFor(code: ResolvedAction, el: DicomElement, vr: string, tag: number): Operation {
  const seq = isSequence(el);
  switch (code) {
    case 'X':
      return { op: 'remove' };
    case 'Z':
      if (tag === PATIENT_NAME) return { op: 'pseudonym-name' };
      return { op: 'empty' };
    case 'D':
      if (seq) return { op: 'recurse' };
      if (tag === PATIENT_ID) return { op: 'pseudonym-id' };
      if (tag === PATIENT_NAME) return { op: 'pseudonym-name' };
      if (vr === 'UI') return { op: 'remap-uid' };
      return { op: 'dummy' };
    case 'K':
    case 'KEEP_SEQUENCE_REMAP':
      return seq ? { op: 'recurse' } : { op: 'keep' };
    case 'U':
      return seq ? { op: 'recurse' } : { op: 'remap-uid' };
    case 'C':
      if (seq) return { op: 'recurse' };
      if (vr === 'DA' || vr === 'DT') return { op: 'shift-date' };
      // Times of day carry no date; shifting whole days leaves them valid and intervals intact.
      if (vr === 'TM') return { op: 'keep' };
      if (vr === 'UI') return { op: 'remap-uid' };
      // Overlay and curve bitmaps may show burned-in names and cannot be cleaned without seeing them.
      if (BINARY_BULK.has(vr)) return { op: 'remove' };
      return { op: 'clean' };
  }
}
