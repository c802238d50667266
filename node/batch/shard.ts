import { basename, relative, resolve, sep } from 'node:path';
import { type AnonymizationKey, digestOf, keyedDigest } from '../../shared/anonymize/key.js';
import { topLevelText } from '../../shared/dicom/header.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { ReportableError } from '../../shared/errors.js';
import { openInput } from '../file-source.js';

const STUDY_INSTANCE_UID = 0x0020000d;

/** `file`: each input on its own; `study`: every file of a study in the same shard. */
export type ShardBy = 'file' | 'study';

/** Shard `index` (1-based) of `count`, as `--shard K/N` gives it. */
export interface Shard {
  readonly index: number;
  readonly count: number;
  readonly by: ShardBy;
}

export class ShardError extends ReportableError {}

/** `K/N` with 1 ≤ K ≤ N ≤ 10,000. */
export function parseShard(text: string, by: ShardBy = 'file'): Shard {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(text.trim());
  const index = m ? Number(m[1]) : 0;
  const count = m ? Number(m[2]) : 0;
  if (!m || count < 1 || count > 10_000 || index < 1 || index > count)
    throw new ShardError('--shard takes K/N, the shard number K from 1 to N (for example 2/4)');
  return { index, count, by };
}

/**
 * Decides which inputs belong to one shard. The choice is an HMAC under the project key, so the N shards
 * split any folder evenly whatever its names, and two sites with different keys split differently; it
 * depends only on the input's path relative to the root it was found under (or, with `study`, on its
 * Study Instance UID), so the same folder mounted in different places on different machines shards
 * the same way, and every file lands in exactly one of the N shards.
 */
export class ShardSelector {
  private readonly roots: readonly string[];

  constructor(
    readonly shard: Shard,
    private readonly key: AnonymizationKey,
    inputs: readonly string[],
  ) {
    // Longest first: an input nested in another given input counts relative to the nearer root.
    this.roots = inputs.map((p) => resolve(p)).sort((a, b) => b.length - a.length);
  }

  /** Whether the walk's `path` is this shard's to process. */
  includes(path: string): boolean {
    return this.shardOf(path) === this.shard.index;
  }

  /** The shard (1..N) that processes `path`. */
  shardOf(path: string): number {
    const study = this.shard.by === 'study' ? studyOf(path) : undefined;
    const identity = study === undefined ? `path\u0000${this.identity(path)}` : `study\u0000${study}`;
    // A path is asked about once; a study, for each of its files.
    const digest = (study === undefined ? digestOf : keyedDigest)(this.key, 'shard', identity);
    // 48 bits of the digest: a modulo bias below 10^-10 for any N this accepts.
    const n = digest.slice(0, 6).reduce((acc, byte) => acc * 256 + byte, 0);
    return (n % this.shard.count) + 1;
  }

  /** The path relative to the input root it came from, with `/`; a file given by itself is its name. */
  private identity(path: string): string {
    const abs = resolve(path);
    for (const root of this.roots) {
      if (abs === root) return basename(abs);
      if (abs.startsWith(root.endsWith(sep) ? root : `${root}${sep}`))
        return relative(root, abs).split(sep).join('/');
    }
    return basename(abs);
  }
}

/** The Study Instance UID in the file's header; undefined when the file cannot be read as DICOM. */
function studyOf(path: string): string | undefined {
  let input: ReturnType<typeof openInput>;
  try {
    input = openInput(path);
  } catch {
    return undefined;
  }
  try {
    return topLevelText(parseDicom(input.source, { stopAtPixelData: true }), STUDY_INSTANCE_UID) || undefined;
  } catch {
    return undefined;
  } finally {
    input.close();
  }
}
