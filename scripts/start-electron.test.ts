// `npm start`'s three cases, with a stand-in electron package: a runtime already there, a runtime its
// installer downloads, and a download that cannot happen. The installer and the runtime are real scripts
// run as child processes, the way Electron's own are.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import * as script from './start-electron.mjs';

interface StartIo {
  main: string;
  args: string[];
  packageDir: string | undefined;
  env: Record<string, string | undefined>;
  nodeVersion: string;
  write(text: string): void;
  download(installer: string): { status: number; stderr: string };
  launch(electron: string, args: string[]): Promise<number>;
}
const { start, runInstaller, launchElectron } = script as {
  start(io: StartIo): Promise<number>;
  runInstaller: StartIo['download'];
  launchElectron: StartIo['launch'];
};

let root: string;
let packageDir: string;
let main: string;
let output: string;

/** A stand-in Electron runtime: writes the arguments it was started with and exits 0. */
const RUNTIME = (marker: string) => `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(marker)}\n`;

function writeRuntime(folder: string) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'electron'), RUNTIME(join(root, 'started')));
  chmodSync(join(folder, 'electron'), 0o755);
}

/** The installer stand-in: `downloads` (writes the runtime and path.txt) or fails as offline npm does. */
function writeInstaller(behaviour: 'downloads' | 'offline') {
  const body =
    behaviour === 'downloads'
      ? `const fs = require('node:fs'); const path = require('node:path');
fs.writeFileSync(${JSON.stringify(join(root, 'installer-ran'))}, '');
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), ${JSON.stringify(RUNTIME(join(root, 'started')))}, { mode: 0o755 });
fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');`
      : `require('node:fs').writeFileSync(${JSON.stringify(join(root, 'installer-ran'))}, '');
console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous>');
process.exit(1);`;
  writeFileSync(join(packageDir, 'install.js'), body);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'deid-start-'));
  packageDir = join(root, 'node_modules', 'electron');
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: 'electron', version: '45.4.1', engines: { node: '>= 22.12.0' } }),
  );
  main = join(root, 'main.cjs');
  writeFileSync(main, '');
  output = '';
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const run = (overrides: Partial<StartIo> = {}) =>
  start({
    main,
    args: ['--flag'],
    packageDir,
    env: {},
    nodeVersion: 'v22.12.0',
    write: (text) => {
      output += text;
    },
    download: runInstaller,
    launch: launchElectron,
    ...overrides,
  });

const startedWith = () => readFileSync(join(root, 'started'), 'utf8').trim().split('\n');

describe.skipIf(process.platform === 'win32')('npm start', () => {
  it('starts a runtime that is there, without running the installer', async () => {
    writeInstaller('downloads');
    writeRuntime(join(packageDir, 'dist'));
    writeFileSync(join(packageDir, 'path.txt'), 'electron');
    expect(await run()).toBe(0);
    expect(startedWith()).toEqual([main, '--flag']);
    expect(existsSync(join(root, 'installer-ran'))).toBe(false);
    expect(output).toBe('');
  });

  it('starts a runtime from ELECTRON_OVERRIDE_DIST_PATH', async () => {
    writeRuntime(join(root, 'local-electron'));
    expect(await run({ env: { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'local-electron') } })).toBe(0);
    expect(startedWith()).toEqual([main, '--flag']);
  });

  it('downloads a missing runtime with Electron’s own installer, then starts it', async () => {
    writeInstaller('downloads');
    expect(await run()).toBe(0);
    expect(existsSync(join(root, 'installer-ran'))).toBe(true);
    expect(startedWith()).toEqual([main, '--flag']);
    expect(output).toMatch(/downloading Electron’s runtime/);
  });

  it('when the download is impossible, says why and what to do, and starts nothing', async () => {
    writeInstaller('offline');
    expect(await run()).toBe(1);
    expect(existsSync(join(root, 'installer-ran'))).toBe(true);
    expect(existsSync(join(root, 'started'))).toBe(false);
    expect(output).toContain('cannot reach the download server');
    expect(output).toContain('ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dist npm start');
    expect(output).toContain('npx dicom-deid anonymize assets/samples --out');
    // The old advice did nothing under npm 11: it must not come back.
    expect(output).not.toContain('install-scripts approve');
  });

  it('on a Node older than Electron’s installer needs, says so instead of failing inside it', async () => {
    writeInstaller('downloads');
    expect(await run({ nodeVersion: 'v20.19.5' })).toBe(1);
    expect(existsSync(join(root, 'installer-ran'))).toBe(false);
    expect(output).toContain('needs Node 22.12.0 or later (this is Node 20.19.5)');
  });

  it('a wrong ELECTRON_OVERRIDE_DIST_PATH is named, not downloaded over', async () => {
    writeInstaller('downloads');
    expect(await run({ env: { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'nowhere') } })).toBe(1);
    expect(existsSync(join(root, 'installer-ran'))).toBe(false);
    expect(output).toContain('ELECTRON_OVERRIDE_DIST_PATH names a folder without');
  });
});
