import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type AnonymizationKey, digestOf, keyFingerprint } from '../../shared/anonymize/key.js';
import type { DicomdirEntry } from '../../shared/dicomdir/build.js';
import { ReportableError } from '../../shared/errors.js';
import { plainOutputPath } from './output-path.js';

const DONE_FILE = 'done.jsonl';

/** What wrote the outputs a state describes: the first line of the state file. */
interface Maker {
  readonly profile: string;
  readonly key: string;
}

function sameMaker(line: string, maker: Maker): boolean {
  try {
    const m = JSON.parse(line) as Partial<Maker>;
    return m.profile === maker.profile && m.key === maker.key;
  } catch {
    return false;
  }
}

/**
 * Who wrote the outputs the state in `dir` describes, told before a run: nobody yet, this profile and key
 * (the run goes on where they left off), or another (the run would be refused). Without a key yet, any
 * earlier outputs were made with another.
 */
export function outputsMadeBy(
  dir: string,
  key: AnonymizationKey | undefined,
  profileDigest: string,
): 'none' | 'same' | 'other' {
  let head: string;
  try {
    head = readHead(join(dir, DONE_FILE));
  } catch {
    return 'none';
  }
  const [first = '', second = ''] = head.split('\n', 2);
  // A state that records no output yet refuses nothing: the run takes it over.
  if (second === '') return 'none';
  return key && sameMaker(first, { profile: profileDigest, key: keyFingerprint(key) }) ? 'same' : 'other';
}

