import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditColumns, foldAuditFile, MOVED_REASON } from './audit-moves.js';
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

/**
 * The fold, held whole, as foldAuditFile describes it: the model the file's record-by-record fold is
 * checked against.
 */
function foldMoves(rows: readonly string[][], col: AuditColumns): string[][] {
  const kept: Array<string[] | undefined> = rows.map((r) => [...r]);
  rows.forEach((move, j) => {
    if (!move[col.reason]?.startsWith(MOVED_REASON)) return;
    for (let i = j - 1; i >= 0; i--) {
      const first = kept[i];
      if (
        first &&
        first[col.status] === 'written' &&
        first[col.inputNo] === move[col.inputNo] &&
        (move[col.input] === '' || first[col.input] === move[col.input]) &&
        first[col.outputSha] === move[col.outputSha] &&
        first[col.output] !== move[col.output]
      ) {
        first[col.output] = move[col.output]!;
        kept[j] = undefined;
        return;
      }
    }
  });
  return kept.filter((r): r is string[] => r !== undefined);
}

const HEADER = ['no', 'input', 'output', 'sha', 'status', 'reason'];

/** The rows of an audit of `rows` after foldAuditFile. */
function folded(rows: readonly string[][]): string[][] {
  const file = join(mkdtempSync(join(tmpdir(), 'deid-fold-rows-')), 'audit.csv');
  writeFileSync(file, csvRow(HEADER) + rows.map((r) => csvRow(r)).join(''));
  foldAuditFile(file, COL, {});
  return parseCsv(readFileSync(file, 'utf8'))
    .slice(1)
    .map((r) => r.cells);
}

describe('folding an audit’s moves', () => {
  it('gives the moved output one row, its first, under the new name', () => {
    const rows = [
      ['1', '/in/a.dcm', '/out/P/S/1.dcm', A, 'written', ''],
      ['2', '/in/x.dcm', '', '', 'failed', 'unreadable'],
      moved('1', '/in/a.dcm', '/out/P/S/1_aaaaaaaaaaaa.dcm', A),
      ['3', '/in/b.dcm', '/out/P/S/1_bbbbbbbbbbbb.dcm', B, 'written', ''],
    ];
    const expected = [
      ['1', '/in/a.dcm', '/out/P/S/1_aaaaaaaaaaaa.dcm', A, 'written', ''],
      ['2', '/in/x.dcm', '', '', 'failed', 'unreadable'],
      ['3', '/in/b.dcm', '/out/P/S/1_bbbbbbbbbbbb.dcm', B, 'written', ''],
    ];
    expect(folded(rows)).toEqual(expected);
    expect(foldMoves(rows, COL)).toEqual(expected);
  });

  it('keeps a move whose first row another audit holds, and one that matches no row of its input', () => {
    const alone = [moved('4', '/in/a.dcm', '/out/P/S/1_aaaaaaaaaaaa.dcm', A)];
    const otherInput = [['4', '/in/other.dcm', '/out/P/S/1.dcm', A, 'written', ''], ...alone];
    const otherContent = [['4', '/in/a.dcm', '/out/P/S/1.dcm', B, 'written', ''], ...alone];
    for (const rows of [alone, otherInput, otherContent]) {
      expect(folded(rows)).toEqual(rows);
      expect(foldMoves(rows, COL)).toEqual(rows);
    }
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
    writeFileSync(file, csvRow(HEADER) + rows.map((r) => csvRow(r, human)).join(''), { mode: 0o644 });
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
    const header = csvRow(HEADER);
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
