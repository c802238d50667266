import { describe, expect, it } from 'vitest';
import { defaultAllowList, isTechnicalToken, technicalAllowList } from './text-technical.js';

describe('technicalAllowList with a profile’s edits', () => {
  const edits = {
    US: { addWords: ['LVOT'], removeWords: ['LIVER'], addPatterns: ['ef\\d{2}%'] },
    other: { addWords: ['FLAIR'] },
    MR: { addWords: ['DWI'] },
  };

  it('edits the modality’s own default list', () => {
    const us = technicalAllowList('US', edits);
    expect(isTechnicalToken('LVOT', us)).toBe(true);
    expect(isTechnicalToken('EF55%', us)).toBe(true);
    expect(isTechnicalToken('Liver', us)).toBe(false);
    expect(isTechnicalToken('Gain', us)).toBe(true);
    expect(isTechnicalToken('Liver', technicalAllowList('US'))).toBe(true);
    expect(isTechnicalToken('LVOT', technicalAllowList('CT', edits))).toBe(false);
  });

  it('a modality without a list of its own takes "other", unless the profile gives it one', () => {
    expect(isTechnicalToken('FLAIR', technicalAllowList('SC', edits))).toBe(true);
    expect(isTechnicalToken('FLAIR', technicalAllowList(undefined, edits))).toBe(true);
    const mr = technicalAllowList('MR', edits);
    expect(isTechnicalToken('DWI', mr)).toBe(true);
    expect(isTechnicalToken('FLAIR', mr)).toBe(false);
    // Built on the default for modalities without one: every modality's words.
    expect(mr.words).toEqual([...defaultAllowList('other').words, 'DWI']);
  });

  it('is made once per profile and modality', () => {
    expect(technicalAllowList('US', edits)).toBe(technicalAllowList('US', edits));
    expect(technicalAllowList('US')).toBe(technicalAllowList(' us '));
  });

  it('joins the patterns of a list into one expression that compiles', () => {
    const list = technicalAllowList('other', { other: { addPatterns: ['(x)\\d', '(x)y\\d'] } });
    expect(isTechnicalToken('x1', list)).toBe(true);
    expect(isTechnicalToken('xy2', list)).toBe(true);
  });

  it('never tries a pattern on a token longer than any measurement', () => {
    const list = technicalAllowList('other', { other: { addPatterns: ['q\\d+'] } });
    expect(isTechnicalToken(`q${'1'.repeat(39)}`, list)).toBe(true);
    expect(isTechnicalToken(`q${'1'.repeat(40)}`, list)).toBe(false);
  });
});
