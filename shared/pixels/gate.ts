import { asciiBytes } from '../dicom/encode.js';
import { BURNED_IN_ANNOTATION, modality, sopClassUID, topLevelCode } from '../dicom/header.js';
import type { ParsedDicom } from '../dicom/model.js';
import type { ElementEdit, NewElement } from '../dicom/write.js';
import { type BurnedIn, burnedInOf } from '../scan/burned-in.js';
import type { FrameLayout, PixelCodecs } from './codec.js';
import { darkestFill, ruleFill } from './fill.js';
import { type CheckedLayout, frameLayoutOf, isLayoutProblem } from './layout.js';
import { HeaderValues, outside, rulesMatching, ultrasoundRegions } from './match.js';
import { PIXELS_NOT_AT_RISK, type PixelOutcome } from './outcome.js';
import { CannotClean, type FillGroup, redactPixels } from './redact.js';
import type { DetectedRegions, Rect, RegionRule } from './regions.js';
import type { FrameSpill } from './spill.js';

const ENCAPSULATED_DOCUMENT = 0x00420011;

export interface PixelStageOptions {
  /** The Clean Pixel Data option: without it, regions are not cleaned and the gate decides alone. */
  readonly cleanPixelData: boolean;
  /** Built-in device templates, then the profile's own pixel rules. */
  readonly rules: readonly RegionRule[];
  readonly detectedRegions?: DetectedRegions | undefined;
  /**
   * The detector searched every frame and found no undecided text: a file at risk only by what kind of image
   * it is may then leave with the text it kept (the verifier reads its output again).
   */
  readonly textSearched?: boolean | undefined;
  readonly codecs?: PixelCodecs | undefined;
  /** Where re-encoded frames wait for the writer; in memory without one. */
  readonly spill?: FrameSpill | undefined;
}

export interface PixelStage {
  readonly outcome: PixelOutcome;
  /** Top-level edits when pixels were cleaned: Pixel Data, offset tables, Burned In Annotation. */
  readonly edits: ReadonlyMap<number, ElementEdit>;
  readonly insert: readonly NewElement[];
}

const untouched = (outcome: PixelOutcome): PixelStage => ({ outcome, edits: new Map(), insert: [] });

const held = (reason: string): PixelStage => untouched({ status: 'held', reason, regionsCleaned: 0 });

// Per parsed file: the batch asks before the engine runs (is there text to search for?), the gate again in it.
const risks = new WeakMap<ParsedDicom, BurnedIn>();

/** How likely the pixels show text, from what kind of image the file says it is. */
export function burnedInRiskOf(parsed: ParsedDicom): BurnedIn {
  let risk = risks.get(parsed);
  if (!risk) {
    risk = burnedInOf(parsed, modality(parsed), sopClassUID(parsed));
    risks.set(parsed, risk);
  }
  return risk;
}

/**
 * What becomes of a file's pixels. A rule that accepts the file lets it leave as it is; with Clean Pixel
 * Data on, the regions of matching rules and of the detector are filled (held when that cannot be done);
 * otherwise the file's own declarations decide: Burned In Annotation YES or an encapsulated document is
 * held, never written as if clean.
 */
export function pixelStage(parsed: ParsedDicom, options: PixelStageOptions): PixelStage {
  const checked = frameLayoutOf(parsed);
  const matching = matchingRules(parsed, options.rules, soundLayout(checked));
  if (matching.some((rule) => rule.accept)) {
    return untouched({
      status: 'accepted',
      reason: 'a pixel rule of the profile accepted the pixels as they are',
      regionsCleaned: 0,
    });
  }
  const decided = withoutKept(
    options.detectedRegions,
    matching.flatMap((rule) => rule.keep ?? []),
  );
  const wantsCleaning =
    options.cleanPixelData &&
    (matching.length > 0 || [...decided.regions.values()].some((rects) => rects.length > 0));
  let stage: PixelStage | undefined;
  if (wantsCleaning && checked) {
    if (isLayoutProblem(checked)) return held(`the pixels need cleaning but ${checked.problem}`);
    stage = clean(parsed, checked, matching, { ...options, detectedRegions: decided.regions });
  }
  stage ??= declared(parsed, options.textSearched === true);
  return withPersonsDecisions(
    stage,
    matching.some((rule) => rule.reviewed === true),
    decided.kept,
  );
}

