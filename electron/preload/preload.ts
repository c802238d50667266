// Runs sandboxed: only contextBridge, ipcRenderer and webUtils are available, and the page sees nothing
// of them but the `window.deid` object built here.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createDeidApi } from '../../shared/ipc/api.js';
import type { Envelope } from '../../shared/ipc/contract.js';

const api = createDeidApi({
  invoke: (channel, args) => ipcRenderer.invoke(channel, args) as Promise<Envelope<unknown>>,
  on(event, listener) {
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
});

contextBridge.exposeInMainWorld('deid', api);
