/**
 * CSV as RFC 4180 writes it: CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, and
 * quotes inside doubled. Values here are file paths and site IDs, which may hold any of those.
 */

const NEEDS_QUOTES = /[",\r\n]/;
// Cells a spreadsheet would run as a formula (OWASP "CSV injection"); tab and CR count, as some apps strip them.
const FORMULA_START = /^[=+\-@\t\r]/;

export interface CsvOptions {
  /**
   * Prefix a cell that a spreadsheet would evaluate with `'`. For files people open in a spreadsheet only:
   * it changes the value, so files that programs must read exactly (the MIDI-B crosswalks) never use it.
   */
  readonly spreadsheetSafe?: boolean;
}

export function csvCell(value: string | number, options: CsvOptions = {}): string {
  let text = String(value);
  if (options.spreadsheetSafe && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Cells of a row, without its line end: a part of a row rendered apart from the rest. */
export const csvCells = (cells: ReadonlyArray<string | number>, options: CsvOptions = {}): string =>
  cells.map((c) => csvCell(c, options)).join(',');

export const csvRow = (cells: ReadonlyArray<string | number>, options: CsvOptions = {}): string =>
  `${csvCells(cells, options)}\r\n`;

export interface CsvRecord {
  readonly cells: string[];
  /** 1-based line where the record starts (a quoted field may span lines). */
  readonly line: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Parses CSV text (a leading BOM is ignored; CRLF, LF or CR line ends). Blank lines are skipped.
 * Errors name the line only, never the text, because the cells may be patient IDs.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    const startLine = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[pos] === '"') {
        pos++;
        for (;;) {
          if (pos >= text.length) throw new CsvSyntaxError(startLine, 'a quoted field is not closed');
          const c = text[pos]!;
          if (c === '"') {
            if (text[pos + 1] === '"') {
              cell += '"';
              pos += 2;
              continue;
            }
            pos++;
            break;
          }
          if (c === '\n' || (c === '\r' && text[pos + 1] !== '\n')) line++;
          cell += c;
          pos++;
        }
        const after = text[pos];
        if (after !== undefined && after !== ',' && after !== '\r' && after !== '\n') {
          throw new CsvSyntaxError(line, 'text follows a closing quote');
        }
      } else {
        const end = /[,\r\n]/g;
        end.lastIndex = pos;
        const stop = end.exec(text)?.index ?? text.length;
        cell = text.slice(pos, stop);
        if (cell.includes('"')) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
        pos = stop;
      }
      cells.push(cell);
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      break;
    }
    if (text[pos] === '\r') pos++;
    if (text[pos] === '\n') pos++;
    line++;
    if (!(cells.length === 1 && cells[0] === '')) records.push({ cells, line: startLine });
  }
  return records;
}
