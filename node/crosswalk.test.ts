import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrosswalkError, parseCrosswalk, readCrosswalk } from './crosswalk.js';

const tmp = mkdtempSync(join(tmpdir(), 'deid-crosswalk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The error for `text`, checked to name no value from it. */
function failure(text: string, values: readonly string[] = ['SMITH', 'JONES', 'P-1']): CrosswalkError {
  try {
    parseCrosswalk(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CrosswalkError);
    for (const v of values) expect((e as Error).message).not.toContain(v);
    return e as CrosswalkError;
  }
  throw new Error('no error');
}

describe('site crosswalk', () => {
  it('reads original,pseudonym lines with or without a header, BOM and quoting', () => {
    const expected = new Map([
      ['12345', 'SUBJ-001'],
      ['Smith, J "Jr"', 'SUBJ-002'],
    ]);
    const body = '12345,SUBJ-001\r\n"Smith, J ""Jr""",SUBJ-002\r\n';
    expect(parseCrosswalk(body)).toEqual(expected);
    expect(parseCrosswalk(`\uFEFForiginal,pseudonym\r\n${body}`)).toEqual(expected);
    expect(parseCrosswalk(`ID_OLD , id_new\n${body}\n\n`)).toEqual(expected);
  });

  it('drops surrounding spaces and empty columns a spreadsheet adds', () => {
    expect(parseCrosswalk(' 12345 , SUBJ-001 ,,\n')).toEqual(new Map([['12345', 'SUBJ-001']]));
  });

  it('accepts a line repeated with the same pseudonym', () => {
    expect(parseCrosswalk('A1,S1\nA1,S1\n').size).toBe(1);
  });

  it('refuses conflicting lines, naming line numbers only', () => {
    const e = failure('original,pseudonym\nSMITH,S1\nJONES,S2\nSMITH,S3\n');
    expect(e.line).toBe(4);
    expect(e.message).toBe('crosswalk line 4: this original already has a different pseudonym on line 2');
    expect(failure('SMITH,S1\nJONES,S1\n').message).toBe(
      'crosswalk line 2: this pseudonym is already given to another original on line 1',
    );
  });

  it('refuses empty, invalid and identity pseudonyms and malformed lines', () => {
    expect(failure('SMITH,\n').message).toMatch(/line 1: the pseudonym is empty/);
    expect(failure(',P-1\n').message).toMatch(/line 1: the original Patient ID is empty/);
    expect(failure('SMITH,P-1\\2\n').message).toMatch(/line 1: the pseudonym is not a valid Patient ID/);
    expect(failure(`SMITH,${'P'.repeat(65)}\n`).message).toMatch(/not a valid Patient ID/);
    expect(failure('SMITH,SMITH\n').message).toMatch(/line 1: the pseudonym equals the original/);
    expect(failure('a,b\nSMITH,P-1,JONES\n').message).toMatch(/line 2: expected 2 fields .* found 3/);
    expect(failure('a,b\n"SMITH,P-1\n').message).toMatch(/line 2: a quoted field is not closed/);
  });

  it('reads a file, refusing one that is not UTF-8', () => {
    const good = join(tmp, 'good.csv');
    writeFileSync(good, 'Müller,S1\n');
    expect(readCrosswalk(good)).toEqual(new Map([['Müller', 'S1']]));
    const latin1 = join(tmp, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('M\xfcller,S1\n', 'latin1'));
    expect(() => readCrosswalk(latin1)).toThrow(/not UTF-8 text/);
  });
});
