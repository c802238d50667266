import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type OsPath, SKIP_REASONS, walkInputs } from '../inputs.js';
import { sha256OfFile } from './process-file.js';
import type { DoneOutput, ResumeIndex } from './resume.js';

/** An input to de-identify. */
export interface Pending {
  /** Its place in the walk (from 1, every entry counted, other shards' too): its number in the audit. */
  readonly inputNo: number;
  /** For people and reports. */
  readonly input: string;
  /** What opens it. */
  readonly osPath: OsPath;
  readonly bytes: number;
  readonly resumeKey: string;
}

/** An input passed over before any work: not a file, or already written by an earlier run. */
export interface PassedOver {
  readonly inputNo: number;
  readonly input: string;
  readonly bytes: number;
  readonly status: 'skipped';
  readonly reason: string;
  readonly output?: string;
  readonly alreadyWritten?: Pick<DoneOutput, 'sha' | 'verification'>;
  /** The earlier run's output it stands for, still in place with the bytes recorded. */
  readonly taken?: Taken;
}

/** An output an earlier run wrote, and the input it came from. */
export interface Taken extends DoneOutput {
  readonly input: string;
  readonly resumeKey: string;
}

/** An input's identity for the resume state: its absolute path, exactly, whatever bytes its names hold. */
const identityOf = (path: OsPath): string =>
  typeof path === 'string' ? resolve(path) : `${resolve(path.toString('utf8'))}\0${path.toString('latin1')}`;

/**
 * The batch's first stage: walks the inputs and tells, input by input as the walk finds them, the work
 * to do and the inputs passed over (with the earlier run's output they stand for). An earlier output
 * counts only when its bytes are still the ones recorded: a file changed since is written again. Nothing
 * is kept per input, so the walk can stream through any number of them.
 */
export async function* planInputs(
  inputs: readonly string[],
  outDir: string,
  resume: ResumeIndex,
  /** Only the inputs of this run's shard, when the work is split between runs. */
  shard?: { includes(path: string): boolean },
): AsyncGenerator<Pending | PassedOver> {
  // Numbered as `scan` lists them, so an input has one number whatever the workers, shards or resumes.
  let inputNo = 0;
  for await (const entry of walkInputs(inputs)) {
    inputNo++;
    if (shard && !shard.includes(entry.path)) continue;
    if (entry.kind === 'skipped') {
      const reason = SKIP_REASONS[entry.reason];
      yield { inputNo, input: entry.path, bytes: 0, status: 'skipped', reason };
      continue;
    }
    let size = 0;
    let mtime = 0;
    try {
      const st = statSync(entry.osPath);
      size = st.size;
      mtime = st.mtimeMs;
    } catch {
      // Gone since the walk: processFile reports it.
    }
    const resumeKey = resume.keyFor(identityOf(entry.osPath), size, mtime);
    const previous = resume.outputFor(resumeKey);
    if (previous && sha256OfFile(join(outDir, previous.out)) === previous.sha) {
      yield {
        inputNo,
        input: entry.path,
        bytes: size,
        status: 'skipped',
        reason: 'already written by an earlier run with the same profile and key',
        output: join(outDir, previous.out),
        alreadyWritten: { sha: previous.sha, verification: previous.verification },
        taken: { ...previous, input: entry.path, resumeKey },
      };
      continue;
    }
    yield { inputNo, input: entry.path, osPath: entry.osPath, bytes: size, resumeKey };
  }
}
