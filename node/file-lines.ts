import { readSync } from 'node:fs';

// No line of a state or report file is near this: a longer one is given by its place only, its text
// not gathered, which would cost a copy per megabyte read and could outgrow a string (a report
// reformatted onto one line).
const LONGEST_LINE = 16 * 1024 * 1024;
// The longest line lineText reads, well below the longest string V8 makes (2^29 characters).
const LONGEST_READ = 256 * 1024 * 1024;

/** A line of a file: where it starts (in bytes) and how many bytes it takes with its newline. */
export interface FileLine {
  /** Its text without the newline; undefined for a line longer than 16 MB (see lineText). */
  readonly text: string | undefined;
  readonly start: number;
  readonly bytes: number;
  /** False for a last line without its newline (a crash cut it short). */
  readonly complete: boolean;
}

/**
 * A file's lines, read a megabyte at a time: state and report files of a million outputs are far larger
 * than a string may be. A line longer than 16 MB is given without its text, so that no line is passed
 * over unseen: a caller that needs it reads it with lineText.
 */
export function* fileLines(fd: number): Generator<FileLine> {
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let pending = Buffer.alloc(0);
  // Where pending's first byte is in the file, or the next data's while a long line is passed.
  let at = 0;
  // Where the long line being passed starts; -1 when none is.
  let longStart = -1;
  let position = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    position += n;
    const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let from = 0;
    if (longStart >= 0) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        at += data.length;
        continue;
      }
      yield { text: undefined, start: longStart, bytes: at + nl + 1 - longStart, complete: true };
      longStart = -1;
      from = nl + 1;
    }
    for (let nl = data.indexOf(10, from); nl >= 0; nl = data.indexOf(10, from)) {
      yield { text: data.toString('utf8', from, nl), start: at + from, bytes: nl + 1 - from, complete: true };
      from = nl + 1;
    }
    if (data.length - from > LONGEST_LINE) {
      longStart = at + from;
      pending = Buffer.alloc(0);
      at += data.length;
    } else {
      // Copied: the chunk is read into again.
      pending = Buffer.from(data.subarray(from));
      at += from;
    }
  }
  if (longStart >= 0)
    yield { text: undefined, start: longStart, bytes: position - longStart, complete: false };
  else if (pending.length > 0)
    yield { text: pending.toString('utf8'), start: at, bytes: pending.length, complete: false };
}

/** The line fileLines gave at `start`, `bytes` long (its newline included), read again; undefined when the file is shorter. */
export function lineAt(fd: number, start: number, bytes: number): string | undefined {
  const line = Buffer.alloc(bytes);
  return readSync(fd, line, 0, bytes, start) === bytes ? line.toString('utf8') : undefined;
}

/**
 * A line's text, read from the file when fileLines gave it without (a line longer than 16 MB); undefined
 * for one longer than 256 MB, or when the file is shorter now.
 */
export function lineText(fd: number, line: FileLine): string | undefined {
  if (line.text !== undefined) return line.text;
  if (line.bytes > LONGEST_READ) return undefined;
  const text = lineAt(fd, line.start, line.bytes);
  return line.complete ? text?.slice(0, -1) : text;
}
