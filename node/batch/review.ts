import { chmodSync, copyFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir } from '../reports/private-files.js';
import { unlinkQuietly } from './process-file.js';

/** Why a de-identified copy stays on site: it failed the residual check, or its pixels may show identity. */
export type ReviewKind = 'quarantine' | 'held';

/**
 * Moves a copy that must not be shared into `<dir>/<kind>/input-<inputNo>.dcm` (`-2`, `-3`... when an
 * earlier run kept one there), owner-only, named by the audit's input number so the audit row says which
 * input it is. Without a folder the copy is deleted.
 * Returns where it went.
 */
export function keepForReview(
  tempPath: string,
  dir: string | undefined,
  kind: ReviewKind,
  inputNo: number,
): string | undefined {
  if (!dir) {
    unlinkQuietly(tempPath);
    return undefined;
  }
  const folder = join(dir, kind);
  makePrivateDir(folder);
  // Inputs are numbered by their place in the walk: an earlier run over other inputs may have kept
  // another input's copy under this number in the same folder, which must stay.
  let target = join(folder, `input-${inputNo}.dcm`);
  for (let n = 2; existsSync(target); n++) target = join(folder, `input-${inputNo}-${n}.dcm`);
  chmodSync(tempPath, 0o600);
  try {
    renameSync(tempPath, target);
  } catch (e) {
    // The audit folder is often on another disk than the output (a USB drive, a share): copy instead.
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(tempPath, target);
    chmodSync(target, 0o600);
    unlinkQuietly(tempPath);
  }
  return target;
}
