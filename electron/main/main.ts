// The Electron shell: one locked-down window, the IPC channels of shared/ipc bound to the handlers, and
// nothing else. Follows Electron's security checklist; see docs/ARCHITECTURE.md for where the work happens.
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { defaultKeyPath } from '../../node/key-store.js';
import { ReportableError } from '../../shared/errors.js';
import { CHANNELS, type Emit } from '../../shared/ipc/contract.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/ipc/csp.js';
import { dispatch } from './dispatch.js';
import type { Dialogs } from './handlers.js';
import { createHandlers } from './handlers.js';
import { rendererFile } from './renderer-files.js';

// dist/electron/main.cjs → the project (or app.asar) root.
const ROOT = join(__dirname, '../..');
const RENDERER = join(ROOT, 'dist/renderer');
const SCHEME = 'app';
const ORIGIN = `${SCHEME}://deid`;

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let window: BrowserWindow | undefined;

/** Files electron-builder keeps outside app.asar (see asarUnpack in electron-builder.yml). */
const unpacked = (path: string): string => path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);

function electronDialogs(): Dialogs {
  const parent = () => window ?? BrowserWindow.getFocusedWindow() ?? undefined;
  const open = async (options: Electron.OpenDialogOptions) => {
    const owner = parent();
    const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  };
  return {
    openFiles: (title, near) =>
      open({ title, defaultPath: near, properties: ['openFile', 'multiSelections'] }),
    openFolder: async (title, near) =>
      (await open({ title, defaultPath: near, properties: ['openDirectory', 'createDirectory'] }))[0] ?? null,
    openFile: async (title, extensions) =>
      (
        await open({
          title,
          properties: ['openFile'],
          filters: [{ name: title, extensions: [...extensions] }],
        })
      )[0] ?? null,
    async saveFile(title, defaultName) {
      const owner = parent();
      const options = { title, defaultPath: defaultName };
      const result = owner
        ? await dialog.showSaveDialog(owner, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async openPath(path) {
      const problem = await shell.openPath(path);
      if (problem) throw new ReportableError(problem);
    },
  };
}

/** Serves dist/renderer under app://deid/, with the Content-Security-Policy on every response. */
function serveRenderer() {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const target = url.host === 'deid' ? rendererFile(RENDERER, url.pathname) : undefined;
    if (!target) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(target.file), {
        headers: { 'Content-Type': target.type, 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

function lockDownSessions() {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // Nothing in the app goes to the network; any request that is not our own page is refused.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url;
    callback({
      cancel: !(
        url.startsWith(`${ORIGIN}/`) ||
        url.startsWith('devtools:') ||
        url.startsWith('blob:') ||
        url.startsWith('data:')
      ),
    });
  });
}

function createWindow() {
  window = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1000,
    minHeight: 640,
    title: 'dicom-deid',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.removeMenu();
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => {
    window = undefined;
  });
  void window.loadURL(`${ORIGIN}/index.html`);
}

function bindIpc() {
  const handlers = createHandlers({
    userData: app.getPath('userData'),
    samplesDir: unpacked(join(ROOT, 'assets/samples')),
    // The same key as the command line's, so both give the same pseudonyms on this computer.
    defaultKeyPath: defaultKeyPath(),
    dialogs: electronDialogs(),
    toolVersion: app.getVersion(),
    workerScript: unpacked(join(ROOT, 'dist/cli/batch-worker.js')),
    appWorkerScript: unpacked(join(ROOT, 'dist/electron/app-worker.cjs')),
  });
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, raw: unknown) => {
      // Only our own page may call: a frame from anywhere else (there should be none) is ignored.
      if (!event.senderFrame?.url.startsWith(`${ORIGIN}/`)) return { ok: false, error: 'refused' };
      const emit: Emit = (name, payload) => {
        if (!event.sender.isDestroyed()) event.sender.send(name, payload);
      };
      return dispatch(handlers, channel, raw, emit);
    });
  }
}

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(() => {
    lockDownSessions();
    serveRenderer();
    bindIpc();
    createWindow();
  });
}
