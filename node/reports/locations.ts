import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ReportableError } from '../../shared/errors.js';
import type { ReportLocations } from './types.js';

/** The folder for the key and audits: `~/.dicom-deid`. */
export const privateHome = (home: string = homedir()): string => join(home, '.dicom-deid');

/**
 * Defaults: the shareable report beside the output folder (`<outDir>.report`), so it can travel with the
 * data without being mixed into it; the private audit under the user's home
 * (`~/.dicom-deid/audit/<startedAt>/`), away from anything that gets shared. An audit folder inside the
 * output or report folder is refused: those are what people copy and send.
 */
export function reportLocations(
  outDir: string,
  startedAt: string,
  chosen: Partial<ReportLocations> = {},
  home: string = homedir(),
): ReportLocations {
  const out = resolve(outDir);
  const reportDir = resolve(chosen.reportDir ?? `${out}.report`);
  const auditDir = resolve(
    chosen.auditDir ?? join(privateHome(home), 'audit', startedAt.replaceAll(':', '-')),
  );
  const refuse = (folder: string) =>
    new ReportableError(
      `the audit folder is inside the ${folder}; the audit and crosswalks hold PHI and must stay out of ` +
        'what gets shared: choose an audit folder elsewhere',
    );
  if (isWithin(auditDir, out)) throw refuse('output folder');
  if (isWithin(auditDir, reportDir)) throw refuse('report folder');
  return { reportDir, auditDir };
}

/** Whether `path` is `folder` or below it, seen through symlinks and the platform's case rules. */
export function isWithin(path: string, folder: string): boolean {
  const fold = (p: string) =>
    process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
  const rel = relative(fold(canonical(folder)), fold(canonical(path)));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of the nearest existing ancestor, with the part that does not exist yet appended. */
function canonical(path: string): string {
  const abs = resolve(path);
  const parent = dirname(abs);
  try {
    return realpathSync.native(abs);
  } catch {
    return parent === abs ? abs : join(canonical(parent), basename(abs));
  }
}
