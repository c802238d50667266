import { BoundedMemo } from '../bounded-memo.js';
import { normaliseCharset } from '../dicom/charset.js';
import { asciiBytes } from '../dicom/encode.js';
import { DicomError } from '../dicom/errors.js';
import { isDicomdir, metaText, modality, reportableUID, sopClassUID, topLevelText } from '../dicom/header.js';
import { type Dataset, type DicomElement, type ParsedDicom, UNDEFINED_LENGTH } from '../dicom/model.js';
import type { ByteSource } from '../dicom/source.js';
import {
  elementOf,
  formatTag,
  groupOf,
  isPrivateCreator,
  isPrivateGroup,
  SPECIFIC_CHARACTER_SET,
  type Tag,
} from '../dicom/tag.js';
import { isUid, valueProblem } from '../dicom/validate.js';
import { readStrings, readText } from '../dicom/values.js';
import {
  creatorOf,
  datasetCharset,
  type ElementContext,
  type ElementPath,
  effectiveVR,
  formatPath,
  privateCreators,
} from '../dicom/walk.js';
import {
  type Chunk,
  type DatasetEdits,
  type ElementEdit,
  type NewElement,
  outputSyntax,
  writeDicom,
} from '../dicom/write.js';
import type { PixelCodecs } from '../pixels/codec.js';
import { pixelStage } from '../pixels/gate.js';
import type { PixelOutcome } from '../pixels/outcome.js';
import type { DetectedRegions } from '../pixels/regions.js';
import type { FrameSpill } from '../pixels/spill.js';
import { pixelRulesFor } from '../pixels/templates.js';
import type { OptionKey } from '../profile/options.js';
import type { Profile } from '../profile/profile.js';
import { safePrivateVR } from '../profile/safe-private.js';
import { PROFILE_EDITION } from '../profile/table.js';
import { type ActionName, type AttributeCounts, countAttribute } from './attribute-counts.js';
import { keywordFor } from './attribute-label.js';
import { cleanText, fitToVR, IdentifierMatcher, REMOVED } from './clean-text.js';
import { patientShiftDays, shiftDA, shiftDT } from './date-shift.js';
import { type Decision, decisionsFor, type ProfileDecisions } from './decide.js';
import { dummyText, dummyValue } from './dummy.js';
import { SkippedInput } from './errors.js';
import { FileIdentifiers, type Identifier, identifierKindOf } from './identifiers.js';
import { type AnonymizationKey, sha256Hex } from './key.js';
import { fileMeta, METHOD_TAGS, type RecordedMethod, recordedMethod } from './method.js';
import { hashValue, type Pseudonym, pseudonymFor } from './pseudonym.js';
import { encodeText } from './text-encode.js';
import { isStandardUid, remapUid } from './uid-remap.js';

export { IMPLEMENTATION_CLASS_UID, TOOL_NAME } from './method.js';

export interface AnonymizeOptions {
  readonly profile: Profile;
  readonly key: AnonymizationKey;
  /** Site crosswalk: original Patient ID → pseudonym. */
  readonly crosswalk?: ReadonlyMap<string, string>;
  readonly toolVersion: string;
  /** Also return what was decided for each element (for the app's inspector). */
  readonly explain?: boolean;
  /** Codecs for cleaning pixels of compressed transfer syntaxes; without one such a file is held. */
  readonly pixelCodecs?: PixelCodecs;
  /** Where re-encoded frames of cleaned compressed pixels wait for the writer; in memory without one. */
  readonly frameSpill?: FrameSpill;
  /** Regions the text detector found in this file's frames, cleaned with the Clean Pixel Data option. */
  readonly detectedRegions?: DetectedRegions;
  /** The detector searched every frame and could decide all it read (see PixelStageOptions). */
  readonly textSearched?: boolean;
}

export { ACTION_NAMES, type ActionName } from './attribute-counts.js';

export interface PlannedAction {
  readonly tag: string;
  readonly keyword: string;
  /** Where the element sits, e.g. `(0040,0275)[0].(0032,1060)`. */
  readonly path: string;
  readonly action: ActionName;
  readonly source: Decision['source'];
  readonly code?: string;
  /** The new value for the inspector (never written to a log or report). */
  readonly preview?: string;
}

