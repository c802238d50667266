import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditColumns, foldAuditFile, foldMoves, MOVED_REASON } from './audit-moves.js';
import { csvRow, parseCsv } from './csv.js';

const COL: AuditColumns = { inputNo: 0, input: 1, output: 2, outputSha: 3, status: 4, reason: 5 };
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const moved = (no: string, input: string, to: string, sha: string) => [
  no,
  input,
  to,
  sha,
  'written',
  `${MOVED_REASON}P/S/1.dcm: another input holds the same instance with other content`,
];

describe('foldMoves', () => {
  it('gives the moved output one row, its first, under the new name', () => {
    const rows = [
      ['1', '/in/a.dcm', '/out/P/S/1.dcm', A, 'written', ''],
      ['2', '/in/x.dcm', '', '', 'failed', 'unreadable'],
      moved('1', '/in/a.dcm', '/out/P/S/1_aaaaaaaaaaaa.dcm', A),
      ['3', '/in/b.dcm', '/out/P/S/1_bbbbbbbbbbbb.dcm', B, 'written', ''],
    ];
    expect(foldMoves(rows, COL)).toEqual([
      ['1', '/in/a.dcm', '/out/P/S/1_aaaaaaaaaaaa.dcm', A, 'written', ''],
      ['2', '/in/x.dcm', '', '', 'failed', 'unreadable'],
      ['3', '/in/b.dcm', '/out/P/S/1_bbbbbbbbbbbb.dcm', B, 'written', ''],
    ]);
    // The input rows are left as they were.
    expect(rows[0]![2]).toBe('/out/P/S/1.dcm');
  });

  it('keeps a move whose first row another audit holds, and one that matches no row of its input', () => {
    const alone = [moved('4', '/in/a.dcm', '/out/P/S/1_aaaaaaaaaaaa.dcm', A)];
    expect(foldMoves(alone, COL)).toEqual(alone);
    const otherInput = [['4', '/in/other.dcm', '/out/P/S/1.dcm', A, 'written', ''], ...alone];
    expect(foldMoves(otherInput, COL)).toEqual(otherInput);
    const otherContent = [['4', '/in/a.dcm', '/out/P/S/1.dcm', B, 'written', ''], ...alone];
    expect(foldMoves(otherContent, COL)).toEqual(otherContent);
  });
});

describe('foldAuditFile', () => {
  it('rewrites the file owner-only with the moves folded, cells defused as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deid-fold-'));
    const file = join(dir, 'audit.csv');
    const human = { spreadsheetSafe: true };
    const rows = [
      ['1', '=cmd|x', '/out/P/S/1.dcm', A, 'written', ''],
      moved('1', '=cmd|x', '/out/P/S/1_aaaaaaaaaaaa.dcm', A),
    ];
    writeFileSync(
      file,
      csvRow(['no', 'input', 'output', 'sha', 'status', 'reason']) +
        rows.map((r) => csvRow(r, human)).join(''),
      { mode: 0o644 },
    );
    foldAuditFile(file, COL, human);
    expect(readFileSync(file, 'utf8')).toBe(
      `no,input,output,sha,status,reason\r\n1,'=cmd|x,/out/P/S/1_aaaaaaaaaaaa.dcm,${A},written,\r\n`,
    );
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('foldAuditFile, on audits of many rows', () => {
  it('gives the rows foldMoves gives, chained moves and moves of no input included, unchanged rows as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deid-fold-many-'));
    const file = join(dir, 'audit.csv');
    const header = csvRow(['no', 'input', 'output', 'sha', 'status', 'reason']);
    const row = fc.record({
      no: fc.constantFrom('1', '2', '3'),
      input: fc.constantFrom('/in/a.dcm', '/in/b "c",\r\nd.dcm', ''),
      output: fc.constantFrom('/out/1.dcm', '/out/1_a.dcm', '/out/1_b.dcm', ''),
      sha: fc.constantFrom(A, B),
      status: fc.constantFrom('written', 'written', 'failed'),
      move: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 60 }), (generated) => {
        const rows = generated.map((r) => [
          r.no,
          r.input,
          r.output,
          r.sha,
          r.status,
          r.move ? `${MOVED_REASON}/out/1.dcm: another input holds the same instance with other content` : '',
        ]);
        const text = header + rows.map((r) => csvRow(r)).join('');
        writeFileSync(file, text);
        foldAuditFile(file, COL, {});
        const after = readFileSync(file, 'utf8');
        expect(parseCsv(after).map((r) => r.cells)).toEqual([
          parseCsv(header)[0]!.cells,
          ...foldMoves(rows, COL),
        ]);
        // Rows that did not change keep their bytes.
        if (foldMoves(rows, COL).length === rows.length) expect(after).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
