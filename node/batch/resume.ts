import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type AnonymizationKey, digestOf, keyFingerprint } from '../../shared/anonymize/key.js';
import type { DicomdirEntry } from '../../shared/dicomdir/build.js';
import { ReportableError } from '../../shared/errors.js';
import { DigestTable, hexDigest, textDigest } from '../digest-table.js';
import { fileLines, lineAt } from '../file-lines.js';
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
  /** Earlier runs' outputs by their key's digest: where the key's latest line starts, and its length. */
  private readonly done = new DigestTable(2);
  /** Earlier runs' outputs by their name's digest: where the line naming it starts, or CONTESTED. */
  private readonly byName = new DigestTable(2);
  /** Names that move lines gave outputs, by the start of the output's line: moves are rare. */
  private readonly renamed = new Map<number, string>();
  private readonly directory: DicomdirEntry[] = [];
  private readonly file: string;
  private readonly maker: Maker;
  /** Open for reading lines and appending from first need: reopening the file per output cost three calls each. */
  private fd: number | undefined;
  /** Lines waiting for flush(): one write per committed group, not one per output. */
  private lines: string[] = [];
  /** Where the next line starts, and how much of the file is written. */
  private end = 0;
  private written = 0;
  /** A crash cut the last line short: the next line must not continue it. */
  private cutShort = false;

  /**
   * `replace(outputs)` is called with the relative paths of another profile's or key's outputs when the
   * caller chose to overwrite them; without it such a state is refused.
   *
   * The state is read line by line and only digests and places are kept: a run of a million files
   * resumes in tens of megabytes, and an entry's line is read again when its input comes.
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
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      // First run into this folder.
      this.begin();
      return;
    }
    let mine: boolean | undefined;
    // Another maker's outputs, as its moves left them: what an overwrite deletes.
    const others = new Set<string>();
    try {
      for (const line of fileLines(fd)) {
        this.end = line.start + line.bytes;
        this.cutShort = !line.complete;
        if (mine === undefined) {
          mine = this.isMine(line.text ?? '');
          continue;
        }
        // A state line is a few hundred bytes: one longer than fileLines gives is no entry of ours.
        const e = line.text === undefined ? undefined : parsedLine(line.text);
        if (!e) continue;
        if (mine) this.index(e, line.start, line.bytes);
        else if ('k' in e) {
          if (!replace)
            throw new OtherOutputsError(
              'the output folder holds files written with another profile or key; choose an empty folder, or overwrite them (--overwrite)',
            );
          others.add(e.out);
        } else if (others.delete(e.moved)) others.add(e.to);
      }
    } finally {
      closeSync(fd);
    }
    if (!mine) {
      if (others.size > 0) replace?.([...others]);
      this.begin();
    }
    this.written = this.end;
  }

  /** A state of no outputs, made by this profile and key. */
  private begin() {
    const head = `${JSON.stringify(this.maker)}\n`;
    writeFileSync(this.file, head);
    this.end = this.written = Buffer.byteLength(head);
    this.cutShort = false;
  }

  private isMine(line: string): boolean {
    return sameMaker(line, this.maker);
  }

  /** An earlier run's line, as the state is read: entries index their key and name, moves rename. */
  private index(e: StateLine, start: number, bytes: number) {
    if ('k' in e) {
      this.done.set(hexDigest(e.k), start, bytes);
      this.name(e.out, start, bytes);
      if (e.dir) this.directory.push(e.dir);
      return;
    }
    const from = textDigest(e.moved);
    const at = this.byName.get(from);
    if (at === undefined || at === CONTESTED) return;
    const length = this.byName.get(from, 1) ?? 0;
    this.byName.delete(from);
    this.renamed.set(at, e.to);
    this.name(e.to, at, length);
  }

  /** Indexes an output's name; the plain name of an output under its hashed one is contested. */
  private name(out: string, start: number, bytes: number) {
    this.byName.set(textDigest(out), start, bytes);
    const plain = plainOutputPath(out);
    if (plain !== out) this.byName.set(textDigest(plain), CONTESTED, 0);
  }

  keyFor(realPath: string, size: number, mtimeMs: number): string {
    return bytesToHex(
      digestOf(this.key, 'resume', JSON.stringify([this.maker.profile, realPath, size, mtimeMs])),
    );
  }

  outputFor(key: string): DoneOutput | undefined {
    const d = hexDigest(key);
    const start = this.done.get(d);
    if (start === undefined) return undefined;
    const entry = this.entryAt(start, this.done.get(d, 1) ?? 0);
    return entry?.key === key ? entry.output : undefined;
  }

  /**
   * The earlier run's output recorded under `name` (relative to the output folder), or `contested` when
   * earlier runs wrote several contents of that instance, each under its hashed name.
   */
  recordedAt(name: string): (DoneOutput & { readonly key: string }) | 'contested' | undefined {
    if (this.done.size === 0) return undefined;
    const d = textDigest(name);
    const start = this.byName.get(d);
    if (start === undefined) return undefined;
    if (start === CONTESTED) return 'contested';
    const entry = this.entryAt(start, this.byName.get(d, 1) ?? 0);
    // A name its output no longer holds: the input was written again since, under another name.
    if (!entry || entry.output.out !== name || this.done.get(hexDigest(entry.key)) !== start)
      return undefined;
    return { ...entry.output, key: entry.key };
  }

  /** The entry whose line starts at `start`, with the name moves gave it since. */
  private entryAt(start: number, bytes: number): { key: string; output: DoneOutput } | undefined {
    if (start + bytes > this.written) this.flush();
    this.fd ??= openSync(this.file, 'a+');
    const line = lineAt(this.fd, start, bytes);
    const e = line === undefined ? undefined : parsedLine(line);
    if (!e || !('k' in e)) return undefined;
    return {
      key: e.k,
      output: { out: this.renamed.get(start) ?? e.out, sha: e.sha, verification: e.verification },
    };
  }

  /**
   * Records an output (on disk at the next flush). Only earlier runs' outputs are indexed, where a redone
   * one takes its new line: this run's are the batch's own to track, and the state must not grow with the run.
   * `dir`: the output's DICOMDIR record (de-identified values only), when the batch keeps a DICOMDIR.
   */
  add(key: string, output: DoneOutput, dir?: DicomdirEntry) {
    const start = this.push(`${JSON.stringify({ k: key, ...output, ...(dir ? { dir } : {}) })}\n`);
    const d = hexDigest(key);
    if (this.done.has(d)) {
      this.done.set(d, start, this.end - start);
      this.name(output.out, start, this.end - start);
    }
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
    } else this.push(`${JSON.stringify({ moved: from, to })}\n`);
  }

  /** Queues a line for the next flush; returns where it will start in the file. */
  private push(line: string): number {
    if (this.cutShort) {
      this.lines.push('\n');
      this.end += 1;
      this.cutShort = false;
    }
    const start = this.end;
    this.lines.push(line);
    this.end += Buffer.byteLength(line);
    return start;
  }

  /** Appends the lines recorded since the last flush, in one write. */
  flush() {
    if (this.lines.length === 0) return;
    this.fd ??= openSync(this.file, 'a+');
    const bytes = Buffer.from(this.lines.join(''));
    this.lines = [];
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    this.written += bytes.length;
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

/** A name two contents of one instance were written under: each went under its hashed name. */
const CONTESTED = -1;

type StateLine =
  | (DoneOutput & { readonly k: string; readonly dir?: DicomdirEntry })
  | { readonly moved: string; readonly to: string };

/** One line of the state; undefined for a line a crash cut short, or one this version cannot read. */
function parsedLine(text: string): StateLine | undefined {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof e.moved === 'string' && typeof e.to === 'string') return { moved: e.moved, to: e.to };
  if (typeof e.k !== 'string' || typeof e.out !== 'string' || typeof e.sha !== 'string') return undefined;
  return {
    k: e.k,
    out: e.out,
    sha: e.sha,
    verification: e.verification === 'passed' ? 'passed' : 'not-run',
    ...(e.dir ? { dir: e.dir as DicomdirEntry } : {}),
  };
}