/** PHI-free summary of one output. */
export interface FileReport {
  readonly sopClassUID: string;
  readonly transferSyntaxUID: string;
  readonly modality: string;
  readonly profileName: string;
  readonly profileEdition: string;
  readonly options: readonly OptionKey[];
  readonly actionCounts: Readonly<Record<ActionName, number>>;
  /**
   * Per tag, what happened how often, as counted (see byAttribute). The report names each tag by its label
   * (`attributeLabel`), rendered once for the report rather than kept per file.
   */
  readonly attributes: AttributeCounts;
  readonly datesShifted: boolean;
  readonly warnings: readonly string[];
}

/** The de-identified identity of the output: safe to use for file names. */
export interface OutputIdentity {
  readonly patientId: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
}

/** Original → new values: PHI, for the on-site audit and crosswalk only. */
export interface PrivateMapping {
  readonly patientId: readonly [string, string];
  readonly uids: ReadonlyArray<readonly [string, string]>;
}

export interface AnonymizeResult {
  readonly chunks: Chunk[];
  readonly report: FileReport;
  readonly identity: OutputIdentity;
  readonly mapping: PrivateMapping;
  /** Identifying values the profile removed or replaced: what the residual check looks for. In memory only. */
  readonly removedIdentifiers: readonly Identifier[];
  /** Whether the pixels may still show identity: a held file must not be written to the output. */
  readonly pixels: PixelOutcome;
  readonly actions?: readonly PlannedAction[];
}

const PATIENT_NAME = 0x00100010;
const PATIENT_ID = 0x00100020;
const STUDY_INSTANCE_UID = 0x0020000d;
const SERIES_INSTANCE_UID = 0x0020000e;
const SOP_INSTANCE_UID = 0x00080018;
const SOP_CLASS_UID = 0x00080016;
const MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;

// Edits are only read: every removal shares one, rather than an object per removed element.
const REMOVAL: ElementEdit = { kind: 'remove' };

// An emptied value's edit, one per VR: a file empties a dozen values, and each zero-length array cost more
// than the rest of its edit.
const emptied = new Map<string, ElementEdit>();
function emptiedValue(vr: string): ElementEdit {
  let edit = emptied.get(vr);
  if (!edit) {
    edit = { kind: 'value', vr, value: new Uint8Array(0) };
    emptied.set(vr, edit);
  }
  return edit;
}

/**
 * De-identifies one parsed file. Pure: the same input, profile and key always give the same bytes.
 */
export function anonymize(parsed: ParsedDicom, opts: AnonymizeOptions): AnonymizeResult {
  if (isDicomdir(parsed)) {
    // Its records repeat every patient's name and ID and its file IDs are often patient IDs: never copied.
    throw new SkippedInput(
      'dicomdir',
      'a DICOMDIR indexes other files and repeats their identities; it is not copied',
    );
  }
  return new Run(parsed, opts).result();
}

class Run {
  private readonly options: ReadonlySet<OptionKey>;
  private readonly decisions: ProfileDecisions;
  private readonly source;
  private readonly topCharset: string | undefined;
  private readonly pseudonym: Pseudonym;
  private readonly originalPatientId: string;
  private readonly shiftDays: number;
  private textMatcher: IdentifierMatcher | undefined;
  private readonly keptByOption: string[] = [];
  /** Lower-cased identifier text → kind, to choose what a match in free text becomes. */
  private identifierKinds: Map<string, Identifier['kind']> | undefined;
  private readonly uidMap = new Map<string, string>();
  private readonly identifiers: FileIdentifiers;
  /** The identifiers removed or replaced, each once (one object per kind and text). */
  private readonly removed = new Set<Identifier>();
  private readonly counts: Record<ActionName, number> = {
    removed: 0,
    emptied: 0,
    dummy: 0,
    replaced: 0,
    pseudonymized: 0,
    'uid-remapped': 0,
    'date-shifted': 0,
    cleaned: 0,
    hashed: 0,
    kept: 0,
  };
  /** Per tag: what happened how often. */
  private readonly attributes: number[] = [];
  private readonly actions: PlannedAction[] = [];
  private readonly warnings: string[] = [];
  private datesShifted = false;
  /**
   * The edits of every dataset at every depth, keyed by element start: one map for the file rather than
   * one per item, which a file of a million items could not afford.
   */
  private readonly edits = new Map<number, ElementEdit>();
  private readonly allEdits: DatasetEdits = { elements: this.edits };
  private readonly textEdits = new BoundedMemo<ElementEdit>();

