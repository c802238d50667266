import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.js';

/** A CSV file we wrote, as objects keyed by its header: for tests and for tools that read reports back. */
export function readCsvFile(path: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  if (!header) return [];
  return rows.map((row) => Object.fromEntries(header.cells.map((name, i) => [name, row.cells[i] ?? ''])));
}

/** The `id_old,id_new` pairs of a MIDI-B crosswalk, in file order. */
export function readCrosswalkCsv(path: string): Array<[string, string]> {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  if (header?.cells.join(',') !== 'id_old,id_new') throw new Error('not an id_old,id_new crosswalk');
  return rows.map((row) => {
    if (row.cells.length !== 2) throw new Error(`line ${row.line}: expected 2 fields`);
    return [row.cells[0]!, row.cells[1]!];
  });
}
