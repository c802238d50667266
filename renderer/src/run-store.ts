import type { RunProgress, RunSummary } from '../../shared/ipc/contract.js';
import { deid, hasApi } from './api.js';
import { createStore } from './store.js';

export interface RunState {
  readonly running: boolean;
  readonly cancelling: boolean;
  readonly progress: RunProgress | null;
  readonly summary: RunSummary | null;
}

// Kept outside the Run screen, so a run goes on being followed while another screen is shown.
const store = createStore<RunState>({ running: false, cancelling: false, progress: null, summary: null });

if (hasApi) {
  // Main sends a first progress event as a run starts: that, not the answer to the start request, marks
  // the run as going, because over the test transport events and answers may arrive in either order.
  deid.on('batch:progress', (progress) =>
    store.set({ running: true, cancelling: store.get().cancelling, progress, summary: null }),
  );
  deid.on('batch:done', (summary) =>
    store.set({ running: false, cancelling: false, progress: null, summary }),
  );
}

export const runCancelling = () => store.set({ ...store.get(), cancelling: true });
export const useRun = store.use;