  constructor(
    private readonly parsed: ParsedDicom,
    private readonly opts: AnonymizeOptions,
  ) {
    this.options = new Set(opts.profile.options);
    this.decisions = decisionsFor(opts.profile);
    this.source = parsed.source;
    this.topCharset = datasetCharset(parsed.source, parsed.dataset, undefined);
    this.originalPatientId = topLevelText(parsed, PATIENT_ID, this.topCharset);
    // Pseudonym and date shift follow the patient: their ID, else their name, else the study, so that
    // patients without an ID do not all become one.
    const patientKey =
      this.originalPatientId ||
      topLevelText(parsed, PATIENT_NAME, this.topCharset) ||
      topLevelText(parsed, STUDY_INSTANCE_UID) ||
      '';
    this.pseudonym = pseudonymFor(opts.key, patientKey, opts.crosswalk);
    // Computed whatever the options: a custom shiftDate rule needs it even without Modified Dates.
    this.shiftDays = patientShiftDays(opts.key, patientKey, opts.profile.dateShift);
    this.identifiers = new FileIdentifiers(parsed);
  }

  private readonly replaceIdentifier = (match: string): string =>
    this.kindOfMatch(match) === 'uid' && !this.options.has('retainUIDs') ? this.remap(match) : REMOVED;

  /** The file's identifiers as Clean looks for them in text: made for the first text cleaned. */
  private get matcher(): IdentifierMatcher {
    this.textMatcher ??= new IdentifierMatcher(this.identifiers.all);
    return this.textMatcher;
  }

  /** Made on the first identifier found in free text: most files have none there. */
  private kindOfMatch(match: string): Identifier['kind'] | undefined {
    if (!this.identifierKinds) {
      this.identifierKinds = new Map();
      for (const i of this.identifiers.all) this.identifierKinds.set(i.text.toLowerCase(), i.kind);
    }
    return this.identifierKinds.get(match.toLowerCase());
  }

  result(): AnonymizeResult {
    this.dataset(this.parsed.dataset, [], undefined, true);
    const identity = this.identity();
    const pixels = pixelStage(this.parsed, {
      cleanPixelData: this.options.has('cleanPixelData'),
      rules: pixelRulesFor(this.opts.profile),
      detectedRegions: this.opts.detectedRegions,
      textSearched: this.opts.textSearched,
      codecs: this.opts.pixelCodecs,
      spill: this.opts.frameSpill,
    });
    const method = recordedMethod(
      this.opts.profile,
      pixels.outcome.status === 'cleaned',
      this.opts.toolVersion,
    );
    // An instance without a (valid) UID of its own gets the one its file meta will carry, in both places.
    const sop = this.parsed.dataset.elements.find((e) => e.tag === SOP_INSTANCE_UID);
    const ownUid =
      sop && this.edits.get(sop.start)?.kind !== 'remove'
        ? []
        : [{ tag: SOP_INSTANCE_UID, vr: 'UI', value: asciiBytes(identity.sopInstanceUID) }];
    const sopClass = this.sopClass();
    // Into the one edit map of the file: a copy of it would cost a million-item file its size again.
    for (const [start, edit] of pixels.edits) this.edits.set(start, edit);
    const topEdits: DatasetEdits = {
      elements: this.edits,
      insert: [...method.elements, ...pixels.insert, ...ownUid, ...sopClass],
    };
    const encoding = outputSyntax(this.parsed);
    const meta = fileMeta(this.parsed, identity.sopInstanceUID, encoding.uid, this.opts.toolVersion);
    const chunks = writeDicom(this.parsed, topEdits, {
      meta,
      repair: true,
      ...(encoding.reencode ? { syntax: encoding.reencode } : {}),
    });
    if (this.parsed.trailingStart !== undefined)
      this.warnings.push('bytes after the last element were dropped');
    if (pixels.outcome.lossyReencoded)
      this.warnings.push(
        `${pixels.outcome.lossyReencoded} cleaned frames were re-encoded in a transfer syntax that allows loss, at the original's coding parameters`,
      );
    return {
      chunks,
      report: {
        sopClassUID: sopClassUID(this.parsed) ?? '',
        transferSyntaxUID: reportableUID(encoding.uid),
        modality: modality(this.parsed) ?? '',
        profileName: this.opts.profile.name,
        profileEdition: PROFILE_EDITION,
        options: [...this.opts.profile.options],
        actionCounts: this.counts,
        attributes: this.attributes,
        datesShifted: this.datesShifted,
        warnings: [...this.warnings, ...this.parsed.warnings.slice(0, 20)],
      },
      identity,
      mapping: { patientId: [this.originalPatientId, this.pseudonym.patientId], uids: [...this.uidMap] },
      removedIdentifiers: this.residualTargets(method),
      pixels: pixels.outcome,
      ...(this.opts.explain ? { actions: this.actions } : {}),
    };
  }

