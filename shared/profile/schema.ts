import { z } from 'zod';
import { allowPatternProblem, allowWordProblem } from '../pixels/allow-list-check.js';
import { defaultAllowList, OTHER_MODALITIES, type TechnicalTextEdit } from '../pixels/text-technical.js';
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

const pixels = (max: number, min = 0) =>
  z
    .int({ error: unlessMissing(() => 'must be a whole number of pixels') })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const rectSchema = z.strictObject({
  x: pixels(65534),
  y: pixels(65534),
  width: pixels(65535, 1),
  height: pixels(65535, 1),
});

const headerText = z.string().trim().min(1, { error: 'must not be empty' }).max(64, {
  error: 'must be at most 64 characters',
});

const regionMatchSchema = z
  .strictObject({
    sopInstanceUID: headerText.optional(),
    seriesInstanceUID: headerText.optional(),
    manufacturer: headerText.optional(),
    modelName: headerText.optional(),
    sopClassUID: headerText.optional(),
    modality: headerText.optional(),
    photometricInterpretation: headerText.optional(),
    rows: pixels(65535, 1).optional(),
    columns: pixels(65535, 1).optional(),
  })
  .refine((match) => Object.keys(match).length > 0, {
    error: 'give at least one condition: a rule for every file would black out every image',
  });

/** A pixel region rule: a template, boxes drawn on a file or series, or an acceptance ("send as is"). */
const regionRuleSchema = z
  .strictObject({
    label: z.string().trim().max(200, { error: 'must be at most 200 characters' }).optional(),
    match: regionMatchSchema,
    regions: z.array(rectSchema).max(1000, { error: 'must list at most 1000 regions' }).default([]),
    outsideUltrasoundRegions: z.boolean({ error: unlessMissing(() => 'must be true or false') }).optional(),
    accept: z.boolean({ error: unlessMissing(() => 'must be true or false') }).optional(),
    fill: z
      .int({ error: unlessMissing(() => 'must be a whole number') })
      .min(-32768, { error: 'must be at least -32768' })
      .max(65535, { error: 'must be at most 65535' })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    const cleans = rule.regions.length > 0 || rule.outsideUltrasoundRegions === true;
    if (rule.accept && cleans)
      ctx.addIssue({
        code: 'custom',
        path: ['accept'],
        message: 'a rule either accepts a file or cleans it, not both',
      });
    else if (!rule.accept && !cleans)
      ctx.addIssue({
        code: 'custom',
        path: ['regions'],
        message: 'give regions, outsideUltrasoundRegions: true, or accept: true',
      });
  });

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

// Enough for any screen's vocabulary; a list is compiled once a file and tried on every token read.
const MAX_LIST_WORDS = 500;
const MAX_LIST_PATTERNS = 50;

const checked = (problem: (text: string) => string | undefined) =>
  z.string().superRefine((text, ctx) => {
    const message = problem(text);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

const listWords = z
  .array(checked(allowWordProblem))
  .max(MAX_LIST_WORDS, { error: `must list at most ${MAX_LIST_WORDS} words` })
  .optional();
const listPatterns = z
  .array(checked(allowPatternProblem))
  .max(MAX_LIST_PATTERNS, { error: `must list at most ${MAX_LIST_PATTERNS} patterns` })
  .optional();

/** A profile's edit of one technical-text list; what it removes must be on the default, what it adds not. */
const technicalTextEditSchema = z.strictObject({
  addWords: listWords,
  removeWords: listWords,
  addPatterns: listPatterns,
  removePatterns: listPatterns,
});

const LIST_KEY = /^(?:[A-Z0-9_]{1,16}|other)$/;

/** Words and patterns compared as the classifier does: words without case, patterns as written. */
function checkAgainstDefault(key: string, edit: TechnicalTextEdit, ctx: z.core.$RefinementCtx): void {
  if (!LIST_KEY.test(key)) {
    ctx.addIssue({
      code: 'custom',
      path: ['technicalText', key],
      message: `must be a modality code in capitals (US, CT, XA…) or ${OTHER_MODALITIES}`,
    });
    return;
  }
  const base = defaultAllowList(key);
  const words = new Set(base.words);
  const patterns = new Set(base.patterns);
  const check = (field: keyof TechnicalTextEdit, onDefault: (item: string) => boolean, want: boolean) => {
    const seen = new Set<string>();
    (edit[field] ?? []).forEach((item, i) => {
      const same = field.endsWith('Words') ? item.toUpperCase() : item;
      const message = seen.has(same)
        ? 'is listed twice'
        : onDefault(same) !== want
          ? want
            ? `is not on the default list for ${key}, so there is nothing to remove`
            : `is already on the default list for ${key}`
          : undefined;
      seen.add(same);
      if (message) ctx.addIssue({ code: 'custom', path: ['technicalText', key, field, i], message });
    });
  };
  check('addWords', (w) => words.has(w), false);
  check('removeWords', (w) => words.has(w), true);
  check('addPatterns', (p) => patterns.has(p), false);
  check('removePatterns', (p) => patterns.has(p), true);
}

const optionName = z.enum(ALL_OPTIONS, {
  error: unlessMissing((input) => `${quote(input)} is not an option; options are ${ALL_OPTIONS.join(', ')}`),
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
    options: z.array(optionName).default([]),
    /** Options of the base preset this profile turns off (Clean Pixel Data is in every preset). */
    withoutOptions: z.array(optionName).default([]),
    dateShift: dateShiftSchema.default(DEFAULT_DATE_SHIFT),
    rules: z.array(ruleSchema).default([]),
    pixelRules: z.array(regionRuleSchema).default([]),
    /** Burned-in text the detector keeps, by modality: changes to the default lists. */
    technicalText: z.record(z.string(), technicalTextEditSchema).optional(),
  })
  .superRefine((file, ctx) => {
    const fromBase = new Set(getPreset(file.base).options);
    file.withoutOptions.forEach((option, i) => {
      const message = !fromBase.has(option)
        ? `base ${file.base} does not include ${option}, so there is nothing to turn off`
        : file.options.includes(option)
          ? `${option} is also listed in options`
          : undefined;
      if (message) ctx.addIssue({ code: 'custom', path: ['withoutOptions', i], message });
      else fromBase.delete(option);
    });
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
    for (const [key, edit] of Object.entries(file.technicalText ?? {})) checkAgainstDefault(key, edit, ctx);
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