/** The start of a state file: its first line and a little more (the file holds a line per output). */
function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(64 * 1024);
    return bytes.toString('utf8', 0, readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The output folder holds another profile's or key's outputs, and they were not to be replaced. */
export class OtherOutputsError extends ReportableError {
  override readonly name = 'OtherOutputsError';
}

/** An earlier run's output: where it is under the output folder and the SHA-256 it was written with. */
export interface DoneOutput {
  readonly out: string;
  readonly sha: string;
  readonly verification: 'passed' | 'not-run';
}

/**
 * Which inputs an earlier run already wrote into an output folder, and with what bytes. It lives beside
 * the outputs (in the report folder), so an entry names the input only by a keyed digest of (profile, real
 * path, size, modification time): the folder can travel without revealing where or what the originals were.
 * The first line names the profile and key digests the outputs were made with: a run with another profile
 * or key is refused (its outputs would sit beside those, or silently replace some), unless it replaces them.
 */
export class ResumeIndex {
  private readonly done = new Map<string, DoneOutput>();
  private readonly directory: DicomdirEntry[] = [];
  private readonly file: string;
  private readonly maker: Maker;
  /** Open for appending from the first output on: reopening the file per output cost three calls each. */
  private fd: number | undefined;
  /** Lines waiting for flush(): one write per committed group, not one per output. */
  private lines: string[] = [];
  /** Earlier runs' outputs by name (a plain name two contents share: contested), built on first use. */
  private byName: Map<string, (DoneOutput & { readonly key: string }) | 'contested'> | undefined;

  /**
   * `replace(outputs)` is called with the relative paths of another profile's or key's outputs when the
   * caller chose to overwrite them; without it such a state is refused.
   */
  constructor(
    dir: string,
    private readonly key: AnonymizationKey,
    profileDigest: string,
    replace?: (outputs: readonly string[]) => void,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, DONE_FILE);
    this.maker = { profile: profileDigest, key: keyFingerprint(key) };
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // First run into this folder.
    }
    const [first, ...lines] = text.split('\n');
    type Entry = DoneOutput & { k: string; dir?: DicomdirEntry };
    const entries: Entry[] = [];
    // Where each output's entry is, while the lines are read: a move line renames the output it names.
    const at = new Map<string, number>();
    for (const line of lines) {
      let e: Partial<Entry> & { moved?: unknown; to?: unknown };
      try {
        e = JSON.parse(line);
      } catch {
        // A line cut short by a crash: that input is simply done again.
        continue;
      }
      if (typeof e.moved === 'string' && typeof e.to === 'string') {
        const i = at.get(e.moved);
        if (i === undefined) continue;
        entries[i] = { ...entries[i]!, out: e.to };
        at.delete(e.moved);
        at.set(e.to, i);
      } else if (typeof e.k === 'string' && typeof e.out === 'string' && typeof e.sha === 'string')
        at.set(e.out, entries.push(e as Entry) - 1);
    }
    if (text !== '' && !this.isMine(first!)) {
      if (!replace && entries.length > 0)
        throw new OtherOutputsError(
          'the output folder holds files written with another profile or key; choose an empty folder, or overwrite them (--overwrite)',
        );
      replace?.(entries.map((e) => e.out));
      text = '';
    }
    if (text === '') {
      writeFileSync(this.file, `${JSON.stringify(this.maker)}\n`);
      return;
    }
    for (const e of entries) {
      this.done.set(e.k, {
        out: e.out,
        sha: e.sha,
        verification: e.verification === 'passed' ? 'passed' : 'not-run',
      });
      if (e.dir) this.directory.push(e.dir);
    }
  }

  private isMine(line: string): boolean {
    return sameMaker(line, this.maker);
  }

  keyFor(realPath: string, size: number, mtimeMs: number): string {
    return bytesToHex(
      digestOf(this.key, 'resume', JSON.stringify([this.maker.profile, realPath, size, mtimeMs])),
    );
  }

  outputFor(key: string): DoneOutput | undefined {
    return this.done.get(key);
  }

  /**
   * The earlier run's output recorded under `name` (relative to the output folder), or `contested` when
   * earlier runs wrote several contents of that instance, each under its hashed name.
   */
  recordedAt(name: string): (DoneOutput & { readonly key: string }) | 'contested' | undefined {
    if (this.done.size === 0) return undefined;
    if (!this.byName) {
      this.byName = new Map();
      for (const [key, output] of this.done) this.index(key, output);
    }
    return this.byName.get(name);
  }

  private index(key: string, output: DoneOutput) {
    const plain = plainOutputPath(output.out);
    if (plain !== output.out) this.byName!.set(plain, 'contested');
    this.byName!.set(output.out, { ...output, key });
  }

  /**
   * Records an output (on disk at the next flush). Only earlier runs' outputs are kept in memory, where a
   * move updates them: this run's are the batch's own to track, and the state must not grow with the run.
   * `dir`: the output's DICOMDIR record (de-identified values only), when the batch keeps a DICOMDIR.
   */
  add(key: string, output: DoneOutput, dir?: DicomdirEntry) {
    const earlier = this.done.get(key);
    if (earlier) {
      this.done.set(key, output);
      if (this.byName) {
        this.byName.delete(earlier.out);
        this.index(key, output);
      }
    }
    this.lines.push(`${JSON.stringify({ k: key, ...output, ...(dir ? { dir } : {}) })}\n`);
  }

  /**
   * An output moved to another name (a second content of its instance arrived), relative to the output
   * folder: the next run reading the state finds it there.
   */
  moved(from: string, to: string) {
    const earlier = this.recordedAt(from);
    if (earlier && earlier !== 'contested') {
      const { key, ...output } = earlier;
      this.add(key, { ...output, out: to });
    } else this.lines.push(`${JSON.stringify({ moved: from, to })}\n`);
  }

  /** Appends the lines recorded since the last flush, in one write. */
  flush() {
    if (this.lines.length === 0) return;
    this.fd ??= openSync(this.file, 'a');
    const bytes = Buffer.from(this.lines.join(''));
    this.lines = [];
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
  }

  close() {
    try {
      this.flush();
    } finally {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** DICOMDIR records of earlier runs, in the order their files were written. */
  directoryEntries(): readonly DicomdirEntry[] {
    return this.directory;
  }
}
