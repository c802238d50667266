/**
 * The app's IPC contract: every channel the renderer may call, with the zod schema main validates its
 * argument with and the type of its answer, and every event main pushes. Preload, main, the e2e harness
 * and the renderer all take their names and types from here, so the contract has one definition.
 */

import { z } from 'zod';
import type { ActionName } from '../anonymize/index.js';
import type { MappingKind } from '../crosswalk-kinds.js';
import type { PixelStatus } from '../pixels/outcome.js';
import type { Rect } from '../pixels/regions.js';
import type { TextClass } from '../pixels/text-identity.js';
import {
  ALL_OPTIONS,
  type OptionKey,
  PRESET_NAMES,
  type PresetName,
  RULE_ACTIONS,
} from '../profile/index.js';
import { PACS_REQUESTS, type PacsEvents, type PacsResponses } from './pacs-contract.js';

const none = z.strictObject({});
const fileId = z.int().nonnegative();
/** The files a run takes, as the list's checkboxes chose them; absent: every file in the list. */
const subset = z.array(fileId).max(1_000_000).optional();
// Paths come from the renderer only after a drop; the cap keeps a hostile renderer from sending megabytes.
const path = z.string().min(1).max(4096);

/** A profile as the profile editor holds it: the JSON form of a profile file (shared/profile). */
export const profileDraftSchema = z.strictObject({
  version: z.literal(1).optional(),
  name: z.string().max(200),
  base: z.enum(PRESET_NAMES),
  options: z.array(z.enum(ALL_OPTIONS)).max(ALL_OPTIONS.length),
  withoutOptions: z.array(z.enum(ALL_OPTIONS)).max(ALL_OPTIONS.length).optional(),
  dateShift: z.strictObject({ minDays: z.number(), maxDays: z.number() }),
  rules: z
    .array(
      z.strictObject({
        tag: z.string().max(40).optional(),
        keyword: z.string().max(100).optional(),
        private: z
          .strictObject({ creator: z.string().max(64), group: z.string().max(8), element: z.string().max(8) })
          .optional(),
        action: z.enum(RULE_ACTIONS),
        value: z.string().max(1024).optional(),
      }),
    )
    .max(1000),
  // Checked field by field, with located messages, by the profile file schema in main.
  pixelRules: z.array(z.record(z.string(), z.unknown())).max(10_000).optional(),
  technicalText: z
    .record(z.string().max(16), z.record(z.string().max(16), z.array(z.string().max(200)).max(1000)))
    .refine((lists) => Object.keys(lists).length <= 100)
    .optional(),
});
export type ProfileDraft = z.infer<typeof profileDraftSchema>;

/** A rectangle of image pixels; the cap keeps a hostile renderer from sending absurd geometry. */
const rectSchema = z.strictObject({
  x: z.int().nonnegative().max(65535),
  y: z.int().nonnegative().max(65535),
  width: z.int().positive().max(65535),
  height: z.int().positive().max(65535),
});
/** Boxes a person may draw on one file or series; far more than any screen layout needs. */
export const MAX_DRAWN_REGIONS = 64;

/** Detected text regions a person may turn off in one file: every line of a crowded screen, and more. */
export const MAX_KEPT_REGIONS = 512;

export const REGION_SCOPES = ['file', 'series', 'device'] as const;
export type RegionScope = (typeof REGION_SCOPES)[number];

/** A region rule drawn in the app (shared/pixels/regions.ts RegionRule), as settings keep it. */
const drawnRuleSchema = z.strictObject({
  label: z.string().max(200).optional(),
  match: z.strictObject({
    sopInstanceUID: z.string().max(64).optional(),
    seriesInstanceUID: z.string().max(64).optional(),
    manufacturer: z.string().max(64).optional(),
    modelName: z.string().max(64).optional(),
    rows: z.int().positive().optional(),
    columns: z.int().positive().optional(),
  }),
  regions: z.array(rectSchema).max(MAX_DRAWN_REGIONS).readonly(),
  accept: z.boolean().optional(),
  keep: z.array(rectSchema).max(MAX_KEPT_REGIONS).readonly().optional(),
  reviewed: z.boolean().optional(),
});

