import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { FrameLayout } from '../shared/pixels/codec.js';
import { fromPnm, pnm } from './pixels.js';

/** Independent image tools run on scratch files in a folder of the test file's own, removed after it. */
export class ToolRunner {
  private readonly dir = mkdtempSync(join(tmpdir(), 'deid-pixels-'));
  private serial = 0;
  constructor() {
    afterAll(() => rmSync(this.dir, { recursive: true, force: true }));
  }

  /** A fresh path in the folder, without extension. */
  path(): string {
    return join(this.dir, `t${this.serial++}`);
  }

  /** A DICOM tool that reads one file and writes another (dcmcjpeg, dcmdrle, gdcmconv, …): its output. */
  dicom(command: string, args: readonly string[], input: Uint8Array): Uint8Array {
    const base = this.path();
    writeFileSync(`${base}.in.dcm`, input);
    execFileSync(command, [...args, `${base}.in.dcm`, `${base}.out.dcm`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new Uint8Array(readFileSync(`${base}.out.dcm`));
  }

  /** OpenJPH's encoder on one frame of interleaved samples: a raw HTJ2K codestream. */
  ojphCompress(layout: FrameLayout, frame: Uint8Array, args: readonly string[]): Uint8Array {
    const base = this.path();
    const image = `${base}.${layout.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`;
    writeFileSync(image, pnm(layout, frame));
    execFileSync('ojph_compress', ['-i', image, '-o', `${base}.j2c`, ...args], { stdio: 'ignore' });
    return new Uint8Array(readFileSync(`${base}.j2c`));
  }

  /** OpenJPH's decoder on a raw HTJ2K (or JPEG 2000 Part 1) codestream: interleaved samples. */
  ojphExpand(layout: FrameLayout, codestream: Uint8Array): Uint8Array {
    const base = this.path();
    const image = `${base}.${layout.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`;
    writeFileSync(`${base}.j2c`, codestream);
    execFileSync('ojph_expand', ['-i', `${base}.j2c`, '-o', image], { stdio: 'ignore' });
    return fromPnm(layout, new Uint8Array(readFileSync(image)));
  }

  /** libjpeg-turbo's cjpeg on one frame, the JPEG put into a DICOM file as it is by dcmtk's img2dcm. */
  cjpeg(layout: FrameLayout, frame: Uint8Array, args: readonly string[]): Uint8Array {
    const base = this.path();
    writeFileSync(`${base}.pnm`, pnm(layout, frame));
    execFileSync('cjpeg', [...args, '-outfile', `${base}.jpg`, `${base}.pnm`]);
    execFileSync('img2dcm', [`${base}.jpg`, `${base}.dcm`]);
    return new Uint8Array(readFileSync(`${base}.dcm`));
  }
}
