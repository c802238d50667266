import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvSyntaxError, csvCell, csvRow, parseCsv } from './csv.js';

describe('csv', () => {
  it('quotes per RFC 4180 only where needed', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'two\nlines', 3])).toBe('a,"b,c","say ""hi""","two\nlines",3\r\n');
  });

  it('defuses cells a spreadsheet would run, only when asked', () => {
    for (const cell of ['=1+2', '+1', '-2', '@SUM(A1)', '\tx']) {
      expect(csvCell(cell, { spreadsheetSafe: true })).toBe(csvCell(`'${cell}`));
      expect(csvCell(cell)).toBe(cell === '\tx' ? '\tx' : cell);
    }
    expect(csvCell('=a,b', { spreadsheetSafe: true })).toBe(`"'=a,b"`);
  });

  it('round-trips any cells', () => {
    // Mostly the characters that matter to CSV, so the awkward cases come up in every run.
    const unit = fc.oneof(
      fc.constantFrom(',', '"', '\r', '\n', '=', ' '),
      fc.string({ minLength: 1, maxLength: 1 }),
    );
    const row = fc.array(fc.string({ unit, maxLength: 12 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), (rows) => {
        const kept = rows.filter((r) => !(r.length === 1 && r[0] === ''));
        const parsed = parseCsv(rows.map((r) => csvRow(r)).join('')).map((r) => r.cells);
        return JSON.stringify(parsed) === JSON.stringify(kept);
      }),
    );
  });

  it('reads BOM, LF and CR line ends, and counts lines inside quoted fields', () => {
    const records = parseCsv('\uFEFFa,b\n"x\r\ny",z\r\n\nlast,1\rend,2');
    expect(records).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['x\r\ny', 'z'], line: 2 },
      { cells: ['last', '1'], line: 5 },
      { cells: ['end', '2'], line: 6 },
    ]);
  });

  it('reports malformed quoting by line, without the text', () => {
    const error = (text: string) => {
      try {
        parseCsv(text);
      } catch (e) {
        return e as CsvSyntaxError;
      }
      throw new Error('no error');
    };
    expect(error('a,b\n"SMITH,1').message).toBe('line 2: a quoted field is not closed');
    expect(error('a\n"SMITH"X,1').message).toBe('line 2: text follows a closing quote');
    expect(error('SM"ITH,1').line).toBe(1);
  });
});
