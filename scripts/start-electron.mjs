#!/usr/bin/env node
// Launches the built app in Electron. Electron's package fetches its runtime lazily, the first time it is
// asked for (`require('electron')` runs its install.js); this script makes that same download happen when
// the runtime is missing, and when it cannot, says why in plain words and what to do instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(root, 'dist/electron/main.cjs');

/** Electron's executable inside its dist folder, as its install.js names it per platform. */
const EXECUTABLE = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };

/** The folder of the installed `electron` package, or undefined when npm did not install it. */
export function electronPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The Electron executable to run, or undefined when this machine has none (yet). */
export function findElectron(packageDir, env = process.env) {
  const pathFile = packageDir && join(packageDir, 'path.txt');
  const executable =
    pathFile && existsSync(pathFile)
      ? readFileSync(pathFile, 'utf8').trim()
      : (EXECUTABLE[process.platform] ?? 'electron');
  const candidate = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, executable)
    : packageDir && join(packageDir, 'dist', executable);
  return candidate && existsSync(candidate) ? candidate : undefined;
}

/** The Node version Electron's package asks for (`>= 22.12.0` for Electron 45), as [major, minor, patch]. */
function requiredNode(packageDir) {
  const engines = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).engines?.node ?? '';
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(engines);
  return match ? match.slice(1).map(Number) : undefined;
}

const older = (version, than) => {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((parts[i] ?? 0) !== than[i]) return (parts[i] ?? 0) < than[i];
  return false;
};

/** Why the download failed, from the installer's error output, in words for the person at the terminal. */
export function downloadProblem(stderr) {
  if (
    /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up/i.test(
      stderr,
    )
  ) {
    return 'this machine cannot reach the download server (github.com, or the mirror in ELECTRON_MIRROR)';
  }
  if (/certificate|CERT_|SSL/i.test(stderr)) {
    return 'the download server’s certificate was refused (a proxy that inspects HTTPS?)';
  }
  if (/checksum/i.test(stderr)) return 'the downloaded file did not match its checksum';
  if (/HTTPError|status code|\b40[34]\b/i.test(stderr)) return 'the download server refused the request';
  const last = stderr.trim().split('\n').at(-1);
  return `Electron's installer failed${last ? ` (${last.trim().slice(0, 200)})` : ''}`;
}

const DOWNLOAD_REMEDY = `  - run it where the download is possible (internet access, or ELECTRON_MIRROR set to a reachable mirror):
      npm start
`;

const REMEDIES = `  - or point at a local copy of Electron 45's files (the folder holding the electron executable):
      ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dist npm start

The command line needs neither Electron nor a download (Node 20 or later). Try it on the sample data:
  npx dicom-deid scan assets/samples
  npx dicom-deid anonymize assets/samples --out /tmp/deid-out
`;

const cannotStart = (cause, first = DOWNLOAD_REMEDY) =>
  `dicom-deid: the desktop app cannot start: ${cause}.\n\nTo start the app, either:\n${first}${REMEDIES}`;

/**
 * What `npm start` does, step by step: an Electron runtime that is there is started; a missing one is
 * downloaded by Electron's own installer (node_modules/electron/install.js, what `npx install-electron`
 * runs) and then started; when the download is impossible, the true cause and the remedies are printed.
 * Every effect goes through `io`, so the three cases are tested with stand-ins.
 */
export async function start(io) {
  const { packageDir, env, nodeVersion, write } = io;
  if (!existsSync(io.main)) {
    write('dicom-deid: the app is not built yet: run `npm start` (it builds first) or `npm run build`.\n');
    return 1;
  }
  let electron = findElectron(packageDir, env);
  if (!electron) {
    if (!packageDir) {
      write(cannotStart('the electron package is not installed (run `npm install` in the project folder)'));
      return 1;
    }
    if (env.ELECTRON_OVERRIDE_DIST_PATH) {
      write(cannotStart(`ELECTRON_OVERRIDE_DIST_PATH names a folder without Electron's executable`));
      return 1;
    }
    const needed = requiredNode(packageDir);
    if (needed && older(nodeVersion, needed)) {
      write(
        cannotStart(
          `Electron's runtime is not downloaded yet, and Electron's installer needs Node ${needed.join('.')} or later (this is Node ${nodeVersion.replace(/^v/, '')})`,
          `  - use Node ${needed.join('.')} or later (for example \`nvm install 22\`) and run npm start again\n`,
        ),
      );
      return 1;
    }
    write('dicom-deid: downloading Electron’s runtime (once; about 100 MB)…\n');
    const result = io.download(join(packageDir, 'install.js'));
    electron = findElectron(packageDir, env);
    if (result.status !== 0 || !electron) {
      write(cannotStart(`Electron's runtime could not be downloaded: ${downloadProblem(result.stderr)}`));
      return 1;
    }
  }
  return io.launch(electron, [io.main, ...io.args]);
}

/** Runs Electron's own installer, as `require('electron')` would; its progress shows, its errors are kept. */
export function runInstaller(installer) {
  const result = spawnSync(process.execPath, [installer], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  return { status: result.status ?? 1, stderr: `${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

/** Starts Electron on the app and resolves with its exit status. */
export function launchElectron(electron, args) {
  return new Promise((resolve) => {
    const child = spawn(electron, args, { stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`dicom-deid: Electron could not be started (${error.message}).\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  start({
    main: MAIN,
    args: process.argv.slice(2),
    packageDir: electronPackageDir(),
    env: process.env,
    nodeVersion: process.version,
    write: (text) => process.stderr.write(text),
    download: runInstaller,
    launch: launchElectron,
  }).then((code) => {
    process.exitCode = code;
  });
}
