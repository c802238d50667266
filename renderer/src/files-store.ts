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
  publish();
}

export const useFiles = store.use;