/** What the app remembers between sessions, in settings.json in the user-data folder. */
export const settingsSchema = z.object({
  profile: profileDraftSchema.optional(),
  keyPath: z.string().optional(),
  lastInputFolder: z.string().optional(),
  outputFolder: z.string().optional(),
  verify: z.boolean().default(true),
  /** Boxes drawn and acceptances given at the screen; they join the profile's pixel rules for every run. */
  pixelRules: z.array(drawnRuleSchema).max(10_000).default([]),
});
export type Settings = z.infer<typeof settingsSchema>;

export const reportFormat = z.enum(['csv', 'json']);
export type ReportFormat = z.infer<typeof reportFormat>;

/** Argument schemas, keyed by channel name. */
export const REQUESTS = {
  'settings:get': none,
  'inputs:add': z.strictObject({ paths: z.array(path).min(1).max(10_000) }),
  'inputs:pick': z.strictObject({ kind: z.enum(['files', 'folder']) }),
  'inputs:samples': none,
  'inputs:clear': none,
  'inputs:remove': z.strictObject({ ids: z.array(fileId).min(1).max(1_000_000) }),
  'file:inspect': z.strictObject({ id: fileId }),
  'file:image': z.strictObject({
    id: fileId,
    frame: z.int().nonnegative().max(100_000),
    /** The frame of the de-identified copy the run would write, made in memory, rather than the original's. */
    deidentified: z.boolean().optional(),
  }),
  'file:compare': z.strictObject({ id: fileId }),
  'file:regions': z.strictObject({
    id: fileId,
    scope: z.enum(REGION_SCOPES),
    regions: z.array(rectSchema).max(MAX_DRAWN_REGIONS),
    accept: z.boolean(),
  }),
  'file:pixels': z.strictObject({ id: fileId }),
  'file:review': z.strictObject({
    id: fileId,
    keep: z.array(rectSchema).max(MAX_KEPT_REGIONS),
    reviewed: z.boolean(),
  }),
  'profile:get': none,
  'profile:set': z.strictObject({ draft: profileDraftSchema }),
  'profile:open': none,
  'profile:save': z.strictObject({ format: z.enum(['json', 'yaml']) }),
  'key:get': none,
  'key:create': none,
  'key:import': none,
  'key:export': none,
  'output:choose': none,
  'run:plan': z.strictObject({ ids: subset }),
  'pixels:checkAll': z.strictObject({ ids: subset }),
  'pixels:cancel': none,
  'batch:start': z.strictObject({ verify: z.boolean(), ids: subset }),
  'batch:cancel': none,
  'batch:showOutput': none,
  'report:open': none,
  'report:export': z.strictObject({ format: reportFormat }),
  'audit:export': none,
  'project:last': none,
  'project:lookup': z.strictObject({ folder: path, query: z.string().min(1).max(256) }),
  'project:create': z.strictObject({ name: z.string().min(1).max(64) }),
  'project:open': none,
  ...PACS_REQUESTS,
} as const;

export type Channel = keyof typeof REQUESTS;
export type Request<C extends Channel> = z.infer<(typeof REQUESTS)[C]>;
export const CHANNELS = Object.keys(REQUESTS) as Channel[];
export const isChannel = (name: string): name is Channel => Object.hasOwn(REQUESTS, name);

export type FileStatus =
  | 'waiting'
  | 'scanned'
  | 'not-dicom'
  | 'unreadable'
  | 'written'
  | 'skipped'
  | 'failed'
  | 'held';

/** One input file as the file list shows it. Values stay in the app: no export contains a row. */
export interface FileRow {
  readonly id: number;
  /** The file's name, without its folder. */
  readonly name: string;
  /** Labels and keys the list groups by; the keys keep apart studies and series that share a label. */
  readonly patient: string;
  readonly study: string;
  readonly studyKey: string;
  readonly series: string;
  readonly seriesKey: string;
  /** The study date as DICOM writes it (YYYYMMDD), or empty. */
  readonly date: string;
  readonly modality: string;
  /** Number of identifying attributes found; null until scanned or when the file is not DICOM. */
  readonly phiCount: number | null;
  readonly burnedIn: BurnedInRisk;
  readonly status: FileStatus;
  /** Why the file was not read, skipped or failed; names tags and offsets, never values. */
  readonly reason?: string;
  /** What the last pixel check of this file found (the inspector or "Check image text now" made it). */
  readonly pixels?: RowPixels;
  /**
   * A digest of the SOP Instance UID: rows that share it are one instance added more than once (the run
   * writes it once). Absent when the file was not read or has no instance UID.
   */
  readonly instanceKey?: string;
}

