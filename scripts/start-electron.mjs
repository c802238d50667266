#!/usr/bin/env node
// Launches the built app in Electron, or explains in plain words why it cannot and what to do instead.
// Electron's package resolves its binary by downloading it when missing (`require('electron')`), which
// on an offline machine prints a stack trace; this script reads the same path.txt without that side effect.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(root, 'dist/electron/main.cjs');

const DEFAULT_EXECUTABLE = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

/** The Electron executable to run, or undefined when this machine has none. */
export function findElectron(env = process.env) {
  let packageDir;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    packageDir = undefined;
  }
  const pathFile = packageDir && join(packageDir, 'path.txt');
  const executable =
    pathFile && existsSync(pathFile)
      ? readFileSync(pathFile, 'utf8').trim()
      : (DEFAULT_EXECUTABLE[process.platform] ?? 'electron');
  const candidate = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, executable)
    : packageDir && join(packageDir, 'dist', executable);
  return candidate && existsSync(candidate) ? candidate : undefined;
}

const MISSING = `dicom-deid: the desktop app cannot start, because Electron's runtime is not installed on this machine
(it could not be downloaded: this machine is offline, or npm did not run Electron's install script).

To start the app, either:
  - point at a local copy of Electron's files:
      ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dist npm start
  - or, on a machine with internet access, allow Electron's install script and run it:
      npm install-scripts approve electron && npm rebuild electron

The command line works without Electron. Try it on the sample data:
  npx dicom-deid scan assets/samples
  npx dicom-deid anonymize assets/samples --out /tmp/deid-out
`;

function main() {
  if (!existsSync(MAIN)) {
    process.stderr.write(
      'dicom-deid: the app is not built yet: run `npm start` (it builds first) or `npm run build`.\n',
    );
    return 1;
  }
  const electron = findElectron();
  if (!electron) {
    process.stderr.write(MISSING);
    return 1;
  }
  const child = spawn(electron, [MAIN, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('error', (error) => {
    process.stderr.write(`dicom-deid: Electron could not be started (${error.message}).\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  return undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = main();
  if (code !== undefined) process.exitCode = code;
}
