import { closeSync, openSync } from 'node:fs';
import { csvRecords } from './append-log.js';
import { csvRow } from './csv.js';
import { replacePrivateFileWith } from './private-files.js';

/** How the audit line of a moved output begins its reason (a second content of its instance arrived). */
export const MOVED_REASON = 'moved from ';

/** Where a column sits in an audit row. */
export type AuditColumns = Readonly<
  Record<'inputNo' | 'input' | 'output' | 'outputSha' | 'status' | 'reason', number>
>;

/**
 * Rewrites a finished audit file with every move folded into the row it moved, atomically and
 * owner-only: that row takes the new name and the move's own row goes, so each output has exactly one
 * row. The move is appended when it happens (the audit is append-only, so a kill never loses it) and
 * folded when the audit is finished. A move folds into the latest row before it that is written, of its
 * input number, input (a move names none when the batch kept no path for the output) and content, under
 * another name; a move with no such row (an earlier run kept another audit) stays: it is then that
 * output's one row.
 *
 * The file is read three times, record by record, instead of held whole: a project's audit can be
 * longer than a string may be. The first read finds the moves (rare), the second which rows they fold
 * into, and the third writes the file, the rows that did not change as they were.
 */
export function foldAuditFile(file: string, col: AuditColumns, cellOptions: Parameters<typeof csvRow>[1]) {
  const fd = openSync(file, 'r');
  try {
    const keyOf = (cells: readonly string[]) => `${cells[col.inputNo]}\u0000${cells[col.outputSha]}`;
    const moveKeys = new Set<string>();
    for (const [i, { cells }] of enumerate(csvRecords(fd)))
      if (i > 0 && cells[col.reason]?.startsWith(MOVED_REASON)) moveKeys.add(keyOf(cells));
    if (moveKeys.size === 0) return;
    // Per move's key, the rows still kept that a later move of that key may fold into, in order.
    const candidates = new Map<string, Array<{ readonly row: number; input: string; output: string }>>();
    const newOutputs = new Map<number, string>();
    const dropped = new Set<number>();
    for (const [row, { cells }] of enumerate(csvRecords(fd))) {
      const key = keyOf(cells);
      if (row === 0 || !moveKeys.has(key)) continue;
      const earlier = candidates.get(key) ?? [];
      candidates.set(key, earlier);
      if (cells[col.reason]?.startsWith(MOVED_REASON)) {
        const input = cells[col.input]!;
        const output = cells[col.output]!;
        const first = earlier.findLast((c) => (input === '' || c.input === input) && c.output !== output);
        if (first) {
          first.output = output;
          newOutputs.set(first.row, output);
          dropped.add(row);
          continue;
        }
      }
      if (cells[col.status] === 'written')
        earlier.push({ row, input: cells[col.input]!, output: cells[col.output]! });
    }
    if (dropped.size === 0) return;
    replacePrivateFileWith(file, (write) => {
      for (const [row, { text, cells }] of enumerate(csvRecords(fd))) {
        if (dropped.has(row)) continue;
        const output = newOutputs.get(row);
        if (output === undefined) write(text);
        else
          write(
            csvRow(
              cells.map((c, i) => (i === col.output ? output : c)),
              cellOptions,
            ),
          );
      }
    });
  } finally {
    closeSync(fd);
  }
}

function* enumerate<T>(items: Iterable<T>): Generator<[number, T]> {
  let i = 0;
  for (const item of items) yield [i++, item];
}
