import { anonymize } from '../shared/anonymize/index.js';
import type { AnonymizationKey } from '../shared/anonymize/key.js';
import type { DicomElement, ParsedDicom } from '../shared/dicom/model.js';
import { formatTag, isGroupLength, parseTag } from '../shared/dicom/tag.js';
import { EXPLICIT_LE } from '../shared/dicom/transfer-syntax.js';
import { type ElementContext, walkElements } from '../shared/dicom/walk.js';
import { lookup } from '../shared/dictionary/index.js';
import { errorText } from '../shared/errors.js';
import type { FindingGroup, HeaderLine, Inspection } from '../shared/ipc/contract.js';
import type { Profile } from '../shared/profile/index.js';
import { CATEGORIES } from '../shared/scan/categories.js';
import { displayValue, scanParsed } from '../shared/scan/scan.js';
import { imageInfo } from './app-image.js';
import { BURNED_IN } from './app-library.js';

type Planned = NonNullable<ReturnType<typeof anonymize>['actions']>[number];

// The engine rebuilds the file meta rather than editing it: Media Storage SOP Instance UID repeats the
// new SOP Instance UID, and nothing else identifying is carried over.
const META_TWIN: Readonly<Record<string, string>> = { '(0002,0003)': '(0008,0018)' };

/**
 * The engine explains each element it decided on. Elements inside a sequence that goes (removed, or
 * emptied of its items) get no decision of their own: they go with it.
 */
const plannedFor = (
  planned: ReadonlyMap<string, Planned>,
  path: string,
): Pick<Planned, 'action' | 'preview'> => planned.get(META_TWIN[path] ?? path) ?? { action: 'removed' };

/** `(0040,0275)[0].(0032,1060)` → `RequestAttributesSequence #1 ›`: the sequences above the attribute. */
export function readablePath(path: string): string {
  const steps = path.split('.').slice(0, -1);
  return steps
    .map((step) => {
      const match = /^(\([0-9A-F]{4},[0-9A-F]{4}\))\[(\d+)\]$/.exec(step);
      if (!match) return step;
      const tag = parseTag(match[1]!);
      const keyword = tag === undefined ? undefined : lookup(tag)?.keyword;
      return `${keyword || match[1]} #${Number(match[2]) + 1} ›`;
    })
    .join(' ');
}

/** Each attribute of the file meta, then of the dataset, as the header view shows it, with where it sits. */
export function walkHeader(
  parsed: ParsedDicom,
  visit: (line: HeaderLine, el: DicomElement, ctx: ElementContext, source: ParsedDicom['source']) => void,
): void {
  const add = (source: ParsedDicom['source'], elements: ParsedDicom['dataset']) =>
    walkElements(source, elements, (el, ctx): undefined => {
      if (isGroupLength(el.tag)) return;
      const line = {
        tag: formatTag(el.tag),
        keyword:
          lookup(el.tag)?.keyword || (ctx.privateCreator ? `Private (${ctx.privateCreator})` : 'Private'),
        vr: ctx.vr,
        depth: ctx.path.length,
        value: displayValue(source, el, ctx),
      };
      visit(line, el, ctx, source);
    });
  add(parsed.fileSource, { elements: parsed.meta, syntax: EXPLICIT_LE });
  add(parsed.source, parsed.dataset);
}

function header(parsed: ParsedDicom): HeaderLine[] {
  const lines: HeaderLine[] = [];
  walkHeader(parsed, (line) => lines.push(line));
  return lines;
}

export interface InspectOptions {
  readonly profile: Profile;
  readonly key: AnonymizationKey;
  readonly toolVersion: string;
}

/**
 * Everything the inspector shows about one file: its identifying attributes by category with their values
 * and what the profile will do to each, the burned-in risk, the whole header and what the image is.
 * For the screen only: this holds values, and nothing here goes into a report.
 */
/** The header side of an inspection; the pixel rules that apply come from the app's region store. */
export function inspectParsed(
  parsed: ParsedDicom,
  options: InspectOptions,
): Omit<Inspection, 'id' | 'name' | 'pixelRules' | 'device'> {
  const scan = scanParsed(parsed, { withValues: true });
  let planned: Map<string, Planned> | undefined;
  let actionsUnavailable: string | undefined;
  if (options.key) {
    try {
      const result = anonymize(parsed, {
        profile: options.profile,
        key: options.key,
        toolVersion: options.toolVersion,
        explain: true,
      });
      planned = new Map((result.actions ?? []).map((action) => [action.path, action]));
    } catch (error) {
      actionsUnavailable = `What will be done cannot be shown: ${errorText(error)}`;
    }
  } else {
    actionsUnavailable =
      'Create or import a project key (Profile screen) to see what will be done to each attribute.';
  }
  const groups: FindingGroup[] = CATEGORIES.map(({ id, label }) => ({
    category: id,
    label,
    findings: scan.findings.flatMap((finding, i) => {
      if (finding.category !== id || !finding.present) return [];
      const plan = planned && plannedFor(planned, finding.path);
      return [
        {
          tag: finding.tag,
          keyword: finding.keyword || (finding.privateCreator ? `Private (${finding.privateCreator})` : ''),
          path: readablePath(finding.path),
          value: scan.values[i] ?? '',
          action: plan?.action ?? null,
          ...(plan?.preview !== undefined ? { preview: plan.preview } : {}),
        },
      ];
    }),
  })).filter((group) => group.findings.length > 0);
  return {
    groups,
    burnedIn: {
      risk: BURNED_IN[scan.burnedIn.risk],
      reasons: scan.burnedIn.risk === 'unlikely' ? [] : [scan.burnedIn.reason],
    },
    header: header(parsed),
    image: imageInfo(parsed),
    ...(actionsUnavailable ? { actionsUnavailable } : {}),
  };
}
