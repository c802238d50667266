import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AuditColumns, foldAuditFile, foldMoves, MOVED_REASON } from './audit-moves.js';
import { csvRow } from './csv.js';

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
