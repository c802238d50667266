/**
 * The app without Electron, for Playwright in Debian's Chromium: the built renderer served over HTTP on
 * 127.0.0.1, the real main-process handlers behind POST /ipc/<channel>, their pushes as Server-Sent Events,
 * and a page-side shim that builds `window.deid` from the same createDeidApi as the preload. Only the
 * transport differs from Electron; native dialogs are answered by the test.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { dispatch } from '../electron/main/dispatch.js';
import { createHandlers } from '../electron/main/handlers.js';
import { rendererFile } from '../electron/main/renderer-files.js';
import type { Emit } from '../shared/ipc/contract.js';
import { CONTENT_SECURITY_POLICY } from '../shared/ipc/csp.js';
import { ScriptedDialogs } from './dialogs.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RENDERER = join(ROOT, 'dist/renderer');

export interface Harness {
  readonly url: string;
  readonly dialogs: ScriptedDialogs;
  /** The script that gives the page its `window.deid`; pass to page.addInitScript. */
  readonly initScript: string;
  close(): Promise<void>;
}

/** The shim, bundled for the page with the folder that dropped test files are taken from. */
async function shimScript(dropRoot: string): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'e2e/shim.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome130',
    define: { __DROP_ROOT__: JSON.stringify(dropRoot) },
    logLevel: 'warning',
  });
  return result.outputFiles[0]!.text;
}

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      try {
        const text = Buffer.concat(parts).toString('utf8');
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

async function serveFile(pathname: string, response: ServerResponse) {
  const target = rendererFile(RENDERER, pathname);
  try {
    if (!target) throw new Error('not a renderer file');
    const body = await readFile(target.file);
    response.writeHead(200, {
      'Content-Type': target.type,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': 'no-store',
    });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
}

export async function startHarness(options: { userData: string; dropRoot: string }): Promise<Harness> {
  const dialogs = new ScriptedDialogs();
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
  const handlers = createHandlers({
    userData: options.userData,
    samplesDir: join(ROOT, 'assets/samples'),
    defaultKeyPath: join(options.userData, 'project.key'),
    dialogs,
    toolVersion: version,
    workerScript: join(ROOT, 'dist/cli/batch-worker.js'),
    // Projects from the test's own folder, never the real ~/.dicom-deid.
    home: options.userData,
    appWorkerScript: join(ROOT, 'dist/electron/app-worker.cjs'),
  });
  const streams = new Set<ServerResponse>();
  const emit: Emit = (event, payload) => {
    const message = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const stream of streams) stream.write(message);
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/events') {
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      response.write(': connected\n\n');
      streams.add(response);
      request.on('close', () => streams.delete(response));
      return;
    }
    if (request.method === 'POST' && url.pathname.startsWith('/ipc/')) {
      readBody(request)
        .then((body) => dispatch(handlers, url.pathname.slice('/ipc/'.length), body, emit))
        .catch((error: unknown) => ({ ok: false, error: `bad request: ${String(error)}` }))
        .then((envelope) => {
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify(envelope));
        });
      return;
    }
    if (request.method === 'GET') {
      void serveFile(url.pathname, response);
      return;
    }
    response.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    dialogs,
    initScript: await shimScript(options.dropRoot),
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