const soundLayout = (checked: ReturnType<typeof frameLayoutOf>): FrameLayout | undefined =>
  checked && !isLayoutProblem(checked) ? checked.layout : undefined;

/** The rules that apply to this file: by its header and, when it has a sound one, its frame layout. */
const matchingRules = (
  parsed: ParsedDicom,
  rules: readonly RegionRule[],
  layout: FrameLayout | undefined,
): readonly RegionRule[] => rulesMatching(new HeaderValues(parsed), rules, layout);

/**
 * A rule accepts this file's pixels as they are ("I have looked: send as is"): the gate lets them leave
 * untouched, so there is nothing to search or clean.
 */
export const acceptedAsIs = (parsed: ParsedDicom, rules: readonly RegionRule[]): boolean =>
  matchingRules(parsed, rules, soundLayout(frameLayoutOf(parsed))).some((rule) => rule.accept);

/**
 * The person's decisions on the detector's text go into the outcome's reason, which the private audit
 * records (the shareable report counts statuses only). A held file keeps the reason it waits for.
 */
function withPersonsDecisions(stage: PixelStage, reviewed: boolean, kept: number): PixelStage {
  if (stage.outcome.status === 'held' || (!reviewed && kept === 0)) return stage;
  const said = [
    reviewed ? 'the detected text was reviewed by the person at the screen' : '',
    kept > 0 ? `${kept} detected text regions were left as they are by the person at the screen` : '',
  ].filter(Boolean);
  const reason = [stage.outcome.reason, ...said].filter(Boolean).join('; ');
  return { ...stage, outcome: { ...stage.outcome, reason } };
}

// A detected box this much under what the person kept is theirs: the box the screen showed them, or one
// carried to a later frame with it. Another reading of the same line that reaches well past it stays cleaned.
const MOSTLY_KEPT = 0.75;

/** Whether the person's kept boxes cover this detected box (one they turned off). */
export const isKept = (box: Rect, keep: readonly Rect[]): boolean =>
  keep.length > 0 && coveredShare(box, keep) >= MOSTLY_KEPT;

/** The detector's regions without those the person turned off, and how many were (summed over frames). */
function withoutKept(
  detected: DetectedRegions | undefined,
  keep: readonly Rect[],
): { regions: DetectedRegions; kept: number } {
  if (!detected) return { regions: new Map(), kept: 0 };
  if (keep.length === 0) return { regions: detected, kept: 0 };
  let kept = 0;
  const regions = new Map<number, Rect[]>();
  for (const [frame, rects] of detected) {
    const left = rects.filter((rect) => !isKept(rect, keep));
    kept += rects.length - left.length;
    regions.set(frame, left);
  }
  return { regions, kept };
}

/** The share of `box` under the rectangles (which seldom overlap one another, so summed). */
export function coveredShare(box: Rect, covered: readonly Rect[]): number {
  let area = 0;
  for (const c of covered) {
    const w = Math.min(box.x + box.width, c.x + c.width) - Math.max(box.x, c.x);
    const h = Math.min(box.y + box.height, c.y + c.height) - Math.max(box.y, c.y);
    if (w > 0 && h > 0) area += w * h;
  }
  return Math.min(1, area / Math.max(1, box.width * box.height));
}

/** The rectangles each matching rule cleans on every frame. */
function ruleRects(parsed: ParsedDicom, matching: readonly RegionRule[], layout: FrameLayout) {
  const usAreas = matching.some((r) => r.outsideUltrasoundRegions) ? ultrasoundRegions(parsed, layout) : [];
  return (rule: RegionRule): Rect[] => [
    ...rule.regions,
    ...(rule.outsideUltrasoundRegions && usAreas.length > 0 ? outside(usAreas, layout) : []),
  ];
}

