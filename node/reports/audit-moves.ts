import { readFileSync } from 'node:fs';
import { csvRow, parseCsv } from './csv.js';
import { replacePrivateFile } from './private-files.js';

/** How the audit line of a moved output begins its reason (a second content of its instance arrived). */
export const MOVED_REASON = 'moved from ';

/** Where a column sits in an audit row. */
export type AuditColumns = Readonly<
  Record<'inputNo' | 'input' | 'output' | 'outputSha' | 'status' | 'reason', number>
>;

/**
 * The audit rows with every move folded into the row it moved: that row takes the new name and the
 * move's own row goes, so each output has exactly one row. The move is appended when it happens (the
 * audit is append-only, so a kill never loses it) and folded when the audit is finished. A move whose
 * first row is not in this audit (an earlier run kept another) stays: it is then that output's one row.
 */
export function foldMoves(rows: readonly string[][], col: AuditColumns): string[][] {
  const kept: Array<string[] | undefined> = rows.map((r) => [...r]);
  rows.forEach((move, j) => {
    if (!move[col.reason]?.startsWith(MOVED_REASON)) return;
    for (let i = j - 1; i >= 0; i--) {
      const first = kept[i];
      if (
        first &&
        first[col.status] === 'written' &&
        first[col.inputNo] === move[col.inputNo] &&
        // A move names no input when the batch kept none for the output (it keeps no path per output).
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

/** Rewrites a finished audit file with its moves folded (see foldMoves), atomically and owner-only. */
export function foldAuditFile(file: string, col: AuditColumns, cellOptions: Parameters<typeof csvRow>[1]) {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8')).map((r) => r.cells);
  if (!header) return;
  const folded = foldMoves(rows, col);
  if (folded.length === rows.length) return;
  replacePrivateFile(file, [header, ...folded].map((cells) => csvRow(cells, cellOptions)).join(''));
}
