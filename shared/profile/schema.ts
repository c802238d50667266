import { z } from 'zod';
import { ALL_OPTIONS, findOptionConflict } from './options.js';
import { getPreset, PRESET_NAMES } from './presets.js';
import { DEFAULT_DATE_SHIFT, PROFILE_FORMAT_VERSION } from './profile.js';
import { compileRule, quote, RULE_ACTIONS, ruleKey } from './rules.js';

/** A century either way; anything larger is a typo. */
const DATE_SHIFT_LIMIT_DAYS = 36500;

// Field-specific messages: undefined falls through to the generic wording in profileErrorMap.
const unlessMissing =
  (message: (input: unknown) => string) =>
  (issue: { readonly input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : message(issue.input);

const hexText = (example: string) =>
  z.string({ error: unlessMissing(() => `must be quoted hex text such as "${example}"`) });

const ruleSchema = z
  .strictObject({
    tag: z.string().optional(),
    keyword: z.string().optional(),
    private: z
      .strictObject({ creator: z.string(), group: hexText('0029'), element: hexText('10') })
      .optional(),
    action: z.enum(RULE_ACTIONS, {
      error: unlessMissing(
        (input) => `${quote(input)} is not an action; actions are ${RULE_ACTIONS.join(', ')}`,
      ),
    }),
    value: z.string().optional(),
  })
  .transform(
    (input, ctx) =>
      compileRule(input, (path, message) =>
        ctx.issues.push({ code: 'custom', path: [...path], message, input }),
      ) ?? z.NEVER,
  );

const days = z
  .int({ error: unlessMissing(() => 'must be a whole number of days') })
  .min(-DATE_SHIFT_LIMIT_DAYS, { error: `must be at least -${DATE_SHIFT_LIMIT_DAYS}` })
  .max(DATE_SHIFT_LIMIT_DAYS, { error: `must be at most ${DATE_SHIFT_LIMIT_DAYS}` });

const dateShiftSchema = z.strictObject({ minDays: days, maxDays: days }).superRefine((range, ctx) => {
  if (range.minDays > range.maxDays) {
    ctx.addIssue({ code: 'custom', path: ['maxDays'], message: 'must not be less than minDays' });
  } else if (range.minDays <= 0 && range.maxDays >= 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'the range must not include 0: a shift of 0 days keeps the real dates',
    });
  }
});

/** A profile file (JSON or YAML) as parsed: options are the file's own, not yet merged with the base's. */
export const profileFileSchema = z
  .strictObject({
    version: z
      .literal(PROFILE_FORMAT_VERSION, {
        error: unlessMissing(() => `this program reads profile files of version ${PROFILE_FORMAT_VERSION}`),
      })
      .optional(),
    name: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(200, { error: 'must be at most 200 characters' }),
    base: z
      .enum(PRESET_NAMES, {
        error: unlessMissing(
          (input) => `${quote(input)} is not a preset; presets are ${PRESET_NAMES.join(', ')}`,
        ),
      })
      .default('basic'),
    options: z
      .array(
        z.enum(ALL_OPTIONS, {
          error: unlessMissing(
            (input) => `${quote(input)} is not an option; options are ${ALL_OPTIONS.join(', ')}`,
          ),
        }),
      )
      .default([]),
    dateShift: dateShiftSchema.default(DEFAULT_DATE_SHIFT),
    rules: z.array(ruleSchema).default([]),
  })
  .superRefine((file, ctx) => {
    const fromBase = new Set(getPreset(file.base).options);
    const selected = new Set(fromBase);
    file.options.forEach((option, i) => {
      selected.add(option);
      const conflict = findOptionConflict(selected);
      if (!conflict) return;
      const other = conflict[0] === option ? conflict[1] : conflict[0];
      const source = fromBase.has(other) ? `, which base ${file.base} includes` : '';
      ctx.addIssue({
        code: 'custom',
        path: ['options', i],
        message: `${option} cannot be combined with ${other}${source}`,
      });
      selected.delete(option);
    });
    const seen = new Map<string, number>();
    file.rules.forEach((rule, i) => {
      const key = ruleKey(rule);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i],
          message: `names the same attributes as rules[${first}]`,
        });
    });
  });

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'a mapping of fields',
};

/** Generic wording for type and unknown-field problems, used for every parse of a profile file. */
export const profileErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? 'is required'
      : `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(quote).join(', ')}`;
  }
  return undefined;
};