/** What the rules drawn and given for a file say about the text the detector finds in it. */
export interface TextDecisions {
  /** What the rules clean on every frame anyway: text found there goes whatever it says. */
  readonly covered: readonly Rect[];
  /** Where the person turned detected text off: it stays, and is no residue when the output is read again. */
  readonly kept: readonly Rect[];
  /** The person reviewed the file: text the detector could not decide no longer holds it. */
  readonly reviewed: boolean;
}

/** The rules' say on this file's detected text (nothing when a rule accepts the file as it is). */
export function textDecisions(parsed: ParsedDicom, rules: readonly RegionRule[]): TextDecisions {
  const layout = soundLayout(frameLayoutOf(parsed));
  if (!layout) return { covered: [], kept: [], reviewed: false };
  const matching = matchingRules(parsed, rules, layout);
  if (matching.some((rule) => rule.accept)) return { covered: [], kept: [], reviewed: false };
  return {
    covered: matching.flatMap(ruleRects(parsed, matching, layout)),
    kept: matching.flatMap((rule) => rule.keep ?? []),
    reviewed: matching.some((rule) => rule.reviewed === true),
  };
}

function clean(
  parsed: ParsedDicom,
  checked: CheckedLayout,
  matching: readonly RegionRule[],
  options: PixelStageOptions,
): PixelStage | undefined {
  const { layout } = checked;
  const darkest = darkestFill(layout, parsed, checked.paddingValue);
  const fillOf = (rule?: RegionRule) => (rule?.fill === undefined ? darkest : ruleFill(layout, rule.fill));
  const rectsOf = ruleRects(parsed, matching, layout);
  const everyFrame: FillGroup[] = matching.map((rule) => ({ rects: rectsOf(rule), fill: fillOf(rule) }));
  const plan = (frame: number): FillGroup[] => {
    const found = options.detectedRegions?.get(frame);
    return found && found.length > 0 ? [...everyFrame, { rects: found, fill: darkest }] : everyFrame;
  };
  let redaction: ReturnType<typeof redactPixels>;
  try {
    redaction = redactPixels(parsed, checked, plan, options.codecs, options.spill);
  } catch (e) {
    if (e instanceof CannotClean) return held(`the pixels need cleaning but ${e.message}`);
    throw e;
  }
  if (redaction.regionsCleaned === 0) return undefined;
  const edits = new Map(redaction.edits);
  const insert: NewElement[] = [];
  const flag = parsed.dataset.elements.find((e) => e.tag === BURNED_IN_ANNOTATION);
  if (flag) edits.set(flag.start, { kind: 'value', vr: 'CS', value: asciiBytes('NO') });
  else insert.push({ tag: BURNED_IN_ANNOTATION, vr: 'CS', value: asciiBytes('NO') });
  const { regionsCleaned, lossyReencoded } = redaction;
  const outcome: PixelOutcome = {
    status: 'cleaned',
    regionsCleaned,
    ...(lossyReencoded ? { lossyReencoded } : {}),
  };
  return { outcome, edits, insert };
}

/**
 * The gate for pixels that were not cleaned: what the file declares and what kind of image it is decide
 * whether it may leave. A file whose burned-in risk is more than unlikely waits for a person, unless the
 * detector has read it through.
 */
function declared(parsed: ParsedDicom, textSearched: boolean): PixelStage {
  if (topLevelCode(parsed, BURNED_IN_ANNOTATION) === 'YES')
    return held('Burned In Annotation (0028,0301) is YES and the pixels were not cleaned');
  if (parsed.dataset.elements.some((e) => e.tag === ENCAPSULATED_DOCUMENT))
    return held('the file holds an encapsulated document (0042,0011) whose content cannot be verified');
  const risk = burnedInRiskOf(parsed);
  if (risk.risk !== 'unlikely' && !textSearched)
    return held(`the pixels were not cleaned and may show identity: ${risk.reason}`);
  return untouched(PIXELS_NOT_AT_RISK);
}
