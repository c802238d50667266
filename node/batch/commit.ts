import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildDicomdir, type DicomdirEntry } from '../../shared/dicomdir/build.js';
import { FileIdAllocator } from '../../shared/dicomdir/file-id.js';
import { errorText, ReportableError } from '../../shared/errors.js';
import { DigestTable, type TextDigest, textDigest } from '../digest-table.js';
import type { BatchFileRecord } from '../reports/types.js';
import type { ReportWriter } from '../reports/writer.js';
import { distinctOutputPath, plainOutputPath } from './output-path.js';
import type { Pending, Taken } from './plan.js';
import { type FileOutcome, failureReason, sha256OfFile, unlinkQuietly } from './process-file.js';
import type { ResumeIndex } from './resume.js';
import { keepForReview } from './review.js';

/** One input's fate. `outcome` carries the PHI-free report and the private mapping for the log writers. */
export interface BatchFileResult {
  /** The input's number in the audit: what the console and the copies kept for review are named by. */
  readonly inputNo: number;
  readonly input: string;
  readonly output: string | null;
  readonly status: 'written' | 'skipped' | 'failed' | 'held';
  readonly reason?: string;
  readonly outcome?: FileOutcome;
  /** Where the copy kept for review went (private). */
  readonly review?: string;
  /** Skipped because an earlier run wrote this output: what it recorded of it. */
  readonly alreadyWritten?: BatchFileRecord['alreadyWritten'];
}

/** Why an input whose output was checked and recorded failed: the run stopped before it was in place. */
export const NOT_PLACED = 'the run stopped before its output was moved into place';

/** An output could not be moved into the output folder (the folder was deleted, its disk failed). */
export class PlaceError extends ReportableError {
  override readonly name = 'PlaceError';
}

/** Hands a committed input on (counted, shown): the batch's tally. */
export type Announce = (r: BatchFileResult, bytes: number) => void;

/** Why an input is skipped: `earlier` (an input, by number, or an earlier run) wrote the same bytes. */
export const duplicateReason = (earlier: string): string =>
  `duplicate: the same instance with the same content as ${earlier}`;

/** What holds an output name: the content's SHA-256 and the input it came from. */
interface Holder {
  readonly sha: string;
  /** Absent for an output an earlier run wrote. */
  readonly inputNo?: number;
}

// Who holds a name, as `taken` keeps it: an input number (from 1), or one of these.
const EARLIER = 0;
const CONTESTED = -1;

interface CommitSite {
  readonly outDir: string;
  readonly tempDir: string;
  readonly resume: ResumeIndex;
  readonly writer?: ReportWriter;
  /** Where copies that must not be shared wait for review; without it they are deleted. */
  readonly reviewDir?: string;
  readonly dicomdir: boolean;
}

/** An input recorded in the group being committed, with the move that puts its output in place. */
interface Staged {
  readonly result: BatchFileResult;
  readonly bytes: number;
  readonly place?: () => void;
  readonly tempPath?: string;
}

/**
 * The batch's last stage: gives each finished file its name (a copy kept for review, an output under a
 * name no other content holds), writes its private record, and moves it into place. Files come in input
 * order and are committed in groups: the group's records are appended and made durable together (one
 * flush, one sync), then its outputs are moved into place, so no output ever exists without the line
 * linking it back, at the cost of one sync per group instead of one per file.
 */
export class CommitStage {
  private readonly resume: ResumeIndex;
  // Output names taken so far (by digest: a few dozen bytes per output), with the input number that
  // holds each, EARLIER or CONTESTED (two contents share the name: nobody holds it, every content goes
  // under its hashed name). What holds a name is read back from the file on the rare second arrival.
  private readonly taken = new DigestTable(1);
  private readonly madeDirs = new Set<string>();
  private readonly allocator: FileIdAllocator | undefined;
  private readonly directory: DicomdirEntry[] = [];
  private group: Staged[] = [];
  // Names held by outputs of the group that are not in place yet, with what holds them.
  private readonly unplaced = new Map<string, Holder>();

