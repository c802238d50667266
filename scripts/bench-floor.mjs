#!/usr/bin/env node
// The work an anonymize of a folder cannot avoid, with nothing else: each input read once into memory,
// written once to a temporary file in its final folder and renamed, on as many threads as the batch uses,
// and with `--hash` both audit digests (SHA-256 of the input and of the output). No parsing, no
// de-identification, no report. `npm run bench` times it beside `cp` (which copies inside the kernel with
// copy_file_range, one copy instead of a read and a write) to show which floor stops the batch (issue 11).
//
//   node scripts/bench-floor.mjs <input folder> <output folder> [--hash]
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

if (isMainThread) {
  const [input, output] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!input || !output) throw new Error('usage: bench-floor.mjs <input> <output> [--hash]');
  const files = readdirSync(input, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
  // Threads take the next input from one shared counter, as the batch's workers take the next task.
  const next = new Int32Array(new SharedArrayBuffer(4));
  const threads = Math.max(1, Math.min(availableParallelism(), files.length));
  const hash = process.argv.includes('--hash');
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), {
            workerData: { input, output, files, next, hash },
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`thread exit ${code}`))));
        }),
    ),
  );
} else {
  const { input, output, files, next, hash } = workerData;
  const made = new Set();
  let buffer = new Uint8Array(1 << 20);
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
    const file = files[i];
    const fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size > buffer.length) buffer = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buffer, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    closeSync(fd);
    const bytes = buffer.subarray(0, got);
    if (hash) createHash('sha256').update(bytes).digest();
    const target = join(output, relative(input, file));
    const folder = dirname(target);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    const temp = `${target}.tmp`;
    const out = openSync(temp, 'wx', 0o644);
    for (let at = 0; at < bytes.length; ) at += writeSync(out, bytes, at, bytes.length - at);
    closeSync(out);
    // The output's digest is of the bytes written; here they are the input's, hashed a second time.
    if (hash) createHash('sha256').update(bytes).digest();
    renameSync(temp, target);
  }
}
