import type { DeidApi } from '../../shared/ipc/api.js';

declare global {
  interface Window {
    /** Provided by the preload (Electron) or the test shim; absent when the page is opened on its own. */
    readonly deid?: DeidApi;
  }
}

export const deid = window.deid as DeidApi;
export const hasApi = window.deid !== undefined;

/** An error from a call, worded for the person using the app. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
