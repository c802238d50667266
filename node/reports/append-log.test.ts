import { closeSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditFileError, openAppendLog } from './append-log.js';
import { csvRow, parseCsv } from './csv.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-append-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HEADER = csvRow(['input_no', 'input', 'reason']);

/** Opens the log in `text`; returns the records given and the file as it is left. */
function opened(text: string) {
  const path = join(dir, 'log.csv');
  writeFileSync(path, text);
  const records: string[][] = [];
  closeSync(openAppendLog(path, HEADER, 'audit', (cells) => records.push([...cells])));
  return { records, left: readFileSync(path, 'utf8') };
}

describe('openAppendLog', () => {
  it('gives every record as the whole file parses, with line breaks, quotes and commas in cells, over megabytes', () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => [
      `${i + 1}`,
      i % 7 === 0 ? `/data/a "b",\r\nc/${i}.dcm` : `/data/山田/${i}.dcm`,
      i % 5 === 0 ? 'line one\nline two' : '',
    ]);
    const text = HEADER + rows.map((r) => csvRow(r)).join('');
    const { records, left } = opened(text);
    expect(records).toEqual(
      parseCsv(text)
        .slice(1)
        .map((r) => r.cells),
    );
    expect(records).toHaveLength(rows.length);
    expect(left).toBe(text);
  });

  it('removes a record a crash cut short, also inside a quoted line break, and gives the others', () => {
    const whole = HEADER + csvRow(['1', '/a.dcm', '']) + csvRow(['2', '/b\r\nc.dcm', 'x']);
    for (const cut of [csvRow(['3', '/d.dcm', 'y']).slice(0, 7), '3,"/e\r\nf.dcm', '3,"/e\r\nf.dcm",\r']) {
      const { records, left } = opened(whole + cut);
      expect(records).toEqual([
        ['1', '/a.dcm', ''],
        ['2', '/b\r\nc.dcm', 'x'],
      ]);
      expect(left).toBe(whole);
    }
  });

  it('starts a new log with its header, and refuses one of other columns or a damaged one', () => {
    expect(opened('')).toEqual({ records: [], left: HEADER });
    expect(() => opened(csvRow(['input_no', 'input']) + csvRow(['1', '/a.dcm']))).toThrow(/other columns/);
    expect(() => opened(HEADER.slice(0, 5))).toThrow(AuditFileError);
    for (const bad of ['2,/b"c".dcm,\r\n', '2,/b"c.dcm,\r\n'])
      expect(() => opened(`${HEADER}${csvRow(['1', '/a.dcm', ''])}${bad}`)).toThrow(
        /damaged \(line 3: a quote inside an unquoted field\)/,
      );
    // No record of ours comes near 16 MB: such a line is refused whole, never passed over or cut away.
    const long = `${HEADER}${csvRow(['1', 'x'.repeat(17 * 1024 * 1024), ''])}${csvRow(['2', '/b.dcm', ''])}`;
    expect(() => opened(long)).toThrow(/damaged \(line 2: a line is longer than 16 MB\)/);
    expect(readFileSync(join(dir, 'log.csv'), 'utf8')).toBe(long);
  });
});
