import { describe, expect, it } from 'vitest';
import { tagForKeyword } from './keywords.js';
import { type CompiledRule, compileRule, type RuleInput, ruleFor, ruleKey, ruleToInput } from './rules.js';

function compile(input: RuleInput): CompiledRule {
  const problems: string[] = [];
  const rule = compileRule(input, (path, message) => problems.push(`${path.join('.')}: ${message}`));
  expect(problems).toEqual([]);
  return rule!;
}

const profileOf = (...inputs: RuleInput[]) => ({ rules: inputs.map(compile) });

describe('keywords', () => {
  it('map PS3.6 keywords to tags, repeating groups as patterns', () => {
    expect(tagForKeyword('StudyDescription')).toEqual({ mask: 0xffffffff, value: 0x00081030 });
    expect(tagForKeyword('OverlayData')).toEqual({ mask: 0xff00ffff, value: 0x60003000 });
    expect(tagForKeyword('studydescription')).toBeUndefined();
  });
});

describe('ruleFor', () => {
  const profile = profileOf(
    { tag: '(0008,1030)', action: 'keep' },
    { keyword: 'SeriesDescription', action: 'replace', value: 'Series' },
    { keyword: 'OverlayData', action: 'remove' },
    { tag: '(6002,3000)', action: 'empty' },
    { private: { creator: 'SIEMENS CSA HEADER', group: '0029', element: '10' }, action: 'keep' },
  );

  it('finds rules by tag and by keyword', () => {
    expect(ruleFor(profile, 0x00081030)?.action).toBe('keep');
    expect(ruleFor(profile, 0x0008103e)).toMatchObject({ action: 'replace', value: 'Series' });
    expect(ruleFor(profile, 0x00100010)).toBeUndefined();
  });

  it('prefers an exact tag over a repeating-group pattern, which covers only even groups 00-1E', () => {
    expect(ruleFor(profile, 0x60023000)?.action).toBe('empty');
    expect(ruleFor(profile, 0x60003000)?.action).toBe('remove');
    expect(ruleFor(profile, 0x601e3000)?.action).toBe('remove');
    expect(ruleFor(profile, 0x60203000)).toBeUndefined();
  });

  it('finds private rules by creator and element low byte in any block', () => {
    expect(ruleFor(profile, 0x00291010, 'SIEMENS CSA HEADER')?.action).toBe('keep');
    expect(ruleFor(profile, 0x00291110, 'SIEMENS CSA HEADER ')?.action).toBe('keep');
    expect(ruleFor(profile, 0x00291010, 'SIEMENS CSA NON-IMAGE')).toBeUndefined();
    expect(ruleFor(profile, 0x00291010)).toBeUndefined();
    expect(ruleFor(profile, 0x00291011, 'SIEMENS CSA HEADER')).toBeUndefined();
    expect(ruleFor(profile, 0x00311010, 'SIEMENS CSA HEADER')).toBeUndefined();
  });

  it('never matches a private creator element or an odd group through a tag rule', () => {
    expect(ruleFor(profile, 0x00290010, 'SIEMENS CSA HEADER')).toBeUndefined();
    expect(ruleFor(profile, 0x60013000, 'ANY')).toBeUndefined();
  });
});

describe('compileRule', () => {
  const problems = (input: RuleInput) => {
    const found: string[] = [];
    const rule = compileRule(input, (path, message) => found.push(`${path.join('.')}: ${message}`));
    expect(rule).toBeUndefined();
    return found;
  };

  it('normalises the tag text and trims creator padding', () => {
    expect(compile({ tag: '(60XX,3000)', action: 'remove' }).target).toMatchObject({ text: '(60xx,3000)' });
    expect(compile({ tag: '0008103e', action: 'remove' }).target).toMatchObject({ text: '(0008,103E)' });
    expect(
      compile({ private: { creator: 'GEMS_ACQU_01  ', group: '0019', element: 'xx23' }, action: 'keep' })
        .target,
    ).toEqual({ kind: 'private', creator: 'GEMS_ACQU_01', group: 0x0019, elementLowByte: 0x23 });
  });

  it('reports every problem of a rule at its own field', () => {
    expect(problems({ action: 'keep' })).toEqual([': give exactly one of tag, keyword or private']);
    expect(problems({ tag: '(0008,1030)', keyword: 'StudyDescription', action: 'keep' })).toEqual([
      ': give exactly one of tag, keyword or private',
    ]);
    expect(problems({ tag: '(0029,1010)', action: 'remove' })).toEqual([
      'tag: (0029,1010) is private: name it with private: { creator, group, element }',
    ]);
    expect(problems({ private: { creator: ' ', group: '0028', element: '1010' }, action: 'hash' })).toEqual([
      'private.creator: must not be empty',
      'private.group: "0028" is not a private group: 4 hex digits, odd, above 0008',
      'private.element: "1010" is not an element byte like "10" (as in (gggg,xx10))',
    ]);
    expect(
      problems({ private: { creator: 'X', group: '0007', element: '10' }, action: 'hash' }),
    ).toHaveLength(1);
  });

  it('never echoes a replacement value', () => {
    const found = problems({ keyword: 'PatientName', action: 'keep', value: 'DOE^JOHN' });
    expect(found.join()).not.toContain('DOE');
  });
});

describe('ruleToInput', () => {
  it('writes each kind of target back in file form', () => {
    const rules = [
      { tag: '(0008,1030)', action: 'keep' },
      { keyword: 'PatientName', action: 'replace', value: 'Anonymous' },
      { private: { creator: 'GEMS_ACQU_01', group: '0019', element: '23' }, action: 'hash' },
    ] as const;
    for (const input of rules) expect(ruleToInput(compile(input))).toEqual(input);
  });

  it('gives the same key to a tag and its keyword', () => {
    expect(ruleKey(compile({ tag: '(60xx,3000)', action: 'keep' }))).toBe(
      ruleKey(compile({ keyword: 'OverlayData', action: 'remove' })),
    );
  });
});
