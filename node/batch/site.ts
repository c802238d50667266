import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type AnonymizationKey, keyFingerprint } from '../../shared/anonymize/key.js';
import { errorText, ReportableError } from '../../shared/errors.js';
import type { Profile } from '../../shared/profile/profile.js';
import { PROFILE_EDITION } from '../../shared/profile/table.js';
import { isWithin, reportLocations } from '../reports/locations.js';
import { makePrivateDir } from '../reports/private-files.js';
import type { ReportLocations } from '../reports/types.js';
import { ReportWriter } from '../reports/writer.js';
import { type LockedFolder, lockFolder } from './lock.js';
import { outputConflict } from './out-dir.js';
import { ResumeIndex } from './resume.js';

/** A request that cannot be carried out as asked (it would write among the inputs, say). */
export class BatchSetupError extends ReportableError {
  override readonly name = 'BatchSetupError';
}

/**
 * Hidden in the output folder while a run writes there, removed at its end. Inside, not beside: the
 * output folder may be the root of a mount (a USB stick, a share), and moving a checked file into place
 * must stay a rename on one file system. Owner-only, so an unchecked copy is never readable by others.
 */
export const TEMP_DIR = '.deid-tmp';

export interface SiteRequest {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly profile: Profile;
  readonly key: AnonymizationKey;
  readonly toolVersion: string;
  readonly startedAt: string;
  readonly reports?: Partial<ReportLocations>;
  /** Where the resume state lives; default: in the report folder, else beside the output folder. */
  readonly stateDir?: string;
  /** Replace another profile's or key's outputs instead of refusing the folder. */
  readonly overwrite: boolean;
}

/** The output folder taken for one run, with its temporary folder, resume state and report writer. */
export interface Site {
  readonly tempDir: string;
  readonly writer?: ReportWriter;
  readonly resume: ResumeIndex;
  /** Removes the temporary folder, closes the reports and gives the folder back; safe to call once. */
  close(): void;
}

/**
 * Every refusal that can be decided without writing: an output folder among the inputs or naming a file,
 * an audit folder inside what gets shared. Callers run it before they create anything (a key, say).
 */
export function checkOutput(
  inputs: readonly string[],
  outDir: string,
  reports: Partial<ReportLocations> | undefined,
  startedAt: string,
): void {
  const conflict = outputConflict(inputs, outDir);
  if (conflict?.kind === 'inside-input') {
    throw new BatchSetupError(
      'the output folder is inside an input folder; choose a folder outside the inputs so originals are never mixed with copies',
    );
  }
  if (conflict?.kind === 'contains-input') {
    throw new BatchSetupError(
      'the output folder contains input files; choose an empty folder or one outside the inputs so originals are never mixed with copies',
    );
  }
  if (existsSync(outDir) && !statSync(outDir).isDirectory())
    throw new BatchSetupError('the output folder names an existing file; choose a folder');
  // The folder, or the nearest existing folder above it where it will be created, must take files.
  let folder = resolve(outDir);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
  } catch (e) {
    const what = folder === resolve(outDir) ? 'written' : 'created';
    throw new BatchSetupError(`the output folder cannot be ${what}: ${errorText(e)}`);
  }
  if (reports) {
    try {
      reportLocations(outDir, startedAt, reports);
    } catch (e) {
      throw new BatchSetupError(errorText(e));
    }
  }
}

/** What the resume state names a profile by: any change to the profile or the tool makes another. */
export const profileDigestOf = (profile: Profile, toolVersion: string): string =>
  createHash('sha256')
    .update(JSON.stringify([profile, toolVersion]))
    .digest('hex');

/**
 * Takes the output folder for a run: every refusal comes before anything is created, and when a later
 * step fails, what this call created is removed again, so a refused run leaves no trace.
 */