  /**
   * SOP Class UID is Type 1 and the file meta repeats it: when the dataset's is missing or not a valid UID
   * (and so removed), the meta's valid one is written into the dataset as well. When a class was given but
   * neither is valid, the output could not say what it is, and the file fails; a file that names no class
   * anywhere (test objects, query datasets) goes on as it came. Returns the element to insert when there
   * is none to replace.
   */
  private sopClass(): NewElement[] {
    const el = this.parsed.dataset.elements.find((e) => e.tag === SOP_CLASS_UID);
    const inDataset = topLevelText(this.parsed, SOP_CLASS_UID);
    if (el && this.edits.get(el.start)?.kind !== 'remove' && isUid(inDataset)) return [];
    const fromMeta = metaText(this.parsed, MEDIA_STORAGE_SOP_CLASS_UID);
    if (!isUid(fromMeta)) {
      if (!inDataset && !fromMeta) return [];
      throw new DicomError(
        'malformed',
        'neither the dataset (0008,0016) nor the file meta (0002,0002) holds a valid SOP Class UID',
      );
    }
    const value = asciiBytes(fromMeta);
    this.count(SOP_CLASS_UID, 'replaced');
    this.warnOnce(
      `(0008,0016) ${el ? 'was not a valid UID' : 'was missing'}; the file meta's (0002,0002) was written in its place`,
    );
    if (!el) return [{ tag: SOP_CLASS_UID, vr: 'UI', value }];
    // Counted once, as what it became.
    this.count(SOP_CLASS_UID, this.edits.has(el.start) ? 'removed' : 'kept', -1);
    this.edits.set(el.start, { kind: 'value', vr: 'UI', value });
    return [];
  }

  private ownUid(tag: Tag): string | undefined {
    const identity = this.identity();
    if (tag === SOP_INSTANCE_UID) return identity.sopInstanceUID;
    if (tag === STUDY_INSTANCE_UID) return identity.studyInstanceUID;
    if (tag === SERIES_INSTANCE_UID) return identity.seriesInstanceUID;
    return undefined;
  }

  /**
   * What the residual check must not find: the identifiers this run removed, less those an option keeps
   * elsewhere on purpose and those equal to what the engine itself writes (a birth date of 19000101 is
   * also our dummy date; a name part may be part of the pseudonym).
   */
  private residualTargets(method: RecordedMethod): Identifier[] {
    const pseudonym = [this.pseudonym.patientId.toLowerCase(), this.pseudonym.patientName.toLowerCase()];
    return [...this.removed].filter((i) => {
      const t = i.text.toLowerCase();
      return (
        !this.keptByOption.some((k) => k.includes(t)) &&
        !pseudonym.some((w) => w.includes(t)) &&
        !method.writtenTexts.some((w) => w.includes(t))
      );
    });
  }

