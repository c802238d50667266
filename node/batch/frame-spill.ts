import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import type { ByteSource } from '../../shared/dicom/source.js';
import type { SourceRange } from '../../shared/dicom/write.js';
import type { FrameSpill } from '../../shared/pixels/spill.js';

/**
 * One file's re-encoded frames, appended to an owner-only file in the run's temporary folder and streamed
 * back by the writer, so a cleaned 300-frame cine costs one frame of memory, not its compressed size. The
 * file is made on the first frame and removed by `close`; a crash leaves it in the temporary folder, which
 * the next run in that output folder removes with the rest.
 */
export class FrameSpillFile implements FrameSpill, ByteSource {
  private fd: number | undefined;
  size = 0;

  constructor(private readonly path: string) {}

  put(bytes: Uint8Array): SourceRange {
    this.fd ??= openSync(this.path, 'wx+', 0o600);
    let done = 0;
    while (done < bytes.length)
      done += writeSync(this.fd, bytes, done, bytes.length - done, this.size + done);
    const range = { source: this, offset: this.size, length: bytes.length };
    this.size += bytes.length;
    return range;
  }

  read(offset: number, length: number): Uint8Array {
    // Never zeros in place of frames: a read after close is a bug, not an empty frame.
    if (this.fd === undefined) throw new Error('the temporary frame file was read after it was removed');
    const end = Math.min(this.size, offset + length);
    const out = new Uint8Array(Math.max(0, end - offset));
    let done = 0;
    while (done < out.length) {
      const n = readSync(this.fd, out, done, out.length - done, offset + done);
      if (n === 0) throw new Error('the temporary frame file ended early');
      done += n;
    }
    return out;
  }

  window(offset: number, minLength: number) {
    return { bytes: this.read(offset, minLength), base: offset };
  }

  /** Forgets every frame put so far: the engine ran again, and the chunks it returned before are dropped. */
  clear(): void {
    if (this.fd !== undefined) ftruncateSync(this.fd, 0);
    this.size = 0;
  }

  /** Removes the file; the chunks it returned must not be read afterwards. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.size = 0;
    rmSync(this.path, { force: true });
  }
}
