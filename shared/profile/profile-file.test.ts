import { describe, expect, it } from 'vitest';
import { getPreset, isPresetName, listPresets, PRESET_NAMES } from './presets.js';
import { DEFAULT_DATE_SHIFT, type Profile } from './profile.js';
import { exportProfile, ProfileError, parseProfileFile } from './profile-file.js';
import { ruleFor } from './rules.js';

const YAML_PROFILE = `
name: "My research profile"
base: research
options: [cleanDescriptors, retainPatientCharacteristics]
dateShift: { minDays: -3650, maxDays: -365 }
rules:
  - tag: "(0008,1030)"
    action: keep
  - keyword: PatientName
    action: replace
    value: "Anonymous"
  - private: { creator: "SIEMENS CSA HEADER", group: "0029", element: "10" }
    action: remove
`;

function errorOf(text: string, fileName = 'profile.yaml'): ProfileError {
  try {
    parseProfileFile(text, fileName);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return error as ProfileError;
  }
  throw new Error('expected a ProfileError');
}

describe('parseProfileFile', () => {
  it('reads YAML, merging the base preset options in table order', () => {
    const profile = parseProfileFile(YAML_PROFILE, 'mine.yaml');
    expect(profile).toMatchObject({
      version: 1,
      name: 'My research profile',
      base: 'research',
      options: [
        'retainPatientCharacteristics',
        'retainLongModifiedDates',
        'cleanDescriptors',
        'cleanPixelData',
      ],
      dateShift: { minDays: -3650, maxDays: -365 },
    });
    expect(ruleFor(profile, 0x00081030)?.action).toBe('keep');
    expect(ruleFor(profile, 0x00100010)).toMatchObject({ action: 'replace', value: 'Anonymous' });
    expect(ruleFor(profile, 0x00291110, 'SIEMENS CSA HEADER')?.action).toBe('remove');
  });

  it('reads JSON to the same profile', () => {
    const json = JSON.stringify({
      name: 'My research profile',
      base: 'research',
      options: ['cleanDescriptors', 'retainPatientCharacteristics'],
      dateShift: { minDays: -3650, maxDays: -365 },
      rules: [
        { tag: '(0008,1030)', action: 'keep' },
        { keyword: 'PatientName', action: 'replace', value: 'Anonymous' },
        { private: { creator: 'SIEMENS CSA HEADER', group: '0029', element: '10' }, action: 'remove' },
      ],
    });
    expect(parseProfileFile(json, 'mine.json')).toEqual(parseProfileFile(YAML_PROFILE, 'mine.yml'));
  });

  it('defaults to the Basic preset with no options, the default date shift and no rules', () => {
    expect(parseProfileFile('name: Plain', 'plain.yaml')).toEqual({ ...getPreset('basic'), name: 'Plain' });
  });

  it.each<[string, string, string]>([
    [
      'a malformed tag',
      'name: x\nrules:\n  - tag: "(0008,10"\n    action: keep',
      'rules[0].tag: "(0008,10" is not a tag like (gggg,eeee)',
    ],
    [
      'an unknown keyword',
      'name: x\nrules:\n  - keyword: StudyDesc\n    action: keep',
      'rules[0].keyword: "StudyDesc" is not a DICOM keyword',
    ],
    [
      'a bad option name',
      'name: x\noptions: [retainUIDs, retainUID]',
      'options[1]: "retainUID" is not an option; options are retainSafePrivate, ',
    ],
    [
      'both date options',
      'name: x\noptions: [retainLongFullDates, retainLongModifiedDates]',
      'options[1]: retainLongModifiedDates cannot be combined with retainLongFullDates',
    ],
    [
      'full dates on the research base',
      'name: x\nbase: research\noptions: [retainLongFullDates]',
      'options[0]: retainLongFullDates cannot be combined with retainLongModifiedDates, which base research includes',
    ],
    [
      'replace without a value',
      'name: x\nrules:\n  - tag: "(0008,1030)"\n    action: replace',
      'rules[0].value: action replace needs a value',
    ],
    [
      'a value on another action',
      'name: x\nrules:\n  - keyword: PatientName\n    action: remove\n    value: DOE^JOHN',
      'rules[0].value: only action replace takes a value, not remove',
    ],
    [
      'an unknown base',
      'name: x\nbase: strict',
      'base: "strict" is not a preset; presets are basic, research, relinkable',
    ],
    ['a missing name', 'base: basic', 'name: is required'],
    ['an empty name', 'name: "  "', 'name: must not be empty'],
    [
      'an unknown action',
      'name: x\nrules:\n  - tag: "(0008,1030)"\n    action: delete',
      'rules[0].action: "delete" is not an action; actions are keep, remove',
    ],
    [
      'an unquoted private group',
      'name: x\nrules:\n  - private: { creator: C, group: 0029, element: "10" }\n    action: keep',
      'rules[0].private.group: must be quoted hex text such as "0029"',
    ],
    [
      'a private tag given as tag',
      'name: x\nrules:\n  - tag: "(0029,1010)"\n    action: keep',
      'rules[0].tag: (0029,1010) is private: name it with private',
    ],
    [
      'two rules for one attribute',
      'name: x\nrules:\n  - tag: "(0008,1030)"\n    action: keep\n  - keyword: StudyDescription\n    action: hash',
      'rules[1]: names the same attributes as rules[0]',
    ],
    [
      'a date shift range including 0',
      'name: x\ndateShift: { minDays: -10, maxDays: 10 }',
      'dateShift: the range must not include 0',
    ],
    [
      'turning off an option the base does not give',
      'name: x\nwithoutOptions: [retainUIDs]',
      'withoutOptions[0]: base basic does not include retainUIDs, so there is nothing to turn off',
    ],
    [
      'an option both added and turned off',
      'name: x\noptions: [cleanPixelData]\nwithoutOptions: [cleanPixelData]',
      'withoutOptions[0]: cleanPixelData is also listed in options',
    ],
    [
      'a pixel rule without conditions',
      'name: x\npixelRules:\n  - match: {}\n    regions: [{ x: 0, y: 0, width: 10, height: 10 }]',
      'pixelRules[0].match: give at least one condition',
    ],
    [
      'a pixel rule that neither cleans nor accepts',
      'name: x\npixelRules:\n  - match: { modality: US }',
      'pixelRules[0].regions: give regions, outsideUltrasoundRegions: true, or accept: true',
    ],
    [
      'a pixel rule that both cleans and accepts',
      'name: x\npixelRules:\n  - match: { modality: US }\n    regions: [{ x: 0, y: 0, width: 1, height: 1 }]\n    accept: true',
      'pixelRules[0].accept: a rule either accepts a file or cleans it, not both',
    ],
    [
      'an empty region',
      'name: x\npixelRules:\n  - match: { rows: 480 }\n    regions: [{ x: 0, y: -1, width: 0, height: 5 }]',
      'pixelRules[0].regions[0].y: must be at least 0',
    ],
    [
      'an unknown match field',
      'name: x\npixelRules:\n  - match: { PatientName: X }\n    accept: true',
      'pixelRules[0].match: unknown field "PatientName"',
    ],
    [
      'a reversed date shift range',
      'name: x\ndateShift: { minDays: -10, maxDays: -20 }',
      'dateShift.maxDays: must not be less than minDays',
    ],
    [
      'a fractional date shift',
      'name: x\ndateShift: { minDays: -10.5, maxDays: -2 }',
      'dateShift.minDays: must be a whole number of days',
    ],
    ['an unknown field', 'name: x\nrule: []', 'unknown field "rule"'],
    ['a wrong type', 'name: x\nrules: {}', 'rules: must be a list'],
    [
      'an unsupported version',
      'version: 2\nname: x',
      'version: this program reads profile files of version 1',
    ],
    [
      'invalid YAML',
      'name: x\n  bad: : y',
      'not valid YAML at line 1, column 7: Nested mappings are not allowed',
    ],
    ['a repeated key', 'name: x\nname: y', 'not valid YAML at line 2, column 1: Map keys must be unique'],
    [
      'an allow-list pattern that keeps dates',
      'name: x\ntechnicalText:\n  US:\n    addPatterns: ["\\\\d{1,2}/\\\\d{1,2}/\\\\d{4}"]',
      'technicalText.US.addPatterns[0]: would keep a date (it matches "17/03/1984")',
    ],
    [
      'an allow-list pattern that can backtrack for ever',
      'name: x\ntechnicalText:\n  other:\n    addPatterns: ["(x+)+y"]',
      'technicalText.other.addPatterns[0]: repeats a group that itself repeats',
    ],
    [
      'an allow-list pattern that matches anything',
      'name: x\ntechnicalText:\n  CT:\n    addPatterns: [".*"]',
      'technicalText.CT.addPatterns[0]: matches an empty token',
    ],
    [
      'removing a word the default list does not have',
      'name: x\ntechnicalText:\n  US:\n    removeWords: [KVP]',
      'technicalText.US.removeWords[0]: is not on the default list for US, so there is nothing to remove',
    ],
    [
      'adding a default word',
      'name: x\ntechnicalText:\n  XA:\n    addWords: [lao]',
      'technicalText.XA.addWords[0]: is already on the default list for XA',
    ],
    [
      'a lower-case modality',
      'name: x\ntechnicalText:\n  us:\n    addWords: [LVOT]',
      'technicalText.us: must be a modality code in capitals (US, CT, XA…) or other',
    ],
    [
      'a word with spaces',
      'name: x\ntechnicalText:\n  US:\n    addWords: ["LV OT"]',
      'technicalText.US.addWords[0]: a word is one token, without spaces',
    ],
  ])('reports %s at its location', (_, text, expected) => {
    expect(errorOf(text).message).toContain(`profile.yaml: ${expected}`);
  });

  it('reports every problem, one line each, with the file name', () => {
    const error = errorOf('name: x\nbase: strict\noptions: [nope]\nrules:\n  - tag: bad\n    action: keep');
    expect(error.issues.map((issue) => issue.path)).toEqual(['base', 'options[0]', 'rules[0].tag']);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.fileName).toBe('profile.yaml');
  });

  it('reports invalid JSON with its position but not the file text', () => {
    const error = errorOf('{\n  "name": "DOE^JOHN",\n  oops\n}', 'p.json');
    expect(error.message).toMatch(/^p\.json: not valid JSON at line 3, column \d+$/);
  });

  it('does not echo replacement values or file text in messages', () => {
    const message = errorOf(
      'name: x\nrules:\n  - keyword: PatientName\n    action: keep\n    value: DOE^JOHN',
    ).message;
    expect(message).not.toContain('DOE');
    expect(errorOf('name: DOE^JOHN\n  x: : y').message).not.toContain('DOE');
  });
});