  private identity(): OutputIdentity {
    const uid = (tag: Tag, fallbackSeed: () => string) => {
      const original = topLevelText(this.parsed, tag);
      // Only a valid UID is retained: a damaged one is no more copied here than anywhere else.
      if (this.options.has('retainUIDs') && isUid(original)) return original;
      return this.remap(original || `${fallbackSeed()}:${this.originalPatientId}`);
    };
    const study = uid(STUDY_INSTANCE_UID, () => 'study');
    const series = uid(SERIES_INSTANCE_UID, () => `series:${study}`);
    // Instances without a UID of their own are told apart by their content, so two of them in one
    // series are two outputs, not one "duplicate"; the same file still gets the same UID every run.
    // Hashed only then: the engine's SHA-256 is plain JavaScript, and most files carry their UID.
    const content = this.parsed.source;
    const fingerprint = () => sha256Hex(content.read(0, Math.min(content.size, 64 * 1024)));
    return {
      patientId: this.pseudonym.patientId,
      studyInstanceUID: study,
      seriesInstanceUID: series,
      sopInstanceUID: uid(SOP_INSTANCE_UID, () => `instance:${series}:${content.size}:${fingerprint()}`),
    };
  }

  private remap(uid: string): string {
    const original = uid.trim();
    let mapped = this.uidMap.get(original);
    if (!mapped) {
      mapped = remapUid(this.opts.key, original);
      this.uidMap.set(original, mapped);
    }
    return mapped;
  }

  /**
   * Edits for one dataset; undefined when nothing in it changes. `inDummySequence`: inside a sequence the table says D for (Institution Code Sequence, Content
   * Sequence...), free text the table does not govern, such as Code Meaning, becomes a dummy too: it
   * describes what the sequence identifies.
   */
  private dataset(
    ds: Dataset,
    path: ElementPath,
    inherited: string | undefined,
    top: boolean,
    inDummySequence = false,
  ): DatasetEdits | undefined {
    const source = this.source;
    const creators = privateCreators(source, ds);
    // One context for the dataset, its VR and creator set per element: nothing keeps it past its element.
    const shared: { -readonly [K in keyof ElementContext]: ElementContext[K] } = {
      path,
      charset: datasetCharset(source, ds, inherited),
      vr: '',
      privateCreator: undefined,
      dataset: ds,
    };
    const edits = this.edits;
    const editsBefore = edits.size;
    const keptBlocks = new Set<number>();
    const creatorElements: DicomElement[] = [];
    for (const el of ds.elements) {
      if (top && METHOD_TAGS.has(el.tag)) {
        edits.set(el.start, REMOVAL);
        continue;
      }
      if (isPrivateCreator(el.tag)) {
        creatorElements.push(el);
        continue;
      }
      shared.vr = effectiveVR(el);
      shared.privateCreator = creatorOf(creators, el.tag);
      const ctx = withSafePrivateVR(shared, el);
      let decision = this.decisions.of(el, ctx);
      if (inDummySequence && decision.operation.op === 'scrub')
        decision = { ...decision, operation: { op: 'dummy' } };
      const edit = this.apply(el, ctx, decision, inDummySequence);
      if (edit) edits.set(el.start, edit);
      if (isPrivateGroup(groupOf(el.tag)) && edit?.kind !== 'remove' && elementOf(el.tag) >= 0x1000) {
        keptBlocks.add((groupOf(el.tag) << 8) | (elementOf(el.tag) >>> 8));
      }
    }
    // A private creator stays only while some element of its block stays.
    for (const el of creatorElements) {
      if (!keptBlocks.has((groupOf(el.tag) << 8) | elementOf(el.tag))) edits.set(el.start, REMOVAL);
    }
    return edits.size > editsBefore ? this.allEdits : undefined;
  }

  /**
   * The edit writing `text`: one object for every element given the same text, as the items of a long
   * sequence are (the same remapped reference, the same dummy), instead of one each.
   */
  private textEdit(text: string, vr: string, charset: string | undefined): ElementEdit {
    const ascii = vr === 'UI' || /^[\x00-\x7e]*$/.test(text);
    const key = `${vr}\u0000${ascii ? '' : (charset ?? '')}\u0000${text}`;
    return (
      this.textEdits.known(key) ??
      this.textEdits.remember(key, {
        kind: 'value',
        vr,
        value: ascii ? asciiBytes(text) : encodeText(text, charset),
      })
    );
  }

  /** The edit writing `text` into the element, counted as `action`. */
  private setText(
    el: DicomElement,
    ctx: ElementContext,
    decision: Decision,
    text: string,
    action: ActionName,
  ): ElementEdit {
    this.tally(el, ctx, decision, action, text);
    return this.textEdit(text, ctx.vr, ctx.charset);
  }

