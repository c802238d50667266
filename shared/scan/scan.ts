import { latin1 } from '../dicom/charset.js';
import { HEADER_FACT_TAGS, isDicomdir, modality, reportableUID, sopClassUID } from '../dicom/header.js';
import {
  type Dataset,
  type DicomElement,
  type Layout,
  type ParsedDicom,
  UNDEFINED_LENGTH,
} from '../dicom/model.js';
import type { ByteSource } from '../dicom/source.js';
import { formatTag, isGroupLength, isPrivateCreator, type Tag } from '../dicom/tag.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { readNumbers, readText } from '../dicom/values.js';
import { BINARY_SIZE, isStringVR } from '../dicom/vr.js';
import { type ElementContext, effectiveVR, walkScoped } from '../dicom/walk.js';
import { lookup } from '../dictionary/index.js';
import { PRIVATE_ROW, profileRowFor } from '../profile/table.js';
import { type BurnedIn, burnedInOf } from './burned-in.js';
import { CATEGORY_IDS, type CategoryId, categoryOf } from './categories.js';
import { Remembered } from './remembered.js';

/**
 * One attribute Table E.1-1 lists, where it sits in the file. It holds no value, so findings can go into
 * reports and logs as they are.
 */
export interface Finding {
  readonly tag: string;
  /** PS3.6 keyword; empty for private attributes. */
  readonly keyword: string;
  /** The Table E.1-1 row name, e.g. "Patient's Name" or "Private Attributes". */
  readonly name: string;
  readonly category: CategoryId;
  /** Sequence tags and item indexes down to the attribute, e.g. `(0040,0275)[0].(0032,1060)`. */
  readonly path: string;
  readonly vr: string;
  /** Holds a non-blank value, or a sequence with items. Empty attributes are listed but carry nothing. */
  readonly present: boolean;
  readonly privateCreator?: string;
}

export interface FileScan {
  readonly transferSyntax: { readonly uid: string; readonly name: string };
  readonly sopClassUID: string | undefined;
  readonly modality: string | undefined;
  readonly layout: Layout;
  readonly dicomdir: boolean;
  /** How many recoverable oddities the parser noted. */
  readonly warnings: number;
  readonly findings: readonly Finding[];
  /** Present findings per category. */
  readonly counts: Readonly<Record<CategoryId, number>>;
  /** Names of the vendors that reserved private blocks (they name products, not people). */
  readonly privateCreators: readonly string[];
  readonly burnedIn: BurnedIn;
}

/** A scan for the person at the screen: `values[i]` is the decoded value of `findings[i]`. */
export interface FileScanWithValues extends FileScan {
  readonly values: ReadonlyArray<string | undefined>;
}

const MAX_VALUE_CHARS = 200;
/** UN values shorter than this are shown as text when they read as text (private strings in implicit VR). */
const MAX_UN_TEXT_BYTES = 1024;

/** Creator strings go into reports: printable ASCII only, at most an LO's 64 characters. */
const printable = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);

/** Padding alone is an empty value, and so is a name made of separators only (`^^^^`). */
function isBlank(bytes: Uint8Array, from: number, end: number, name: boolean): boolean {
  for (let i = from; i < end; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x00 && !(name && (b === 0x5e || b === 0x3d))) return false;
  }
  return true;
}

function isPresent(source: ByteSource, el: DicomElement, vr: string): boolean {
  if (el.items) return el.items.length > 0;
  if (el.length === UNDEFINED_LENGTH) return true;
  if (el.length === 0) return false;
  if (!isStringVR(vr)) return true;
  // Looked at in the source's window, not copied out: most files have dozens of string values.
  const { bytes, base } = source.window(el.valueStart, el.length);
  const from = el.valueStart - base;
  return !isBlank(bytes, from, from + el.length, vr === 'PN');
}

const truncate = (s: string): string =>
  s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;

function looksLikeText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0 && (b < 0x20 || b >= 0x7f)) return false;
  return true;
}

/** The value as a person would read it; binary values are described, not dumped. */
export function displayValue(source: ByteSource, el: DicomElement, ctx: ElementContext): string {
  if (el.items) return `${el.items.length} item${el.items.length === 1 ? '' : 's'}`;
  if (el.fragments) return `encapsulated, ${el.fragments.length} fragments`;
  if (el.length === UNDEFINED_LENGTH) return 'undefined length';
  const { vr } = ctx;
  if (isStringVR(vr)) return truncate(readText(source, el, vr, ctx.charset));
  if (vr === 'AT') return readNumbers(source, el, vr, ctx.dataset.syntax, 16).map(formatTag).join('\\');
  if (BINARY_SIZE[vr] && !vr.startsWith('O')) {
    return truncate(readNumbers(source, el, vr, ctx.dataset.syntax, 32).join('\\'));
  }
  if (vr === 'UN' && el.length <= MAX_UN_TEXT_BYTES) {
    const bytes = source.read(el.valueStart, el.length);
    if (looksLikeText(bytes)) return truncate(latin1(bytes).replace(/[\0 ]+$/, ''));
  }
  return `${el.length} bytes`;
}

interface Collected {
  readonly findings: Finding[];
  readonly values: Array<string | undefined> | undefined;
  /** Creator as read → as reported. */
  readonly creators: Map<string, string>;
}

function reportedCreator(out: Collected, creator: string): string {
  let shown = out.creators.get(creator);
  if (shown === undefined) {
    shown = printable(creator);
    out.creators.set(creator, shown);
  }
  return shown;
}

