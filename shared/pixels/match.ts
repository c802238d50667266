import { BoundedMemo } from '../bounded-memo.js';
import type { DicomElement, ParsedDicom } from '../dicom/model.js';
import { readNumbers, readText } from '../dicom/values.js';
import { effectiveVR } from '../dicom/walk.js';
import { tagForKeyword } from '../profile/keywords.js';
import type { FrameLayout } from './codec.js';
import type { HeaderCondition, Rect, RegionMatch, RegionRule } from './regions.js';

const TEXT_FIELDS: ReadonlyArray<readonly [keyof RegionMatch, number]> = [
  ['sopInstanceUID', 0x00080018],
  ['seriesInstanceUID', 0x0020000e],
  ['manufacturer', 0x00080070],
  ['modelName', 0x00081090],
  ['sopClassUID', 0x00080016],
  ['modality', 0x00080060],
  ['photometricInterpretation', 0x00280004],
];

const fold = (text: string) => text.trim().toLowerCase();

/**
 * A file's top-level header values as folded text, read once each: a hundred templates ask about the same
 * few attributes. Undefined: the attribute is absent.
 */
export class HeaderValues {
  private readonly cache = new Map<number, string | undefined>();
  /** The top-level tags strictly ascending, as the standard has them: then found by bisection. */
  private ascending: boolean | undefined;
  constructor(private readonly parsed: ParsedDicom) {}
  get(tag: number): string | undefined {
    if (this.cache.has(tag)) return this.cache.get(tag);
    const inMeta = tag >>> 16 === 0x0002;
    const el = inMeta ? this.parsed.meta.find((e) => e.tag === tag) : this.topLevel(tag);
    const value = el
      ? fold(readText(inMeta ? this.parsed.fileSource : this.parsed.source, el, effectiveVR(el), undefined))
      : undefined;
    this.cache.set(tag, value);
    return value;
  }

