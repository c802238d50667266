import { readSync } from 'node:fs';

// No line of a state or report file is near this: a longer one (a report reformatted onto one line) is
// skipped rather than gathered, which would cost a copy per megabyte read.
const LONGEST_LINE = 16 * 1024 * 1024;

/**
 * A file's lines with where each starts in it (in bytes) and how many bytes it takes with its newline,
 * read a megabyte at a time: state and report files of a million outputs are far larger than a string
 * may be. `complete` is false for a last line without its newline (a crash cut it short). Lines longer
 * than 16 MB are not given.
 */
export function* fileLines(fd: number): Generator<{
  readonly text: string;
  readonly start: number;
  readonly bytes: number;
  readonly complete: boolean;
}> {
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let pending = Buffer.alloc(0);
  // Where pending's first byte is in the file.
  let at = 0;
  let skipping = false;
  for (let position = 0; ; ) {
    const n = readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    position += n;
    const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let from = 0;
    if (skipping) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        at += data.length;
        continue;
      }
      from = nl + 1;
      skipping = false;
    }
    for (let nl = data.indexOf(10, from); nl >= 0; nl = data.indexOf(10, from)) {
      yield { text: data.toString('utf8', from, nl), start: at + from, bytes: nl + 1 - from, complete: true };
      from = nl + 1;
    }
    skipping = data.length - from > LONGEST_LINE;
    // Copied: the chunk is read into again.
    pending = skipping ? Buffer.alloc(0) : Buffer.from(data.subarray(from));
    at += skipping ? data.length : from;
  }
  if (pending.length > 0)
    yield { text: pending.toString('utf8'), start: at, bytes: pending.length, complete: false };
}

/** The line fileLines gave at `start`, `bytes` long (its newline included), read again; undefined when the file is shorter. */
export function lineAt(fd: number, start: number, bytes: number): string | undefined {
  const line = Buffer.alloc(bytes);
  return readSync(fd, line, 0, bytes, start) === bytes ? line.toString('utf8') : undefined;
}
