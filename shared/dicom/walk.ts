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

/**
 * One dataset met by a walk: where it sits, the character set in force in it, and its elements' contexts,
 * made only when asked for (most callers look at few elements closely). Its private blocks' creators are
 * read on the first question about one.
 */
export class DatasetScope {
  private creators: Map<number, string> | undefined;
  private prefix: string | undefined;

  constructor(
    private readonly source: ByteSource,
    readonly dataset: Dataset,
    readonly path: ElementPath,
    /** Specific Character Set in force, redeclared by items that carry their own (0008,0005). */
    readonly charset: string | undefined,
  ) {}

  /** For private elements, the creator that reserved their block, trimmed. Bound: callers destructure it. */
  readonly creatorOf = (tag: Tag): string | undefined => {
    if (!isPrivateGroup(groupOf(tag))) return undefined;
    this.creators ??= privateCreators(this.source, this.dataset);
    return creatorOf(this.creators, tag);
  };

  /** The path as people read it, up to this dataset: `(0040,0275)[0].`, or empty at the top. */
  get pathPrefix(): string {
    if (this.path.length === 0) return '';
    this.prefix ??= this.path.map((p) => `${formatTag(p.tag)}[${p.item}].`).join('');
    return this.prefix;
  }

  /** Bound, like creatorOf. */
  readonly contextOf = (el: DicomElement): ElementContext => ({
    path: this.path,
    charset: this.charset,
    vr: effectiveVR(el),
    privateCreator: this.creatorOf(el.tag),
    dataset: this.dataset,
  });
}

/** What the elements of one dataset share: the character set in force and their private blocks' creators. */
export const datasetContext = (
  source: ByteSource,
  ds: Dataset,
  path: ElementPath,
  inherited: string | undefined,
): DatasetScope => new DatasetScope(source, ds, path, datasetCharset(source, ds, inherited));

/**
 * Visits every element at every depth, parents before their items, with the scope of the dataset that
 * holds it. `visit` returning false skips the element's items.
 */
export function walkScoped(
  source: ByteSource,
  root: Dataset,
  visit: (el: DicomElement, scope: DatasetScope) => boolean | undefined,
): void {
  const go = (scope: DatasetScope) => {
    for (const el of scope.dataset.elements) {
      if (visit(el, scope) === false || !el.items) continue;
      // By index: an iterator and an entry array per item cost more than the walk's own work on small ones.
      for (let i = 0; i < el.items.length; i++)
        go(datasetContext(source, el.items.at(i)!, [...scope.path, { tag: el.tag, item: i }], scope.charset));
    }
  };
  go(datasetContext(source, root, [], undefined));
}

/** walkScoped with each element's context made for it. */
export const walkElements = (
  source: ByteSource,
  root: Dataset,
  visit: (el: DicomElement, ctx: ElementContext) => boolean | undefined,
): void => walkScoped(source, root, (el, scope) => visit(el, scope.contextOf(el)));
