import { elementOf, groupOf, isPrivateGroup, type Tag } from '../dicom/tag.js';
import { tagForKeyword } from './keywords.js';
import {
  formatTagPattern,
  isExactPattern,
  matchesPattern,
  parseTagPattern,
  type TagPattern,
} from './tag-pattern.js';

export const RULE_ACTIONS = ['keep', 'remove', 'empty', 'replace', 'remapUid', 'shiftDate', 'hash'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/**
 * What a custom rule applies to. Standard attributes are named by tag or keyword (either may be a
 * repeating-group pattern such as (60xx,3000)); private attributes by creator, group and element
 * low byte, because the block byte in (gggg,xxee) differs from file to file.
 */
export type RuleTarget =
  | { readonly kind: 'tag'; readonly text: string; readonly pattern: TagPattern }
  | { readonly kind: 'keyword'; readonly keyword: string; readonly pattern: TagPattern }
  | {
      readonly kind: 'private';
      readonly creator: string;
      readonly group: number;
      readonly elementLowByte: number;
    };

export interface CompiledRule {
  readonly target: RuleTarget;
  readonly action: RuleAction;
  /** Only for `replace`. */
  readonly value?: string;
}

/** A rule as written in a profile file, after type checks. */
export interface RuleInput {
  readonly tag?: string | undefined;
  readonly keyword?: string | undefined;
  readonly private?:
    | { readonly creator: string; readonly group: string; readonly element: string }
    | undefined;
  readonly action: RuleAction;
  readonly value?: string | undefined;
}

/** Reports a problem at a path relative to the rule, e.g. ['private', 'group']. */
export type ReportProblem = (path: ReadonlyArray<string>, message: string) => void;

/**
 * Quotes a name or tag from a profile file for an error message, cut short to keep the message one
 * line. Replacement values are never passed here: they may hold the very names a profile removes.
 */
export const quote = (input: unknown): string => {
  const text = typeof input === 'string' ? input : String(JSON.stringify(input));
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
};

const hex = (n: number, digits: number): string => n.toString(16).toUpperCase().padStart(digits, '0');

/** Trailing spaces are DICOM padding of the LO value, not part of the creator. */
const trimCreator = (creator: string): string => creator.replace(/ +$/, '');

function compileTarget(input: RuleInput, report: ReportProblem): RuleTarget | undefined {
  const given = [input.tag, input.keyword, input.private].filter((x) => x !== undefined).length;
  if (given !== 1) {
    report([], 'give exactly one of tag, keyword or private');
    return undefined;
  }
  if (input.tag !== undefined) {
    const pattern = parseTagPattern(input.tag);
    if (!pattern) {
      report(['tag'], `${quote(input.tag)} is not a tag like (gggg,eeee)`);
      return undefined;
    }
    if (isPrivateGroup(pattern.value >>> 16)) {
      report(
        ['tag'],
        `${formatTagPattern(pattern)} is private: name it with private: { creator, group, element }`,
      );
      return undefined;
    }
    return { kind: 'tag', text: formatTagPattern(pattern), pattern };
  }
  if (input.keyword !== undefined) {
    const pattern = tagForKeyword(input.keyword);
    if (!pattern) {
      report(['keyword'], `${quote(input.keyword)} is not a DICOM keyword (PS3.6, case-sensitive)`);
      return undefined;
    }
    return { kind: 'keyword', keyword: input.keyword, pattern };
  }
  const { creator, group, element } = input.private!;
  const groupNumber = /^[0-9a-f]{4}$/i.test(group) ? Number.parseInt(group, 16) : undefined;
  const elementMatch = /^(?:xx)?([0-9a-f]{2})$/i.exec(element);
  let ok = true;
  if (trimCreator(creator) === '') {
    report(['private', 'creator'], 'must not be empty');
    ok = false;
  }
  if (groupNumber === undefined || !isPrivateGroup(groupNumber)) {
    report(['private', 'group'], `${quote(group)} is not a private group: 4 hex digits, odd, above 0008`);
    ok = false;
  }
  if (!elementMatch) {
    report(['private', 'element'], `${quote(element)} is not an element byte like "10" (as in (gggg,xx10))`);
    ok = false;
  }
  if (!ok) return undefined;
  return {
    kind: 'private',
    creator: trimCreator(creator),
    group: groupNumber!,
    elementLowByte: Number.parseInt(elementMatch![1]!, 16),
  };
}

/** Checks one rule and compiles it; undefined after reporting when it has a problem. */
export function compileRule(input: RuleInput, report: ReportProblem): CompiledRule | undefined {
  const target = compileTarget(input, report);
  if (input.action === 'replace' && input.value === undefined) {
    report(['value'], 'action replace needs a value');
    return undefined;
  }
  if (input.action !== 'replace' && input.value !== undefined) {
    report(['value'], `only action replace takes a value, not ${input.action}`);
    return undefined;
  }
  if (!target) return undefined;
  return input.value === undefined
    ? { target, action: input.action }
    : { target, action: input.action, value: input.value };
}

/** The rule as a profile file writes it; compileRule(ruleToInput(r)) gives back r. */
export function ruleToInput(rule: CompiledRule): RuleInput {
  const { target } = rule;
  const selector =
    target.kind === 'tag'
      ? { tag: target.text }
      : target.kind === 'keyword'
        ? { keyword: target.keyword }
        : {
            private: {
              creator: target.creator,
              group: hex(target.group, 4),
              element: hex(target.elementLowByte, 2),
            },
          };
  return rule.value === undefined
    ? { ...selector, action: rule.action }
    : { ...selector, action: rule.action, value: rule.value };
}

const privateKey = (creator: string, group: number, elementLowByte: number): string =>
  `${hex(group, 4)}${hex(elementLowByte, 2)}\0${creator}`;

/** Two rules with the same key address the same attributes, which a profile must not do. */
export function ruleKey(rule: CompiledRule): string {
  const { target } = rule;
  return target.kind === 'private'
    ? privateKey(target.creator, target.group, target.elementLowByte)
    : formatTagPattern(target.pattern);
}

interface RuleIndex {
  readonly exact: ReadonlyMap<Tag, CompiledRule>;
  readonly patterns: ReadonlyArray<{ readonly pattern: TagPattern; readonly rule: CompiledRule }>;
  readonly private: ReadonlyMap<string, CompiledRule>;
}

// Profiles are plain data (so they compare and serialise simply); the lookup index is built once per
// rules array and dropped with it.
const indexes = new WeakMap<ReadonlyArray<CompiledRule>, RuleIndex>();

function indexFor(rules: ReadonlyArray<CompiledRule>): RuleIndex {
  let index = indexes.get(rules);
  if (!index) {
    const exact = new Map<Tag, CompiledRule>();
    const patterns: Array<{ readonly pattern: TagPattern; readonly rule: CompiledRule }> = [];
    const byPrivate = new Map<string, CompiledRule>();
    for (const rule of rules) {
      const { target } = rule;
      if (target.kind === 'private') {
        byPrivate.set(privateKey(target.creator, target.group, target.elementLowByte), rule);
      } else if (isExactPattern(target.pattern)) {
        exact.set(target.pattern.value, rule);
      } else {
        patterns.push({ pattern: target.pattern, rule });
      }
    }
    index = { exact, patterns, private: byPrivate };
    indexes.set(rules, index);
  }
  return index;
}

/**
 * The custom rule for an attribute, if the profile has one. An exact tag or keyword rule wins over a
 * repeating-group pattern. A private data element (gggg,xxee) needs the creator of its block; private
 * creator elements themselves are never matched, since they go wherever their block's elements go.
 */
export function ruleFor(
  profile: { readonly rules: ReadonlyArray<CompiledRule> },
  tag: Tag,
  privateCreator?: string,
): CompiledRule | undefined {
  const index = indexFor(profile.rules);
  if (isPrivateGroup(groupOf(tag))) {
    if (privateCreator === undefined || elementOf(tag) < 0x1000) return undefined;
    return index.private.get(privateKey(trimCreator(privateCreator), groupOf(tag), tag & 0xff));
  }
  return index.exact.get(tag) ?? index.patterns.find(({ pattern }) => matchesPattern(pattern, tag))?.rule;
}