  /** One warning per tag and problem, however many items repeat it. */
  private warnOnce(message: string) {
    if (!this.warnings.includes(message) && this.warnings.length < 100) this.warnings.push(message);
  }

  private count(tag: Tag, action: ActionName, by = 1) {
    this.counts[action] += by;
    countAttribute(this.attributes, tag, action, by);
  }

  private tally(
    el: DicomElement,
    ctx: ElementContext,
    decision: Decision,
    action: ActionName,
    preview?: string,
  ) {
    this.count(el.tag, action);
    if (this.opts.explain) {
      this.actions.push({
        tag: formatTag(el.tag),
        keyword: keywordFor(el.tag),
        path: formatPath(ctx.path, el.tag),
        action,
        source: decision.source,
        ...(decision.code ? { code: decision.code } : {}),
        ...(preview !== undefined ? { preview } : {}),
      });
    }
  }

  /** Remembers an identifying value this run takes away, so the residual check can look for it. */
  private noteRemoved(el: DicomElement, ctx: ElementContext) {
    if (el.items || isPrivateGroup(groupOf(el.tag))) return;
    const kind = identifierKindOf(el.tag, ctx.vr);
    if (!kind) return;
    const held =
      this.identifiers.ofTopLevel(el) ??
      this.identifiers.of(kind, readText(this.source, el, ctx.vr, ctx.charset));
    for (const identifier of held) this.removed.add(identifier);
  }