describe('presets', () => {
  it('are basic, research and relinkable with their options', () => {
    expect(PRESET_NAMES).toEqual(['basic', 'research', 'relinkable']);
    expect(listPresets().map(({ name, label, options }) => [name, label, options])).toEqual([
      ['basic', 'Basic: remove identity, new UIDs', ['cleanPixelData']],
      [
        'research',
        'Research: keep age and sex, shift dates',
        ['retainPatientCharacteristics', 'retainLongModifiedDates', 'cleanPixelData'],
      ],
      ['relinkable', 'Relinkable: keep original UIDs', ['retainUIDs', 'cleanPixelData']],
    ]);
    expect(isPresetName('research')).toBe(true);
    expect(isPresetName('Research')).toBe(false);
    expect(getPreset('relinkable')).toEqual({
      version: 1,
      name: 'Relinkable: keep original UIDs',
      base: 'relinkable',
      options: ['retainUIDs', 'cleanPixelData'],
      dateShift: DEFAULT_DATE_SHIFT,
      rules: [],
      pixelRules: [],
    });
  });
});

describe('exportProfile', () => {
  const custom = parseProfileFile(
    `${YAML_PROFILE}  - keyword: OverlayData\n    action: empty\n  - tag: "(0020,31xx)"\n    action: hash\n  - keyword: StudyDate\n    action: shiftDate\n  - private: { creator: "a: b #c", group: "0029", element: "0A" }\n    action: replace\n    value: "0029"\n`,
    'custom.yaml',
  );
  const profiles: Array<[string, Profile]> = [
    ...PRESET_NAMES.map((name): [string, Profile] => [name, getPreset(name)]),
    ['custom', custom],
    ['quoted name', { ...getPreset('basic'), name: 'yes: "no" # 0029' }],
    [
      'pixel rules, Clean Pixel Data off',
      {
        ...getPreset('research'),
        name: 'pixels',
        options: ['retainPatientCharacteristics', 'retainLongModifiedDates'],
        pixelRules: [
          {
            label: 'drawn',
            match: { seriesInstanceUID: '1.2.3', rows: 480 },
            regions: [{ x: 1, y: 2, width: 3, height: 4 }],
            fill: 0,
          },
          { match: { modality: 'US' }, regions: [], outsideUltrasoundRegions: true },
          { match: { sopInstanceUID: '1.2.3.4' }, regions: [], accept: true },
        ],
      },
    ],
  ];

  it.each(profiles)('round-trips the %s profile through JSON and YAML', (_, profile) => {
    for (const format of ['json', 'yaml'] as const) {
      const text = exportProfile(profile, format);
      expect(parseProfileFile(text, `exported.${format}`)).toEqual(profile);
    }
  });

  it('carries the technical-text lists: words in capitals, lists that change nothing left out', () => {
    const profile = parseProfileFile(
      [
        'name: Echo lab',
        'technicalText:',
        '  US:',
        '    addWords: [lvot, EF]',
        '    removeWords: [LIVER]',
        '    addPatterns: ["\\\\d{2,3}/\\\\d{2,3}mmHg"]',
        '  CT: { addWords: [] }',
      ].join('\n'),
      'echo.yaml',
    );
    expect(profile.technicalText).toEqual({
      US: { addWords: ['LVOT', 'EF'], removeWords: ['LIVER'], addPatterns: ['\\d{2,3}/\\d{2,3}mmHg'] },
    });
    for (const format of ['json', 'yaml'] as const)
      expect(parseProfileFile(exportProfile(profile, format), `x.${format}`)).toEqual(profile);
    // Stating no change is the default profile.
    expect(parseProfileFile('name: x\ntechnicalText: { US: {} }', 'x.yaml')).toEqual(
      parseProfileFile('name: x', 'x.yaml'),
    );
  });

  it('turns off what the base gives through withoutOptions', () => {
    const profile = parseProfileFile('name: x\nbase: relinkable\nwithoutOptions: [cleanPixelData]', 'x.yaml');
    expect(profile.options).toEqual(['retainUIDs']);
    expect(JSON.parse(exportProfile(profile, 'json')).withoutOptions).toEqual(['cleanPixelData']);
  });

  it('writes only the options the base does not already give', () => {
    const text = exportProfile(custom, 'json');
    expect(JSON.parse(text).options).toEqual(['cleanDescriptors']);
  });
});
