import { latin1 } from '../dicom/charset.js';
import type { ParsedDicom } from '../dicom/model.js';
import { groupOf, isPrivateGroup, PIXEL_DATA } from '../dicom/tag.js';
import { readText } from '../dicom/values.js';
import { formatPath, walkElements } from '../dicom/walk.js';
import { lookup } from '../dictionary/index.js';
import { IdentifierMatcher } from './clean-text.js';
import type { Identifier, IdentifierKind } from './identifiers.js';

/** Where a removed identifier was found again. Names the place and the kind, never the value. */
export interface ResidualHit {
  readonly kind: IdentifierKind;
  readonly where: string;
}

// Values where a person's identifier can hide. Numbers (IS, DS, US, ...) are left out: a short ID such
// as 123 would "match" every Series Number 123.
const SEARCHED = new Set(['AE', 'DA', 'DT', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UI', 'UR', 'UT']);
const OPAQUE_LIMIT = 64 * 1024;

/** Short all-digit IDs turn up by chance in numbers and UIDs; only longer ones are evidence. */
const worthSearching = (i: Identifier) => !(i.kind === 'id' && /^\d{1,5}$/.test(i.text));

/**
 * The residual check: reads a written output back and looks, in every value at every depth (private and
 * unknown elements included, decoded with their character set) and in the output's relative path, for
 * the identifying values the profile removed or replaced in its input.
 */
export function findResidualIdentifiers(
  output: ParsedDicom,
  removed: readonly Identifier[],
  outputPath: string,
): ResidualHit[] {
  const targets = removed.filter(worthSearching);
  const matcher = new IdentifierMatcher(targets);
  if (matcher.empty) return [];
  const kinds = new Map(targets.map((t) => [t.text.toLowerCase(), t.kind]));
  const hits: ResidualHit[] = [];
  const check = (text: string, where: string) => {
    const found = matcher.find(text);
    if (found !== undefined) hits.push({ kind: kinds.get(found.toLowerCase()) ?? 'name', where });
  };
  check(outputPath, 'the output file name');
  walkElements(output.source, output.dataset, (el, ctx) => {
    if (el.items || el.tag === PIXEL_DATA) return true;
    const opaque =
      ctx.vr === 'UN' || (isPrivateGroup(groupOf(el.tag)) && (ctx.vr === 'OB' || ctx.vr === 'OW'));
    if (!SEARCHED.has(ctx.vr) && !opaque) return true;
    const where = `${formatPath(ctx.path, el.tag)} ${isPrivateGroup(groupOf(el.tag)) ? 'private' : (lookup(el.tag)?.keyword ?? 'unknown')}`;
    if (opaque) {
      if (el.length <= OPAQUE_LIMIT) check(latin1(output.source.read(el.valueStart, el.length)), where);
    } else {
      check(readText(output.source, el, ctx.vr, ctx.charset), where);
    }
    return true;
  });
  return hits;
}

/** A plain reason for a failed check, e.g. `a removed name remains in (0020,4000) ImageComments`. */
export const describeHit = (hit: ResidualHit): string => `a removed ${hit.kind} remains in ${hit.where}`;