  /** The first top-level element with the tag. */
  private topLevel(tag: number): DicomElement | undefined {
    const elements = this.parsed.dataset.elements;
    this.ascending ??= elements.every((e, i) => i === 0 || elements[i - 1]!.tag < e.tag);
    if (!this.ascending) return elements.find((e) => e.tag === tag);
    let lo = 0;
    let hi = elements.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = elements[mid]!.tag;
      if (at === tag) return elements[mid];
      if (at < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

// A hundred templates are checked against every file: their values are folded once, not once per file.
const folded = new WeakMap<HeaderCondition, readonly string[]>();
function foldedValues(condition: HeaderCondition): readonly string[] {
  let values = folded.get(condition);
  if (!values) {
    values = (condition.values ?? []).map(fold);
    folded.set(condition, values);
  }
  return values;
}

function holds(header: HeaderValues, condition: HeaderCondition): boolean {
  const tag = tagForKeyword(condition.keyword)?.value;
  // Templates are checked when generated; a keyword unknown here cannot be present in the file.
  const value = tag === undefined ? undefined : header.get(tag);
  if (condition.test === 'missing') return value === undefined;
  if (condition.test === 'present') return value !== undefined;
  if (value === undefined) return false;
  if (condition.test === 'empty') return value === '';
  const values = foldedValues(condition);
  return condition.test === 'equals'
    ? values.includes(value)
    : values.some((v) => v !== '' && value.includes(v));
}

/** Whether every field the match gives agrees with the file's header. */
export function matchesFile(
  header: HeaderValues,
  match: RegionMatch,
  layout: FrameLayout | undefined,
): boolean {
  for (const [field, tag] of TEXT_FIELDS) {
    const wanted = match[field];
    if (typeof wanted === 'string' && (header.get(tag) ?? '') !== fold(wanted)) return false;
  }
  if (match.rows !== undefined && layout?.rows !== match.rows) return false;
  if (match.columns !== undefined && layout?.columns !== match.columns) return false;
  return (match.conditions ?? []).every((c) => holds(header, c));
}

/** What a list of rules asks of a header, and which of its rules the answers seen so far matched. */
interface RuleIndex {
  readonly tags: readonly number[];
  readonly sized: boolean;
  readonly matched: BoundedMemo<readonly RegionRule[]>;
}
const indexes = new WeakMap<readonly RegionRule[], RuleIndex>();

function indexOf(rules: readonly RegionRule[]): RuleIndex {
  let index = indexes.get(rules);
  if (!index) {
    const tags = new Set<number>();
    for (const { match } of rules) {
      for (const [field, tag] of TEXT_FIELDS) if (typeof match[field] === 'string') tags.add(tag);
      for (const c of match.conditions ?? []) {
        const tag = tagForKeyword(c.keyword)?.value;
        if (tag !== undefined) tags.add(tag);
      }
    }
    const sized = rules.some(({ match }) => match.rows !== undefined || match.columns !== undefined);
    index = { tags: [...tags], sized, matched: new BoundedMemo() };
    indexes.set(rules, index);
  }
  return index;
}

/**
 * The rules whose match agrees with the file, in their order. Which rules match depends only on the header
 * values the rules ask about and the image size: a batch's files share them by series and device, so the
 * answer for each combination is remembered (bounded), not worked out against a hundred templates again.
 */
export function rulesMatching(
  header: HeaderValues,
  rules: readonly RegionRule[],
  layout: FrameLayout | undefined,
): readonly RegionRule[] {
  if (rules.length === 0) return rules;
  const index = indexOf(rules);
  // Each value with its length, so no value can pass for two.
  let key = index.sized ? `${layout?.rows}x${layout?.columns}` : '';
  for (const tag of index.tags) {
    const value = header.get(tag);
    key += value === undefined ? '|' : `|${value.length}:${value}`;
  }
  const { matched } = index;
  return (
    matched.known(key) ??
    matched.remember(
      key,
      rules.filter((rule) => matchesFile(header, rule.match, layout)),
    )
  );
}

const ULTRASOUND_REGION_SEQUENCE = 0x00186011;
const MIN_X0 = 0x00186018;
const MIN_Y0 = 0x0018601a;
const MAX_X1 = 0x0018601c;
const MAX_Y1 = 0x0018601e;

/** The image areas the Ultrasound Region Sequence (0018,6011) declares, clipped to the image. */
export function ultrasoundRegions(parsed: ParsedDicom, layout: FrameLayout): Rect[] {
  const sequence = parsed.dataset.elements.find((e) => e.tag === ULTRASOUND_REGION_SEQUENCE);
  const out: Rect[] = [];
  for (const item of sequence?.items ?? []) {
    const at = (tag: number) => {
      const el = item.elements.find((e) => e.tag === tag);
      return el ? readNumbers(parsed.source, el, 'UL', item.syntax, 1)[0] : undefined;
    };
    const [x0, y0, x1, y1] = [at(MIN_X0), at(MIN_Y0), at(MAX_X1), at(MAX_Y1)];
    if (x0 === undefined || y0 === undefined || x1 === undefined || y1 === undefined) continue;
    const right = Math.min(layout.columns, x1 + 1);
    const bottom = Math.min(layout.rows, y1 + 1);
    if (right > x0 && bottom > y0) out.push({ x: x0, y: y0, width: right - x0, height: bottom - y0 });
  }
  return out;
}

/** Rectangles covering every pixel outside the given areas (the complement of their union). */
export function outside(areas: readonly Rect[], layout: FrameLayout): Rect[] {
  const edges = new Set([0, layout.rows]);
  for (const a of areas) edges.add(a.y).add(a.y + a.height);
  const ys = [...edges].filter((y) => y >= 0 && y <= layout.rows).sort((a, b) => a - b);
  const out: Rect[] = [];
  for (let i = 0; i + 1 < ys.length; i++) {
    const top = ys[i]!;
    const height = ys[i + 1]! - top;
    const covered = areas
      .filter((a) => a.y <= top && a.y + a.height >= top + height)
      .map((a) => [a.x, a.x + a.width] as const)
      .sort((a, b) => a[0] - b[0]);
    let x = 0;
    for (const [from, to] of covered) {
      if (from > x) out.push({ x, y: top, width: from - x, height });
      x = Math.max(x, to);
    }
    if (x < layout.columns) out.push({ x, y: top, width: layout.columns - x, height });
  }
  return out;
}