  constructor(private readonly site: CommitSite) {
    this.resume = site.resume;
    this.allocator = site.dicomdir ? new FileIdAllocator() : undefined;
    // Replaying earlier runs' records through the allocator gives their files the numbers they already have.
    for (const entry of site.dicomdir ? site.resume.directoryEntries() : []) {
      this.allocator!.next(entry);
      if (existsSync(join(site.outDir, ...entry.fileId))) this.directory.push(entry);
    }
  }

  /** Milliseconds spent waiting for the records to reach the disk (the main thread routes meanwhile). */
  syncWait = 0;

  /** Inputs recorded in the group, waiting for its commit. */
  get staged(): number {
    return this.group.length;
  }

  /** An input passed over before any work (not a file, or an earlier run's output): recorded in the group. */
  pass(r: BatchFileResult, bytes: number, taken?: Taken) {
    if (taken) this.claim(taken);
    this.stage({ result: r, bytes });
  }

  /**
   * A finished file, the next in input order: named and recorded in the group. False, with nothing done,
   * when it must wait for the group's commit (it would move aside an output of the group not yet in place).
   */
  add(task: Pending, outcome: FileOutcome): boolean {
    if (outcome.status === 'written' && this.mustWait(outcome)) return false;
    const { result, place } = this.finish(task, outcome);
    const tempPath = place && outcome.status === 'written' ? outcome.tempPath : undefined;
    this.stage({ result, bytes: task.bytes, place, tempPath });
    return true;
  }

  /**
   * Records an input and adds it to the group. A record whose files could not be written (a full disk)
   * is in the writer all the same, whole, for them to get when they can: it joins the group, which the
   * run then drops.
   */
  private stage(staged: Staged) {
    try {
      const inputNo = this.site.writer?.add(recordOf(staged.result, staged.bytes)) ?? staged.result.inputNo;
      this.group.push(
        inputNo === staged.result.inputNo ? staged : { ...staged, result: { ...staged.result, inputNo } },
      );
    } catch (e) {
      this.group.push(staged);
      throw e;
    }
  }

  /**
   * Commits the group: its records reach the disk, then its outputs move into place and each input is
   * announced, in order. A failure leaves no output of the group without its record: what was not placed
   * is deleted (a resumed run writes it again), its input announced as failed, and the error is thrown.
   */
  async commit(announce: Announce): Promise<void> {
    const group = this.group;
    this.group = [];
    const began = performance.now();
    try {
      await this.site.writer?.sync();
      this.syncWait += performance.now() - began;
    } catch (e) {
      this.drop(group, 0, announce);
      throw e;
    }
    for (const [i, staged] of group.entries()) {
      try {
        staged.place?.();
      } catch (e) {
        // The output folder's disk fails: the record stands for an output a resumed run writes again
        // (the same bytes, so no second line), and the run stops rather than go on.
        this.drop(group, i, announce);
        throw new PlaceError(`an output could not be moved into the output folder: ${errorText(e)}`);
      }
      announce(staged.result, staged.bytes);
    }
    this.unplaced.clear();
    this.resume.flush();
  }

  /** Forgets the group (the run stops): its outputs are deleted, never moved into place. */
  discard(announce: Announce) {
    this.drop(this.group, 0, announce);
    this.group = [];
  }

  /**
   * The group from `from` on is not committed: each input is announced as it was recorded, except that
   * an output is deleted instead of moved into place, and its input, recorded as written, fails.
   */
  private drop(group: readonly Staged[], from: number, announce: Announce) {
    for (const { result, bytes, tempPath, place } of group.slice(from)) {
      if (tempPath) unlinkQuietly(tempPath);
      if (!place) {
        announce(result, bytes);
        continue;
      }
      this.site.writer?.notPlaced(recordOf(result, bytes), NOT_PLACED);
      announce({ ...result, output: null, status: 'failed', reason: NOT_PLACED }, bytes);
    }
    this.unplaced.clear();
  }