export interface RowPixels {
  readonly status: PixelStatus;
  /** The detector read text that is not technical (identity or undecided). */
  readonly textFound: boolean;
  /** The person marked the file reviewed. */
  readonly reviewed: boolean;
}

export type BurnedInRisk = 'none' | 'possible' | 'likely';

export interface Finding {
  readonly tag: string;
  readonly keyword: string;
  /** Where the attribute sits, e.g. `ReferencedStudySequence[0] >`; empty at the top level. */
  readonly path: string;
  readonly value: string;
  /** What the current profile does to it; null when the file will not be copied at all. */
  readonly action: ActionName | null;
  readonly preview?: string;
}

export interface FindingGroup {
  readonly category: string;
  readonly label: string;
  readonly findings: ReadonlyArray<Finding>;
}

export interface HeaderLine {
  readonly tag: string;
  readonly keyword: string;
  readonly vr: string;
  readonly depth: number;
  readonly value: string;
}

export interface ImageInfo {
  readonly frames: number;
  readonly rows: number;
  readonly columns: number;
  readonly transferSyntax: string;
  /** Why the pixels cannot be shown here, when they cannot. */
  readonly unsupported?: string;
}

/** A region rule that applies to the inspected file, as the image view and the inspector show it. */
export interface AppliedRegions {
  readonly scope: RegionScope | 'profile';
  /** Where the rule comes from, in plain words ("drawn on this series", a template's label). */
  readonly label: string;
  readonly regions: ReadonlyArray<Rect>;
  /** "I have looked: send as is": the pixels leave untouched. */
  readonly accept: boolean;
  /** Detected text the person turned off in this file: left as it is. */
  readonly keep?: ReadonlyArray<Rect>;
  /** The person reviewed this file's detected text: what the detector could not decide is theirs. */
  readonly reviewed?: boolean;
}

/** A piece of text the detector read in a file's pixels. */
export interface DetectedText {
  readonly frame: number;
  readonly box: Rect;
  readonly cls: TextClass;
  /** What was read: shown to the person at the screen only, never logged, reported or put in an error. */
  readonly text: string;
  /** The person turned this region off: it is left as it is. */
  readonly kept: boolean;
}

/** What the batch will do with a file's pixels, found by the same pixel pass the batch runs. */
export interface PixelCheck {
  readonly id: number;
  readonly status: PixelStatus;
  /** Why it is held or accepted, and what the person decided: counts and attributes, never a value. */
  readonly reason?: string;
  readonly regionsCleaned: number;
  /** The detector read the frames (Clean Pixel Data on, the image at risk, no rule accepting it). */
  readonly searched: boolean;
  readonly texts: ReadonlyArray<DetectedText>;
}

export interface Inspection {
  readonly id: number;
  readonly name: string;
  readonly groups: ReadonlyArray<FindingGroup>;
  readonly burnedIn: { readonly risk: BurnedInRisk; readonly reasons: ReadonlyArray<string> };
  readonly header: ReadonlyArray<HeaderLine>;
  readonly image: ImageInfo | null;
  /** The drawn boxes, templates and acceptances that apply to this file, most specific first. */
  readonly pixelRules: ReadonlyArray<AppliedRegions>;
  /** What the device-template button would match on, when the header names a device. */
  readonly device: string | null;
  /** Why no actions are planned, when the file will not be de-identified at all (a DICOMDIR). */
  readonly actionsUnavailable?: string;
}

/** One attribute the de-identified copy has otherwise than the original. Values for the screen only. */
export interface HeaderChange {
  readonly tag: string;
  readonly keyword: string;
  /** The sequences above it, as the inspector writes them (`OtherPatientIDsSequence #1 ›`); empty at the top. */
  readonly path: string;
  readonly change: 'changed' | 'removed' | 'added';
  /** Absent when added. */
  readonly before?: string;
  /** Absent when removed. */
  readonly after?: string;
  /** The whole value when the display above was cut short (ending in an ellipsis): for hover and focus. */
  readonly beforeFull?: string;
  readonly afterFull?: string;
}

