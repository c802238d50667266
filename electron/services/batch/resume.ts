import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type AnonymizationKey, keyedDigest } from '../../../shared/anonymize/key.js';
import type { DicomdirEntry } from '../../../shared/dicomdir/build.js';

const DONE_FILE = 'done.jsonl';

/**
 * Which inputs an earlier run already wrote into an output folder. It lives beside the outputs (in the
 * report folder), so an entry names the input only by a keyed digest of (profile, real path, size,
 * modification time): the folder can travel without revealing where or what the originals were.
 */
export class ResumeIndex {
  private readonly done = new Map<string, string>();
  private readonly directory: DicomdirEntry[] = [];
  private readonly file: string;

  constructor(
    dir: string,
    private readonly key: AnonymizationKey,
    private readonly profileDigest: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, DONE_FILE);
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // First run into this folder.
    }
    for (const line of text.split('\n')) {
      try {
        const { k, out, dir } = JSON.parse(line) as { k: string; out: string; dir?: DicomdirEntry };
        if (typeof k === 'string' && typeof out === 'string') this.done.set(k, out);
        if (dir) this.directory.push(dir);
      } catch {
        // A line cut short by a crash: that input is simply done again.
      }
    }
  }

  keyFor(realPath: string, size: number, mtimeMs: number): string {
    return bytesToHex(
      keyedDigest(this.key, 'resume', JSON.stringify([this.profileDigest, realPath, size, mtimeMs])),
    );
  }

  outputFor(key: string): string | undefined {
    return this.done.get(key);
  }

  /** `dir`: the output's DICOMDIR record (de-identified values only), when the batch keeps a DICOMDIR. */
  add(key: string, relativeOutput: string, dir?: DicomdirEntry) {
    this.done.set(key, relativeOutput);
    if (dir) this.directory.push(dir);
    appendFileSync(
      this.file,
      `${JSON.stringify({ k: key, out: relativeOutput, ...(dir ? { dir } : {}) })}\n`,
    );
  }

  /** DICOMDIR records of earlier runs, in the order their files were written. */
  directoryEntries(): readonly DicomdirEntry[] {
    return this.directory;
  }
}