  /** Whether the output's name is held by another content of the group, not yet in place to be moved. */
  private mustWait(outcome: FileOutcome & { status: 'written' }): boolean {
    if (this.allocator) return false;
    const holder = this.unplaced.get(outcome.relativeOutput);
    return holder !== undefined && holder.sha !== outcome.outputSha256;
  }

  /** An output an earlier run wrote, still in place with the bytes it recorded. */
  private claim(previous: Pick<Taken, 'out'>) {
    this.taken.set(textDigest(previous.out), EARLIER);
    const plain = plainOutputPath(previous.out);
    if (plain !== previous.out) this.taken.set(textDigest(plain), CONTESTED);
  }

  /**
   * Where a finished file goes, and the move that puts it there (for a written one). A second input
   * yielding the same instance is not written twice.
   */
  private finish(task: Pending, outcome: FileOutcome): { result: BatchFileResult; place?: () => void } {
    const { allocator, directory, resume } = this;
    const { outDir, reviewDir } = this.site;
    const { inputNo } = task;
    if (outcome.status !== 'written') {
      const result = { inputNo, input: task.input, output: null, status: outcome.status, outcome };
      if (!outcome.review) return { result: { ...result, reason: outcome.reason } };
      try {
        const kind = outcome.status === 'held' ? 'held' : 'quarantine';
        const review = keepForReview(outcome.review, reviewDir, kind, inputNo);
        return { result: { ...result, reason: outcome.reason, ...(review ? { review } : {}) } };
      } catch (e) {
        unlinkQuietly(outcome.review);
        return {
          result: {
            ...result,
            status: 'failed',
            reason: `${outcome.reason}; the copy for review could not be kept: ${errorText(e)}`,
          },
        };
      }
    }
    // Inputs that share a SOP Instance UID: the same de-identified bytes are one output (a copy of the
    // same file); different bytes (another transfer syntax, a corrected re-send) are all kept, each under
    // a name carrying its content hash, the first one moved there when the second arrives: the names
    // are the same whatever order the inputs come in.
    const sha = outcome.outputSha256;
    const hashed = distinctOutputPath(outcome.relativeOutput, sha);
    let name = outcome.relativeOutput;
    let key = textDigest(name);
    let holder = this.holderOf(name, key);
    if (!allocator && holder && (holder === 'contested' || holder.sha !== sha)) {
      if (holder !== 'contested') this.moveAside(name, holder);
      name = hashed;
      key = textDigest(name);
      holder = this.holderOf(name, key);
    }
    if (holder && holder !== 'contested') {
      unlinkQuietly(outcome.tempPath);
      const earlier =
        holder.inputNo === undefined ? 'an output an earlier run wrote' : `input ${holder.inputNo}`;
      // Twelve hex digits alike with other bytes behind them: vanishingly rare, and never silently merged.
      const same = holder.sha === sha;
      return {
        result: {
          inputNo,
          input: task.input,
          output: null,
          status: same ? 'skipped' : 'failed',
          reason: same
            ? duplicateReason(earlier)
            : `the same instance as ${earlier} with other content, and no distinct name is left for it`,
          outcome,
        },
      };
    }
    this.taken.set(key, inputNo);
    this.unplaced.set(name, { sha, inputNo });
    const fileId = allocator?.next(outcome.identity);
    const relativeOutput = fileId ? fileId.join('/') : name;
    const final = join(outDir, relativeOutput);
    try {
      this.madeDirsFor(final);
    } catch (e) {
      unlinkQuietly(outcome.tempPath);
      return {
        result: { inputNo, input: task.input, output: null, status: 'failed', reason: failureReason(e) },
      };
    }
    const entry: DicomdirEntry | undefined =
      fileId && outcome.directory
        ? {
            ...outcome.directory,
            fileId,
            patientId: outcome.identity.patientId,
            studyInstanceUID: outcome.identity.studyInstanceUID,
            seriesInstanceUID: outcome.identity.seriesInstanceUID,
            sopInstanceUID: outcome.identity.sopInstanceUID,
            transferSyntaxUID: outcome.report.transferSyntaxUID,
          }
        : undefined;
    return {
      result: { inputNo, input: task.input, output: final, status: 'written', outcome },
      place: () => {
        renameSync(outcome.tempPath, final);
        if (entry) directory.push(entry);
        resume.add(
          task.resumeKey,
          { out: relativeOutput, sha: outcome.outputSha256, verification: outcome.verification },
          entry,
        );
      },
    };
  }