/**
 * The original beside its de-identified copy, made by the engine in memory with the profile and key in
 * force: nothing is written. A removed or added sequence is one change: what it held goes or comes with it.
 */
export interface Comparison {
  readonly id: number;
  readonly changes: ReadonlyArray<HeaderChange>;
  readonly unchanged: number;
  /** What the run will do to the image, in plain words. */
  readonly pixels: string;
  /** Why no copy could be made (no key yet, a file the profile does not de-identify): then no changes. */
  readonly unavailable?: string;
}

/**
 * One decoded frame. Grey images carry modality values (after rescale) as little-endian Float32,
 * colour ones RGBA bytes; both base64, so the same answer travels over Electron IPC and over HTTP.
 */
export type FrameImage =
  | {
      readonly kind: 'grey';
      readonly width: number;
      readonly height: number;
      readonly data: string;
      readonly min: number;
      readonly max: number;
      readonly window: { readonly center: number; readonly width: number };
      readonly invert: boolean;
    }
  | { readonly kind: 'rgba'; readonly width: number; readonly height: number; readonly data: string }
  /** JPEG bytes the renderer's own image decoder can show (8-bit baseline). */
  | { readonly kind: 'jpeg'; readonly width: number; readonly height: number; readonly data: string };

export interface ProfileState {
  readonly draft: ProfileDraft;
  /** Problems with the draft, `path: message`; the last valid profile stays in force while there are any. */
  readonly issues: ReadonlyArray<string>;
}

export interface KeyState {
  readonly fingerprint: string | null;
  readonly location: string;
}

export interface OutputChoice {
  readonly path: string;
  /** Why this folder cannot be used, when it cannot. */
  readonly refused?: string;
}

export interface RunProgress {
  readonly done: number;
  /** Inputs found so far: it grows while `counting`, as the walk streams them to the workers. */
  readonly total: number;
  /** The walk is still finding inputs (no time left can be told yet). */
  readonly counting?: boolean;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesPerSecond: number;
  readonly etaSeconds: number | null;
  readonly written: number;
  readonly skipped: number;
  readonly failed: number;
  /** Not written: the pixels may show identity; kept on site for review. */
  readonly held: number;
}

export interface RunFailure {
  readonly name: string;
  readonly status: 'skipped' | 'failed' | 'held';
  readonly reason: string;
}

export interface RunSummary {
  readonly outcome: 'finished' | 'cancelled' | 'error';
  readonly written: number;
  readonly skipped: number;
  readonly failed: number;
  /** Kept on site for review because their pixels may show identity: never called clean. */
  readonly held: number;
  /** Written with pixels at risk because a rule or a person accepted them: never called clean either. */
  readonly accepted: number;
  /** Why files were held, each reason once. */
  readonly heldReasons: readonly string[];
  readonly total: number;
  readonly seconds: number;
  /** Residual-PHI verification of every written file; null when it was switched off. */
  readonly verification: { readonly checked: number; readonly clean: number } | null;
  readonly problems: ReadonlyArray<RunFailure>;
  readonly outputFolder: string;
  /** Where the shareable report was saved (beside the output folder). */
  readonly reportFolder: string;
  readonly message?: string;
}

/** What a run would do, stated before it starts. */
export interface RunPlan {
  readonly profile: string;
  /** The options in force in plain words; `weakens`: lets through data the basic profile removes. */
  readonly options: ReadonlyArray<{ readonly label: string; readonly weakens: boolean }>;
  readonly fingerprint: string | null;
  readonly files: { readonly write: number; readonly held: number; readonly notWritten: number };
  /** What the pixel checks found for the files whose images are at risk; null when none is. */
  readonly pixels: PixelPlan | null;
  /**
   * `entries`: what the folder holds already; `earlierRun`: whether an earlier run wrote outputs there, and
   * with this profile and key (`same`: the run goes on where it left off) or another (`other`: refused).
   */
  readonly output: {
    readonly path: string;
    readonly entries: number;
    readonly earlierRun: 'none' | 'same' | 'other';
  } | null;
}

