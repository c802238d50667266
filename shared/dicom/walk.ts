import { lookup } from '../dictionary/index.js';
import type { Dataset, DicomElement } from './model.js';
import type { ByteSource } from './source.js';
import { elementOf, formatTag, groupOf, isPrivateGroup, SPECIFIC_CHARACTER_SET, type Tag } from './tag.js';
import { readText } from './values.js';

/** Where an element sits: the chain of (sequence tag, item index) from the top level. */
export type ElementPath = ReadonlyArray<{ readonly tag: Tag; readonly item: number }>;

/** Where an element sits, as people read it: `(0040,0275)[0].(0032,1060)`. */
export const formatPath = (path: ElementPath, tag: Tag): string =>
  [...path.map((p) => `${formatTag(p.tag)}[${p.item}]`), formatTag(tag)].join('.');

export interface ElementContext {
  readonly path: ElementPath;
  /** Specific Character Set in force, redeclared by items that carry their own (0008,0005). */
  readonly charset: string | undefined;
  /** The VR to interpret the value with: the dictionary's when the file says UN for a standard tag. */
  readonly vr: string;
  /** For private elements, the creator that reserved their block, trimmed. */
  readonly privateCreator: string | undefined;
  readonly dataset: Dataset;
}

/** The creator strings of the private blocks reserved in one dataset, keyed by (group << 8 | block). */
export function privateCreators(source: ByteSource, ds: Dataset): Map<number, string> {
  const out = new Map<number, string>();
  for (const el of ds.elements) {
    const g = groupOf(el.tag);
    const e = elementOf(el.tag);
    if (isPrivateGroup(g) && e >= 0x10 && e <= 0xff) {
      out.set((g << 8) | e, readText(source, el, 'LO', undefined).trim());
    }
  }
  return out;
}

export function creatorOf(creators: Map<number, string>, tag: Tag): string | undefined {
  const g = groupOf(tag);
  if (!isPrivateGroup(g)) return undefined;
  const e = elementOf(tag);
  if (e < 0x1000) return undefined;
  return creators.get((g << 8) | (e >>> 8));
}

/** The VR to interpret a value with: file VR, except UN for a standard tag whose dictionary VR is known. */
export function effectiveVR(el: DicomElement): string {
  if (el.vr !== 'UN' || isPrivateGroup(groupOf(el.tag))) return el.vr;
  const dict = lookup(el.tag)?.vr;
  return dict ? dict.slice(0, 2) : 'UN';
}

export function datasetCharset(
  source: ByteSource,
  ds: Dataset,
  inherited: string | undefined,
): string | undefined {
  const el = ds.elements.find((e) => e.tag === SPECIFIC_CHARACTER_SET);
  return el ? readText(source, el, 'CS', undefined) || inherited : inherited;
}

/** What the elements of one dataset share: the character set in force and their private blocks' creators. */
export function datasetContext(
  source: ByteSource,
  ds: Dataset,
  path: ElementPath,
  inherited: string | undefined,
): { readonly charset: string | undefined; contextOf(el: DicomElement): ElementContext } {
  const charset = datasetCharset(source, ds, inherited);
  const creators = privateCreators(source, ds);
  return {
    charset,
    contextOf: (el) => ({
      path,
      charset,
      vr: effectiveVR(el),
      privateCreator: creatorOf(creators, el.tag),
      dataset: ds,
    }),
  };
}

/**
 * Visits every element at every depth, parents before their items. `visit` returning false skips the
 * element's items.
 */
export function walkElements(
  source: ByteSource,
  root: Dataset,
  visit: (el: DicomElement, ctx: ElementContext) => boolean | undefined,
): void {
  const go = (ds: Dataset, path: ElementPath, inherited: string | undefined) => {
    const { charset, contextOf } = datasetContext(source, ds, path, inherited);
    for (const el of ds.elements) {
      if (visit(el, contextOf(el)) === false || !el.items) continue;
      for (const [i, item] of el.items.entries()) go(item, [...path, { tag: el.tag, item: i }], charset);
    }
  };
  go(root, [], undefined);
}