export function openSite(req: SiteRequest): Site {
  const { outDir } = req;
  checkOutput(req.inputs, outDir, req.reports, req.startedAt);
  const undo: Array<() => void> = [];
  const step = <T>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (e) {
      for (const u of undo.reverse()) u();
      throw new BatchSetupError(e instanceof ReportableError ? e.message : `${what}: ${errorText(e)}`);
    }
  };
  const locks: Array<{ release(): void }> = [];
  /** Takes a folder for this run, creating it if need be; undone, it is left as it was found. */
  const take = (dir: string, what: LockedFolder, make: () => void) => {
    const existed = existsSync(dir);
    step(`the ${what} cannot be ${existed ? 'written' : 'created'}`, make);
    if (!existed) undo.push(() => removeEmptyFolder(dir));
    const lock = step(`the ${what} cannot be written`, () => lockFolder(dir, what));
    locks.push(lock);
    undo.push(() => lock.release());
  };
  const releaseLocks = () => {
    for (const lock of [...locks].reverse()) lock.release();
  };
  take(outDir, 'output folder', () => mkdirSync(outDir, { recursive: true }));
  const tempDir = join(outDir, TEMP_DIR);
  step('the output folder cannot be written', () => {
    // Leftovers of a crashed run are partial by definition.
    rmSync(tempDir, { recursive: true, force: true });
    mkdirSync(tempDir, { mode: 0o700 });
  });
  undo.push(() => rmSync(tempDir, { recursive: true, force: true }));
  if (req.reports) {
    // Two runs writing one report folder would publish each other's parts; one audit folder, number
    // their rows alike, repeat crosswalk rows and take each other's copies kept for review.
    const { reportDir, auditDir } = reportLocations(outDir, req.startedAt, req.reports);
    take(reportDir, 'report folder', () => mkdirSync(reportDir, { recursive: true }));
    take(auditDir, 'audit folder', () => makePrivateDir(auditDir));
  }
  const writer = req.reports
    ? step('the reports cannot be written', () =>
        ReportWriter.open(
          {
            outDir,
            profileName: req.profile.name,
            profileEdition: PROFILE_EDITION,
            options: [...req.profile.options],
            toolVersion: req.toolVersion,
            keyFingerprint: keyFingerprint(req.key),
            startedAt: req.startedAt,
          },
          req.reports,
        ),
      )
    : undefined;
  if (writer) undo.push(() => writer.close());
  const stateDir =
    req.stateDir ?? (writer ? join(writer.locations.reportDir, STATE_DIR) : `${outDir}.deid-state`);
  const profileDigest = profileDigestOf(req.profile, req.toolVersion);
  const resume = step(
    'the resume state cannot be written',
    () =>
      new ResumeIndex(
        stateDir,
        req.key,
        profileDigest,
        req.overwrite ? (outputs) => removeOutputs(outDir, outputs) : undefined,
      ),
  );
  let closed = false;
  return {
    tempDir,
    ...(writer ? { writer } : {}),
    resume,
    close() {
      if (closed) return;
      closed = true;
      try {
        resume.close();
        rmSync(tempDir, { recursive: true, force: true });
        writer?.close();
      } finally {
        releaseLocks();
      }
    },
  };
}

/** Removes a folder this call made, if it is still empty: never more than the call made. */
function removeEmptyFolder(dir: string) {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty or already gone.
  }
}

/** The resume state's folder inside the report folder: hidden, PHI-free. */
const STATE_DIR = '.deid-state';

/** Deletes an earlier run's outputs (paths relative to the output folder, never outside it) and its DICOMDIR. */
function removeOutputs(outDir: string, outputs: readonly string[]) {
  for (const out of [...outputs, 'DICOMDIR']) {
    const path = resolve(outDir, out);
    if (!isWithin(path, outDir) || path === resolve(outDir)) continue;
    rmSync(path, { force: true });
    // Folders the outputs leave empty go too; a folder holding anything else stays.
    for (let folder = dirname(path); folder !== resolve(outDir); folder = dirname(folder)) {
      try {
        rmdirSync(folder);
      } catch {
        break;
      }
    }
  }
}
