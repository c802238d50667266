import { closeSync, fdatasync, fsyncSync, writeSync } from 'node:fs';

const FLUSH_AT = 64 * 1024;

/**
 * Appends text to an open file in 64 KB writes: one system call per file processed would cost more than
 * a tiny DICOM file's whole de-identification, and holding rows until the end would not scale.
 */
export class FileSink {
  private parts: string[] = [];
  private pending = 0;
  /** Written since the last sync(): not yet sure to be on the disk. */
  private unsynced = false;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending === 0) return;
    const bytes = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.unsynced = true;
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
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
