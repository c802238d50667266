import { closeSync, fdatasync, fstatSync, fsyncSync, ftruncateSync, writeSync } from 'node:fs';

const FLUSH_AT = 64 * 1024;

/**
 * Appends text to an open file in 64 KB writes: one system call per file processed would cost more than
 * a tiny DICOM file's whole de-identification, and holding rows until the end would not scale. A write
 * that fails (a full disk) leaves the file as the last whole flush left it, and its text waiting for the
 * next flush: a line cut short would otherwise run into the next one written, and be lost itself.
 */
export class FileSink {
  private parts: string[] = [];
  private pending = 0;
  /** Written since the last sync(): not yet sure to be on the disk. */
  private unsynced = false;
  /** The file's length after the last whole flush: where the next one writes. */
  private size: number;

  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  write(text: string): void {
    this.queue(text);
    this.flushIfFull();
  }

  /** Takes text to write without writing any: what several files must all hold is queued in each first. */
  queue(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
  }

  /** Writes what is queued once it is 64 KB or more. */
  flushIfFull(): void {
    if (this.pending >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending === 0) return;
    const text = this.parts.join('');
    const bytes = Buffer.from(text, 'utf8');
    let at = 0;
    try {
      // At the place the last whole flush ended, which is the end of the file for a log opened to append.
      while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at, this.size + at);
    } catch (e) {
      this.parts = [text];
      if (at > 0) cutBack(this.fd, this.size);
      throw e;
    }
    this.parts = [];
    this.pending = 0;
    this.size += bytes.length;
    this.unsynced = true;
  }

  /** Flushes, then waits until everything written is on the disk (in a background thread). */
  async sync(): Promise<void> {
    this.flush();
    if (!this.unsynced) return;
    this.unsynced = false;
    await new Promise<void>((done, fail) => fdatasync(this.fd, (e) => (e ? fail(e) : done())));
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** Takes a cut-short write back off the end of the file; if even that fails, the next flush overwrites it. */
function cutBack(fd: number, size: number): void {
  try {
    ftruncateSync(fd, size);
  } catch {
    // The next flush writes at `size` again.
  }
}

/** Fills an open file with the text `fill` writes, puts it on the disk and closes it. */
export function fillFile(fd: number, fill: (write: (text: string) => void) => void): void {
  const sink = new FileSink(fd);
  try {
    fill((text) => sink.write(text));
    sink.flush();
    fsyncSync(fd);
  } finally {
    sink.close();
  }
}