  private apply(
    el: DicomElement,
    ctx: ElementContext,
    decision: Decision,
    inDummySequence = false,
  ): ElementEdit | undefined {
    const op = decision.operation;
    const vr = ctx.vr;
    const syntax = ctx.dataset.syntax;

    // A value the engine could not read, or one its VR does not allow (a wrong length swallows the
    // elements after it), is never copied: whatever bytes it holds were never seen as what they are.
    if (op.op !== 'remove' && (el.damaged || op.op === 'keep' || op.op === 'scrub' || op.op === 'clean')) {
      const problem = valueProblem(this.source, el, ctx);
      // A misspelt character set (`ISO-IR 100`) is read by its usual meaning; the kept text needs it.
      const charset =
        el.tag === SPECIFIC_CHARACTER_SET && problem ? standardCharset(this.source, el) : undefined;
      if (charset) return this.setText(el, ctx, decision, charset, 'replaced');
      if (problem) {
        this.warnOnce(`${formatTag(el.tag)} was removed: ${problem}`);
        return this.apply(el, ctx, { ...decision, operation: { op: 'remove' } }, inDummySequence);
      }
    }

    if (op.op !== 'keep' && op.op !== 'recurse' && op.op !== 'scrub') this.noteRemoved(el, ctx);

    switch (op.op) {
      case 'keep':
        this.tally(el, ctx, decision, 'kept');
        // What an option retains on purpose (Institution Name, real dates) is no leak where it appears.
        if (decision.source === 'table' && decision.code === 'K' && !el.items) {
          const text = readText(this.source, el, vr, ctx.charset);
          if (text) this.keptByOption.push(text.toLowerCase());
        }
        return undefined;
      case 'recurse': {
        this.tally(el, ctx, decision, 'kept');
        const items = el.items ?? [];
        const itemEdits = items.map((item, i) =>
          this.dataset(
            item,
            [...ctx.path, { tag: el.tag, item: i }],
            ctx.charset,
            false,
            inDummySequence || decision.code === 'D',
          ),
        );
        return itemEdits.some((e) => e !== undefined) ? { kind: 'items', items: itemEdits } : undefined;
      }
      case 'remove':
        this.tally(el, ctx, decision, 'removed');
        return REMOVAL;
      case 'empty':
        this.tally(el, ctx, decision, 'emptied', '');
        if (el.items)
          return el.items.length > 0 ? { kind: 'items', items: el.items.map(() => null) } : undefined;
        return el.length === 0 ? undefined : emptiedValue(vr);
      case 'dummy': {
        if (el.items)
          return this.apply(el, ctx, { ...decision, operation: { op: 'recurse' } }, inDummySequence);
        const value = dummyValue(vr, syntax);
        this.tally(el, ctx, decision, 'dummy', dummyText(vr));
        return { kind: 'value', vr, value };
      }
      case 'replace':
        return this.setText(el, ctx, decision, op.text, 'replaced');
      case 'pseudonym-id':
        return this.setText(el, ctx, decision, this.pseudonym.patientId, 'pseudonymized');
      case 'pseudonym-name':
        return this.setText(el, ctx, decision, this.pseudonym.patientName, 'pseudonymized');
      case 'hash':
        return this.setText(
          el,
          ctx,
          decision,
          hashValue(this.opts.key, readText(this.source, el, vr, ctx.charset)),
          'hashed',
        );
      case 'remap-uid': {
        if (vr !== 'UI')
          return this.apply(el, ctx, { ...decision, operation: { op: 'dummy' } }, inDummySequence);
        const values = readStrings(this.source, el, vr, undefined);
        if (values.length === 0) {
          // An empty top-level instance UID gets the one the file meta will carry, so the two agree.
          const own = ctx.path.length === 0 ? this.ownUid(el.tag) : undefined;
          if (own) return this.setText(el, ctx, decision, own, 'uid-remapped');
          return this.apply(el, ctx, { ...decision, operation: { op: 'keep' } }, inDummySequence);
        }
        // Standard UIDs (SOP classes, coding schemes) name no one and must stay resolvable.
        return this.setText(
          el,
          ctx,
          decision,
          values.map((u) => (isStandardUid(u) ? u : this.remap(u))).join('\\'),
          'uid-remapped',
        );
      }
      case 'shift-date': {
        const text = readText(this.source, el, vr, undefined);
        if (text === '')
          return this.apply(el, ctx, { ...decision, operation: { op: 'keep' } }, inDummySequence);
        const days = this.shiftDays;
        const shift = vr === 'DA' ? shiftDA : vr === 'DT' ? shiftDT : undefined;
        // Multi-valued dates (Date of Last Calibration...) move value by value.
        const parts = shift ? text.split('\\').map((v) => shift(v, days)) : [undefined];
        const shifted = parts.every((p) => p !== undefined) ? parts.join('\\') : undefined;
        if (shifted === undefined) {
          // Not a date we can move: the original must not survive.
          this.warnings.push(`${formatTag(el.tag)} holds a value that is not a valid ${vr}; emptied`);
          return this.apply(el, ctx, { ...decision, operation: { op: 'empty' } }, inDummySequence);
        }
        this.datesShifted = true;
        return this.setText(el, ctx, decision, shifted, 'date-shifted');
      }
      case 'clean':
      case 'scrub': {
        if (el.items || el.length === UNDEFINED_LENGTH)
          return this.apply(el, ctx, { ...decision, operation: { op: 'recurse' } }, inDummySequence);
        const text = readText(this.source, el, vr, ctx.charset);
        const cleaned = cleanText(text, this.matcher, this.replaceIdentifier, FREE_TEXT_VRS.has(vr));
        if (cleaned === text) {
          this.tally(el, ctx, decision, op.op === 'clean' ? 'cleaned' : 'kept', text);
          return undefined;
        }
        return this.setText(el, ctx, decision, fitToVR(cleaned, vr), 'cleaned');
      }
    }
  }
}

/** The character set term as the standard spells it, when normalising makes a valid CS of it. */
function standardCharset(source: ByteSource, el: DicomElement): string | undefined {
  const spelt = normaliseCharset(readText(source, el, 'CS', undefined));
  return spelt?.split('\\').every((t) => /^[A-Z0-9 _]{0,16}$/.test(t)) ? spelt : undefined;
}

// Where people write dates in prose; short strings (SH, CS, AE) are codes, whose digits are not dates.
const FREE_TEXT_VRS = new Set(['LO', 'ST', 'LT', 'UT', 'UC']);

/** Implicit VR files say nothing of private VRs: for a safe private attribute, the table's VR is used. */
function withSafePrivateVR(ctx: ElementContext, el: DicomElement): ElementContext {
  if (ctx.vr !== 'UN' || !ctx.privateCreator || !isPrivateGroup(groupOf(el.tag))) return ctx;
  const vr = safePrivateVR(ctx.privateCreator, groupOf(el.tag), el.tag & 0xff);
  return vr ? { ...ctx, vr } : ctx;
}
