import type { Events, FileRow } from '../../shared/ipc/contract.js';
import { deid, hasApi } from './api.js';
import { createStore } from './store.js';

export interface FilesSnapshot {
  /** In the order the files were found. */
  readonly rows: ReadonlyArray<FileRow>;
  readonly scan: Events['files:scan'];
}

const IDLE = { scanning: false, found: 0, scanned: 0 };
const byId = new Map<number, FileRow>();
const store = createStore<FilesSnapshot>({ rows: [], scan: IDLE });
let scan = IDLE;
let pending = false;

// Rows arrive in bursts while a folder of thousands is read; one re-render per frame is plenty.
function publish() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    store.set({ rows: [...byId.values()], scan });
  });
}

if (hasApi) {
  deid.on('files:rows', ({ rows }) => {
    for (const row of rows) byId.set(row.id, row);
    publish();
  });
  deid.on('files:removed', ({ ids }) => {
    for (const id of ids) byId.delete(id);
    leaveOut(ids, false);
    publish();
  });
  deid.on('files:scan', (next) => {
    scan = next;
    publish();
  });
}

export function clearFiles() {
  byId.clear();
  scan = IDLE;
  leftOut.set(new Set());
  publish();
}

export const useFiles = store.use;

/**
 * The files left out of the run, by id. Kept as the unchecked ones so that files added later are in the run
 * unless the person takes them out, and kept apart from filtering: a hidden file stays as it was checked.
 */
const leftOut = createStore<ReadonlySet<number>>(new Set());

/** Leaves the files `ids` out of the run (`out`), or puts them back in. */
export function leaveOut(ids: Iterable<number>, out: boolean) {
  const next = new Set(leftOut.get());
  for (const id of ids) {
    if (out) next.add(id);
    else next.delete(id);
  }
  leftOut.set(next);
}

export const useLeftOut = leftOut.use;

/** The subset a run or its plan takes: undefined when every file in the list is checked. */
export function runSubset(rows: ReadonlyArray<FileRow>, left: ReadonlySet<number>): number[] | undefined {
  return left.size === 0 ? undefined : rows.filter((row) => !left.has(row.id)).map((row) => row.id);
}