/** The detector's word on the files at risk, for those it has checked with the profile in force. */
export interface PixelPlan {
  readonly cleaned: number;
  readonly held: number;
  /** Why, each reason (counts and attributes, never a value) with how many files it holds. */
  readonly heldReasons: ReadonlyArray<{ readonly reason: string; readonly files: number }>;
  readonly accepted: number;
  /** Checked, and their pixels leave as they are (no identifying text found, or only what the person kept). */
  readonly untouched: number;
  /** At risk, not checked yet with the profile and rules in force. */
  readonly unchecked: number;
}

/** "Check image text now": how far it has come. */
export interface PixelCheckProgress {
  readonly done: number;
  readonly total: number;
  readonly running: boolean;
}

export interface Saved {
  readonly savedTo: string;
}

/** A project as the app opens it (see node/project). Paths are the user's own choices. */
export interface ProjectState {
  readonly name: string;
  readonly folder: string;
  readonly profile: string;
  readonly options: readonly string[];
  readonly inputs: readonly string[];
  readonly outDir: string;
  /** Null when the project's key file is missing or unreadable. */
  readonly keyFingerprint: string | null;
  readonly runs: ReadonlyArray<{
    readonly startedAt: string;
    readonly written: number;
    readonly skipped: number;
    readonly failed: number;
    readonly cancelled: boolean;
    /** Stopped without finishing (killed, machine off); its counts are unknown. */
    readonly interrupted: boolean;
  }>;
}

/** One row of a project's crosswalk that a lookup found: PHI, shown only to the person who asked. */
export interface LookupAnswer {
  readonly kind: MappingKind;
  readonly original: string;
  readonly pseudonym: string;
  readonly matched: 'original' | 'pseudonym';
}

export interface Responses extends PacsResponses {
  'settings:get': Settings;
  'inputs:add': { readonly accepted: number };
  'inputs:pick': { readonly accepted: number };
  'inputs:samples': { readonly accepted: number };
  'inputs:clear': null;
  'inputs:remove': { readonly removed: number };
  'file:inspect': Inspection;
  'file:compare': Comparison;
  'file:image': FrameImage;
  'file:regions': { readonly pixelRules: ReadonlyArray<AppliedRegions> };
  'file:pixels': PixelCheck;
  'file:review': { readonly pixelRules: ReadonlyArray<AppliedRegions> };
  'profile:get': ProfileState;
  'profile:set': ProfileState;
  'profile:open': ProfileState | null;
  'profile:save': Saved | null;
  'key:get': KeyState;
  'key:create': KeyState;
  'key:import': KeyState | null;
  'key:export': Saved | null;
  'output:choose': OutputChoice | null;
  'run:plan': RunPlan;
  'pixels:checkAll': { readonly checked: number; readonly cancelled: boolean };
  'pixels:cancel': null;
  'batch:start': { readonly refused?: string };
  'batch:cancel': null;
  'batch:showOutput': null;
  'report:open': null;
  'report:export': Saved | null;
  'audit:export': Saved | null;
  'project:last': ProjectState | null;
  'project:lookup': readonly LookupAnswer[];
  'project:create': ProjectState;
  /** Null when the person closed the dialog. */
  'project:open': ProjectState | null;
}
export type Response<C extends Channel> = Responses[C];

/** Events main pushes to the window. */
export interface Events extends PacsEvents {
  /** New rows, or rows whose scan or run status changed. */
  'files:rows': { readonly rows: ReadonlyArray<FileRow> };
  'files:scan': { readonly scanning: boolean; readonly found: number; readonly scanned: number };
  /** Rows taken out of the list. */
  'files:removed': { readonly ids: ReadonlyArray<number> };
  'batch:progress': RunProgress;
  'batch:done': RunSummary;
  'pixels:progress': PixelCheckProgress;
}
export type EventName = keyof Events;
export const EVENTS: ReadonlyArray<EventName> = [
  'files:rows',
  'files:scan',
  'files:removed',
  'batch:progress',
  'batch:done',
  'pixels:progress',
  'pacs:progress',
  'pacs:sending',
];

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;

/** What a call answers on the wire: errors travel as text, so every transport reports them alike. */
export type Envelope<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

export type { ActionName, OptionKey, PresetName, Rect };