  /**
   * What holds an output name: this run's claims, else an earlier run's output still in place with the
   * bytes it recorded, whose input the walk has not reached yet (it may never: it was not given again).
   */
  private holderOf(name: string, key: TextDigest): Holder | 'contested' | undefined {
    const unplaced = this.unplaced.get(name);
    if (unplaced) return unplaced;
    const held = this.taken.get(key);
    if (held === CONTESTED) return 'contested';
    const earlier = held === undefined ? this.resume.recordedAt(name) : undefined;
    if (earlier === 'contested') {
      this.taken.set(key, CONTESTED);
      return 'contested';
    }
    if (held === undefined && !earlier) return undefined;
    // Read back: a name is held twice only by a copy or another content of one instance, which is rare.
    const sha = sha256OfFile(join(this.site.outDir, name));
    if (sha === undefined || (earlier && sha !== earlier.sha)) return undefined;
    if (earlier) this.claim(earlier);
    return held === undefined || held === EARLIER ? { sha } : { sha, inputNo: held };
  }

  /**
   * A second content arrived for `name`: the first moves to its hashed name, the plain one is contested
   * from now on. Its audit gets a line for the new name and the resume state its new place.
   */
  private moveAside(name: string, first: Holder) {
    const { outDir, writer } = this.site;
    const moved = distinctOutputPath(name, first.sha);
    this.madeDirsFor(join(outDir, moved));
    renameSync(join(outDir, name), join(outDir, moved));
    this.taken.set(textDigest(name), CONTESTED);
    this.taken.set(textDigest(moved), first.inputNo ?? EARLIER);
    writer?.moved(join(outDir, name), join(outDir, moved), first.sha, first.inputNo);
    this.resume.moved(name, moved);
  }

  private madeDirsFor(path: string) {
    const dir = dirname(path);
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** The file-set's index, replaced atomically so a reader never sees half of it. */
  writeDicomdir(toolVersion: string) {
    if (this.directory.length === 0) return;
    const temp = join(this.site.tempDir, 'DICOMDIR.part');
    writeFileSync(temp, buildDicomdir(this.directory, { toolVersion }));
    renameSync(temp, join(this.site.outDir, 'DICOMDIR'));
  }
}

/** What the report writers need to know of one finished input. */
function recordOf(r: BatchFileResult, inputBytes: number): BatchFileRecord {
  const o = r.outcome;
  return {
    inputNo: r.inputNo,
    input: r.input,
    inputBytes,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    output: r.output,
    verification: o?.verification ?? 'not-run',
    ...(o?.pixelVerification ? { pixelVerification: o.pixelVerification } : {}),
    ...(o?.pixels ? { pixels: o.pixels } : {}),
    ...(r.review ? { review: r.review } : {}),
    ...(r.alreadyWritten ? { alreadyWritten: r.alreadyWritten } : {}),
    finishedAt: new Date().toISOString(),
    ...(r.status === 'written' && o?.status === 'written'
      ? {
          inputSha256: o.inputSha256,
          outputSha256: o.outputSha256,
          report: o.report,
          ...(o.reportPart ? { reportPart: o.reportPart } : {}),
          mapping: o.mapping,
        }
      : {}),
  };
}
