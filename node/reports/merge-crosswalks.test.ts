import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRow } from './csv.js';
import { mergeCrosswalkFiles } from './merge-crosswalks.js';
import { MergeError } from './merge-error.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-merge-crosswalks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const crosswalk = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const path = join(dir, `${++files}.csv`);
  writeFileSync(path, csvRow(['id_old', 'id_new']) + rows.map((r) => csvRow(r)).join(''));
  return path;
};

/** The merged text, and whether any run file was left behind. */
function merge(paths: readonly string[], runRows: number): string {
  let text = '';
  const runs = join(dir, `runs-${++files}`);
  try {
    mergeCrosswalkFiles(
      paths,
      `${runs}-`,
      (t) => {
        text += t;
      },
      runRows,
    );
  } finally {
    expect(readdirSync(dir).filter((n) => n.startsWith(`runs-${files}-`))).toEqual([]);
  }
  return text;
}

describe('mergeCrosswalkFiles', () => {
  it('writes each identifier once, in code-unit order, whether sorted in memory or in runs', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    // Identifiers that need quoting, that are prefixes of others, and outside the BMP, shared between files.
    const ids = ['1.2', '1.2.3', '1.2,3', 'a"b', 'Ä', '\u{1F600}', 'line\nbreak', '=cmd', ''];
    for (let i = 0; i < 200; i++) ids.push(`2.25.${Math.floor(random() * 1e9)}`);
    const pseudonym = (id: string) => `p-${id}`;
    const model = new Map<string, string>();
    const paths = Array.from({ length: 4 }, () => {
      const rows = Array.from({ length: 150 }, () => ids[Math.floor(random() * ids.length)]!).map(
        (id) => [id, pseudonym(id)] as const,
      );
      for (const [id, p] of rows) model.set(id, p);
      return crosswalk(rows);
    });
    const expected =
      csvRow(['id_old', 'id_new']) +
      [...model.keys()]
        .sort()
        .map((id) => csvRow([id, model.get(id)!]))
        .join('');
    for (const runRows of [1, 2, 7, 150, 10_000]) expect(merge(paths, runRows)).toBe(expected);
  });

  it('refuses one identifier mapped two ways, in one run or across runs, and leaves no run file', () => {
    const a = crosswalk([
      ['1.2.3', '2.25.1'],
      ['1.2.4', '2.25.4'],
    ]);
    const b = crosswalk([
      ['1.2.5', '2.25.5'],
      ['1.2.3', '2.25.2'],
    ]);
    for (const runRows of [1, 2, 100]) {
      expect(() => merge([a, b], runRows)).toThrow(MergeError);
      expect(() => merge([a, b], runRows)).toThrow('two pseudonyms');
    }
  });

  it('names the audit folder of a crosswalk that is missing or not one', () => {
    const good = crosswalk([['1', '2']]);
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'id,pseudonym\r\n1,2\r\n');
    expect(() => merge([good, join(dir, 'none.csv')], 10)).toThrow(
      'audit folder 2 holds no readable crosswalk',
    );
    expect(() => merge([other, good], 10)).toThrow('audit folder 1 holds no readable crosswalk');
    expect(existsSync(other)).toBe(true);
  });
});
