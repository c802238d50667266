import { parse as parseYaml, stringify as stringifyYaml, YAMLParseError } from 'yaml';
import { ReportableError } from '../errors.js';
import type { TechnicalTextEdit, TechnicalTextEdits } from '../pixels/text-technical.js';
import { sortOptions } from './options.js';
import { getPreset } from './presets.js';
import { PROFILE_FORMAT_VERSION, type Profile } from './profile.js';
import { ruleToInput } from './rules.js';
import { profileErrorMap, profileFileSchema } from './schema.js';

export interface ProfileIssue {
  /** Where in the file, e.g. `rules[2].tag`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/**
 * A profile file that cannot be used. The message has one line per problem, `file: path: problem`,
 * and never quotes replacement values or file text beyond the offending name or tag.
 */
export class ProfileError extends ReportableError {
  override readonly name = 'ProfileError';
  constructor(
    readonly fileName: string,
    readonly issues: ReadonlyArray<ProfileIssue>,
  ) {
    super(
      issues.map((issue) => `${fileName}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`).join('\n'),
    );
  }
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

// Parser messages can quote the surrounding file text; only the reason and the position are kept.
function parseData(text: string, fileName: string): unknown {
  if (/\.json$/i.test(fileName)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec(String(error));
      const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
      throw new ProfileError(fileName, [{ path: '', message: `not valid JSON${where}` }]);
    }
  }
  try {
    return parseYaml(text);
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const where = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
    const reason = error.message.split(/ at line \d|:\n/)[0];
    throw new ProfileError(fileName, [{ path: '', message: `not valid YAML${where}: ${reason}` }]);
  }
}

/**
 * Reads a profile file: JSON when the name ends in .json, YAML otherwise. The base preset's options
 * are merged with the file's. Throws ProfileError listing every problem with its location.
 */
export function parseProfileFile(text: string, fileName: string): Profile {
  const data = parseData(text, fileName);
  const result = profileFileSchema.safeParse(data ?? {}, { error: profileErrorMap });
  if (!result.success) {
    throw new ProfileError(
      fileName,
      result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const file = result.data;
  const fromBase = getPreset(file.base).options.filter((option) => !file.withoutOptions.includes(option));
  return {
    version: PROFILE_FORMAT_VERSION,
    name: file.name,
    base: file.base,
    options: sortOptions([...fromBase, ...file.options]),
    dateShift: file.dateShift,
    rules: file.rules,
    pixelRules: file.pixelRules,
    ...withEdits(file.technicalText),
  };
}

/**
 * The edits that change something, fields in one order: a profile that states the defaults is the
 * default profile, with the same digest (a run resumes across it), and one that changes a list is not.
 */
function withEdits(edits: TechnicalTextEdits | undefined): { technicalText?: TechnicalTextEdits } {
  const kept: Record<string, TechnicalTextEdit> = {};
  for (const key of Object.keys(edits ?? {}).sort()) {
    const edit = edits![key]!;
    const fields = (['addWords', 'removeWords', 'addPatterns', 'removePatterns'] as const).filter(
      (field) => (edit[field]?.length ?? 0) > 0,
    );
    // Words are compared without case: written in capitals, as the default lists are.
    const value = (field: (typeof fields)[number]) =>
      field.endsWith('Words') ? edit[field]!.map((w) => w.toUpperCase()) : edit[field];
    if (fields.length > 0) kept[key] = Object.fromEntries(fields.map((field) => [field, value(field)]));
  }
  return Object.keys(kept).length > 0 ? { technicalText: kept } : {};
}

/** The profile as a file that parseProfileFile reads back to an equal profile. */
export function exportProfile(profile: Profile, format: 'json' | 'yaml'): string {
  const fromBase = getPreset(profile.base).options;
  const turnedOff = fromBase.filter((option) => !profile.options.includes(option));
  const content = {
    version: PROFILE_FORMAT_VERSION,
    name: profile.name,
    base: profile.base,
    options: profile.options.filter((option) => !fromBase.includes(option)),
    ...(turnedOff.length > 0 ? { withoutOptions: turnedOff } : {}),
    dateShift: { minDays: profile.dateShift.minDays, maxDays: profile.dateShift.maxDays },
    rules: profile.rules.map(ruleToInput),
    ...(profile.pixelRules.length > 0 ? { pixelRules: profile.pixelRules } : {}),
    ...(profile.technicalText ? { technicalText: profile.technicalText } : {}),
  };
  return format === 'json' ? `${JSON.stringify(content, null, 2)}\n` : stringifyYaml(content);
}
