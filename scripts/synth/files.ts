import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SynthFile } from './study.js';

function writeAll(fd: number, bytes: Uint8Array) {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}

/** Writes a file under `root` frame by frame, so memory stays at one frame whatever the file's size. */
export function writeSynthFile(root: string, file: SynthFile): void {
  const path = join(root, file.relativePath);
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, file.head);
    for (const chunk of file.pixels()) writeAll(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