/** What a finding says about its tag, whatever the file: worked out once per tag, not once per element. */
interface TagFacts {
  readonly tag: string;
  readonly keyword: string;
  readonly name: string;
  readonly category: CategoryId;
  /**
   * Its findings by where they sit: the same few in every file of a series, so a folder of thousands makes
   * each once, and its report text once (see jsonFileTexts). Findings are never changed, so one can serve
   * many files. Those at the top level outside private blocks, most of them, are looked up without a key.
   */
  readonly topLevel: Finding[];
  /** The others, by path prefix and the creator of their private block. */
  readonly nested: Map<string, Finding[]>;
}

const TAG_FACTS = new Map<Tag, TagFacts | null>();
/** Files repeat a few hundred listed tags; private ones are countless, so the memory stops growing here. */
const MAX_TAG_FACTS = 8192;
/** Findings kept for sharing, over all tags (a few hundred bytes each): past this, each file makes its own. */
const MAX_SHARED_FINDINGS = 16384;
let sharedFindings = 0;

function tagFacts(tag: Tag): TagFacts | null {
  let facts = TAG_FACTS.get(tag);
  if (facts !== undefined) return facts;
  const row = profileRowFor(tag);
  facts = row
    ? {
        tag: formatTag(tag),
        // Exact rows carry the keyword; (50xx,xxxx) stands for many, which the dictionary tells apart.
        keyword: row.keyword ?? (row === PRIVATE_ROW ? '' : (lookup(tag)?.keyword ?? '')),
        name: row.name,
        category: categoryOf(row),
        topLevel: [],
        nested: new Map(),
      }
    : null;
  if (TAG_FACTS.size < MAX_TAG_FACTS) TAG_FACTS.set(tag, facts);
  return facts;
}

function findingOf(
  facts: TagFacts,
  prefix: string,
  vr: string,
  present: boolean,
  privateCreator: string | undefined,
): Finding {
  // A creator's name cannot hold a NUL (reportedCreator shows it as '?'), so the key is unambiguous.
  const where = privateCreator === undefined ? prefix : `${prefix}\0${privateCreator}`;
  const same = where === '' ? facts.topLevel : facts.nested.get(where);
  if (same) for (const f of same) if (f.vr === vr && f.present === present) return f;
  const { tag, keyword, name, category } = facts;
  const path = prefix + tag;
  const finding: Finding =
    privateCreator === undefined
      ? { tag, keyword, name, category, path, vr, present }
      : { tag, keyword, name, category, path, vr, present, privateCreator };
  // A file that gives a tag ever new VRs in one place gets findings of its own past a few.
  if (sharedFindings < MAX_SHARED_FINDINGS && (same?.length ?? 0) < 4) {
    if (same) same.push(finding);
    else facts.nested.set(where, [finding]);
    sharedFindings++;
  }
  return finding;
}

/** The findings of one dataset tree; an element's context is made only for a value that is shown. */
function collect(source: ByteSource, root: Dataset, out: Collected) {
  walkScoped(source, root, (el, scope): undefined => {
    if (isPrivateCreator(el.tag)) {
      const creator = readText(source, el, 'LO', undefined).trim();
      if (creator) reportedCreator(out, creator);
      return;
    }
    const facts = isGroupLength(el.tag) ? null : tagFacts(el.tag);
    if (!facts) return;
    const vr = effectiveVR(el);
    const creator = scope.creatorOf(el.tag);
    const present = isPresent(source, el, vr);
    const shownCreator = creator === undefined ? undefined : reportedCreator(out, creator);
    out.findings.push(findingOf(facts, scope.pathPrefix, vr, present, shownCreator));
    if (out.values) out.values.push(present ? displayValue(source, el, scope.contextOf(el)) : undefined);
  });
}

/** A file's SOP class, modality, whether it is a DICOMDIR, and its transfer syntax UID as reported. */
const HEAD_FACTS = new Remembered<{
  readonly sop: string | undefined;
  readonly mod: string | undefined;
  readonly dicomdir: boolean;
  readonly uid: string;
}>(HEADER_FACT_TAGS);

/**
 * Every attribute the Confidentiality Profile lists, at any depth, with the facts a person needs to judge a
 * file: what it is, how it is encoded, and whether its pixels may show text. Pure: reads only `parsed`.
 */
export function scanParsed(parsed: ParsedDicom): FileScan;
export function scanParsed(parsed: ParsedDicom, options: { withValues: true }): FileScanWithValues;
export function scanParsed(parsed: ParsedDicom, options: { withValues?: boolean } = {}): FileScan {
  const out: Collected = { findings: [], values: options.withValues ? [] : undefined, creators: new Map() };
  collect(parsed.fileSource, { elements: parsed.meta, syntax: EXPLICIT_LE }, out);
  collect(parsed.source, parsed.dataset, out);

  const counts = Object.fromEntries(CATEGORY_IDS.map((id) => [id, 0])) as Record<CategoryId, number>;
  for (const f of out.findings) if (f.present) counts[f.category]++;

  const { sop, mod, dicomdir, uid } = HEAD_FACTS.of(parsed, [parsed.transferSyntax.uid], () => ({
    sop: sopClassUID(parsed),
    mod: modality(parsed),
    dicomdir: isDicomdir(parsed),
    uid: reportableUID(parsed.transferSyntax.uid),
  }));
  const scan: FileScan = {
    transferSyntax: { uid, name: parsed.transferSyntax.name },
    sopClassUID: sop,
    modality: mod,
    layout: parsed.layout,
    dicomdir,
    warnings: parsed.warnings.length,
    findings: out.findings,
    counts,
    privateCreators: [...new Set(out.creators.values())].sort(),
    burnedIn: burnedInOf(parsed, mod, sop),
  };
  if (!out.values) return scan;
  const withValues: FileScanWithValues = { ...scan, values: out.values };
  return withValues;
}
