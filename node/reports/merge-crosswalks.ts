import { closeSync, openSync, rmSync } from 'node:fs';
import { csvRecords, recordsAfterHeader } from './append-log.js';
import { csvRow } from './csv.js';
import { MergeError, openOrRefuse } from './merge-error.js';
import { openPrivateFile } from './private-files.js';
import { FileSink } from './sink.js';
import { CROSSWALK_HEADER } from './writer.js';

/** Rows sorted in memory at a time: a run of them takes about 30 MB. */
const RUN_ROWS = 100_000;

type Row = readonly [string, string];

/**
 * Writes through `write` the crosswalk of all `files` (each `id_old,id_new`, as a run writes them): the
 * header, then one row per original identifier, in identifier order. Two files that map one identifier
 * to two pseudonyms are not shards of one run: refused. The shards of an archive hold millions of rows
 * together, more than a map of them should hold, so they are sorted in runs of `runRows` kept in private
 * files named `<runPrefix>N`, then merged; the run files are gone when this returns or throws.
 */
export function mergeCrosswalkFiles(
  files: readonly string[],
  runPrefix: string,
  write: (text: string) => void,
  runRows = RUN_ROWS,
): void {
  const runs: string[] = [];
  try {
    let rows: Row[] = [];
    files.forEach((file, s) => {
      for (const row of crosswalkRows(file, s + 1)) {
        rows.push(row);
        if (rows.length < runRows) continue;
        runs.push(writeRun(`${runPrefix}${runs.length + 1}`, rows));
        rows = [];
      }
    });
    write(CROSSWALK_HEADER);
    if (runs.length === 0) {
      for (const [oldId, newId] of distinct(sortRows(rows))) write(csvRow([oldId, newId]));
      return;
    }
    if (rows.length > 0) runs.push(writeRun(`${runPrefix}${runs.length + 1}`, rows));
    for (const [oldId, newId] of distinct(mergeRuns(runs))) write(csvRow([oldId, newId]));
  } finally {
    for (const run of runs) rmSync(run, { force: true });
  }
}

/** A crosswalk's rows in file order; a file that is not one refuses the merge, naming its shard. */
function* crosswalkRows(file: string, shard: number): Generator<Row> {
  const unreadable = () => new MergeError(`audit folder ${shard} holds no readable crosswalk`);
  const fd = openOrRefuse(file, unreadable);
  try {
    for (const { cells } of recordsAfterHeader(fd, CROSSWALK_HEADER)) {
      if (cells.length !== 2) throw unreadable();
      yield [cells[0]!, cells[1]!];
    }
  } catch (e) {
    throw e instanceof MergeError ? e : unreadable();
  } finally {
    closeSync(fd);
  }
}

// Code-unit order, as Array.prototype.sort gives strings.
const sortRows = (rows: Row[]): Row[] => rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Sorted rows in a private file, one CSV row each; returns its path. */
function writeRun(path: string, rows: Row[]): string {
  const sink = new FileSink(openPrivateFile(path));
  try {
    for (const [oldId, newId] of sortRows(rows)) sink.write(csvRow([oldId, newId]));
  } finally {
    sink.close();
  }
  return path;
}

/** The rows of sorted run files, in order. */
function* mergeRuns(runs: readonly string[]): Generator<Row> {
  const fds = runs.map((run) => openSync(run, 'r'));
  try {
    const readers = fds.map((fd) => csvRecords(fd));
    const heads = readers.map((r) => next(r));
    for (;;) {
      let least = -1;
      for (let i = 0; i < heads.length; i++)
        if (heads[i] && (least < 0 || heads[i]![0] < heads[least]![0])) least = i;
      if (least < 0) return;
      yield heads[least]!;
      heads[least] = next(readers[least]!);
    }
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

function next(records: ReturnType<typeof csvRecords>): Row | undefined {
  const { value, done } = records.next();
  return done ? undefined : [value.cells[0]!, value.cells[1]!];
}

/** Sorted rows with each identifier once; one mapped two ways refuses the merge. */
function* distinct(rows: Iterable<Row>): Generator<Row> {
  let last: Row | undefined;
  for (const row of rows) {
    if (last?.[0] === row[0]) {
      if (last[1] !== row[1])
        throw new MergeError('the crosswalks map one identifier to two pseudonyms: not shards of one run');
      continue;
    }
    last = row;
    yield row;
  }
}
