#!/usr/bin/env node
// The published command: runs the bundled CLI that `npm install` builds (see scripts/build.mjs).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../dist/cli/dicom-deid.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'dicom-deid is not built yet: run `npm install` (or `npm run build`) in the project folder.\n',
  );
  process.exit(2);
}
await import(pathToFileURL(cli).href);
