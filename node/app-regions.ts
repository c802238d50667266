import { topLevelText } from '../shared/dicom/header.js';
import type { ParsedDicom } from '../shared/dicom/model.js';
import { readNumbers } from '../shared/dicom/values.js';
import { ReportableError } from '../shared/errors.js';
import type { AppliedRegions, RegionScope } from '../shared/ipc/contract.js';
import type { Rect, RegionMatch, RegionRule } from '../shared/pixels/regions.js';
import type { Profile } from '../shared/profile/index.js';

const TAG = {
  sopInstanceUID: 0x00080018,
  seriesInstanceUID: 0x0020000e,
  manufacturer: 0x00080070,
  modelName: 0x00081090,
  sopClassUID: 0x00080016,
  modality: 0x00080060,
  photometricInterpretation: 0x00280004,
  rows: 0x00280010,
  columns: 0x00280011,
};

/** What a drawn rule can match a file on, read from its header. */
export interface RegionFacts {
  readonly sopInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly manufacturer: string;
  readonly modelName: string;
  readonly sopClassUID: string;
  readonly modality: string;
  readonly photometricInterpretation: string;
  readonly rows: number;
  readonly columns: number;
}

function us(parsed: ParsedDicom, tag: number): number {
  const element = parsed.dataset.elements.find((e) => e.tag === tag);
  return element ? (readNumbers(parsed.source, element, 'US', parsed.dataset.syntax, 1)[0] ?? 0) : 0;
}

export function regionFacts(parsed: ParsedDicom): RegionFacts {
  const text = (tag: number) => topLevelText(parsed, tag).replace(/\0/g, '').trim();
  return {
    sopInstanceUID: text(TAG.sopInstanceUID),
    seriesInstanceUID: text(TAG.seriesInstanceUID),
    manufacturer: text(TAG.manufacturer),
    modelName: text(TAG.modelName),
    sopClassUID: text(TAG.sopClassUID),
    modality: text(TAG.modality),
    photometricInterpretation: text(TAG.photometricInterpretation),
    rows: us(parsed, TAG.rows),
    columns: us(parsed, TAG.columns),
  };
}

/** A device template's match in words: the manufacturer, model and size are not identifying. */
export function deviceName(facts: RegionFacts): string | null {
  if (!facts.manufacturer || facts.rows === 0 || facts.columns === 0) return null;
  const model = facts.modelName ? ` ${facts.modelName}` : '';
  return `${facts.manufacturer}${model}, ${facts.columns} × ${facts.rows}`;
}

/** The match a rule drawn on this file gets for the scope the person chose. */
export function matchFor(facts: RegionFacts, scope: RegionScope): RegionMatch {
  if (scope === 'file') {
    if (!facts.sopInstanceUID)
      throw new ReportableError('this file has no SOP Instance UID to attach boxes to');
    return { sopInstanceUID: facts.sopInstanceUID };
  }
  if (scope === 'series') {
    if (!facts.seriesInstanceUID) throw new ReportableError('this file has no Series Instance UID');
    return { seriesInstanceUID: facts.seriesInstanceUID };
  }
  if (deviceName(facts) === null) {
    throw new ReportableError('the header does not name the device (Manufacturer, Rows, Columns)');
  }
  return {
    manufacturer: facts.manufacturer,
    ...(facts.modelName ? { modelName: facts.modelName } : {}),
    rows: facts.rows,
    columns: facts.columns,
  };
}

export function scopeOf(match: RegionMatch): RegionScope | 'profile' {
  if (match.sopInstanceUID !== undefined) return 'file';
  if (match.seriesInstanceUID !== undefined) return 'series';
  const keys = Object.keys(match);
  const device = ['manufacturer', 'modelName', 'rows', 'columns'];
  return keys.length > 0 && keys.every((key) => device.includes(key)) ? 'device' : 'profile';
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

const TEXT_FIELDS = [
  'sopInstanceUID',
  'seriesInstanceUID',
  'manufacturer',
  'modelName',
  'sopClassUID',
  'modality',
  'photometricInterpretation',
] as const;

/** RegionMatch's rule: every field given must match. */
export function matches(match: RegionMatch, facts: RegionFacts): boolean {
  return (
    TEXT_FIELDS.every((key) => match[key] === undefined || same(match[key], facts[key])) &&
    (match.rows === undefined || match.rows === facts.rows) &&
    (match.columns === undefined || match.columns === facts.columns)
  );
}

const sameMatch = (a: RegionMatch, b: RegionMatch) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Checks every box lies inside the image: a box outside it would clean nothing and mislead. */
export function checkInside(regions: readonly Rect[], facts: RegionFacts) {
  const outside = regions.findIndex((r) => r.x + r.width > facts.columns || r.y + r.height > facts.rows);
  if (outside >= 0) {
    throw new ReportableError(
      `box ${outside + 1} reaches outside the ${facts.columns} × ${facts.rows} image`,
    );
  }
}

const LABEL: Readonly<Record<RegionScope, string>> = {
  file: 'drawn on this file',
  series: 'drawn on this series',
  device: 'device template',
};

/** What a person decides for one match: boxes to clean, acceptance, detected text kept, review. */
export interface RuleChange {
  readonly regions?: readonly Rect[];
  readonly accept?: boolean;
  readonly keep?: readonly Rect[];
  readonly reviewed?: boolean;
}

/**
 * The rules with this one in place of any drawn for the same match, the decisions not given carried over
 * from it; a rule left deciding nothing is a removal. Labels never carry a UID, so a profile saved with
 * device templates says what they are for.
 */
export function replaceRule(
  rules: readonly RegionRule[],
  match: RegionMatch,
  scope: RegionScope,
  facts: RegionFacts,
  change: RuleChange,
): RegionRule[] {
  const before = rules.find((rule) => sameMatch(rule.match, match));
  const others = rules.filter((rule) => rule !== before);
  const regions = change.regions ?? before?.regions ?? [];
  const accept = change.accept ?? before?.accept ?? false;
  const keep = change.keep ?? before?.keep ?? [];
  const reviewed = change.reviewed ?? before?.reviewed ?? false;
  if (regions.length === 0 && !accept && keep.length === 0 && !reviewed) return others;
  const label = scope === 'device' ? `${LABEL.device}: ${deviceName(facts)}` : LABEL[scope];
  return [
    ...others,
    {
      label,
      match,
      regions,
      ...(accept ? { accept: true } : {}),
      ...(keep.length > 0 ? { keep } : {}),
      ...(reviewed ? { reviewed: true } : {}),
    },
  ];
}

const SPECIFIC: Readonly<Record<RegionScope | 'profile', number>> = {
  file: 0,
  series: 1,
  device: 2,
  profile: 3,
};

/** The rules that apply to a file, most specific first, as the inspector shows them. */
export function appliedTo(rules: readonly RegionRule[], facts: RegionFacts): AppliedRegions[] {
  return rules
    .filter((rule) => matches(rule.match, facts))
    .map((rule) => {
      const scope = scopeOf(rule.match);
      return {
        scope,
        label: scope === 'profile' || scope === 'device' ? (rule.label ?? 'profile template') : LABEL[scope],
        regions: rule.regions,
        accept: rule.accept === true,
        ...(rule.keep && rule.keep.length > 0 ? { keep: rule.keep } : {}),
        ...(rule.reviewed ? { reviewed: true } : {}),
      };
    })
    .sort((a, b) => SPECIFIC[a.scope] - SPECIFIC[b.scope]);
}

/** The drawn rules that apply to a file: what its pixel check depends on besides the profile. */
export const drawnFor = (drawn: readonly RegionRule[], facts: RegionFacts): RegionRule[] =>
  drawn.filter((rule) => matches(rule.match, facts));

/** The profile a run or an inspection uses: the profile's own pixel rules, then those drawn at the screen. */
export function withDrawnRules(profile: Profile, drawn: readonly RegionRule[]): Profile {
  return drawn.length === 0 ? profile : { ...profile, pixelRules: [...profile.pixelRules, ...drawn] };
}
