import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type SkipReason = 'not-found' | 'unreadable' | 'special-file' | 'symlink-loop' | 'already-listed';

/** Every path the user's selection leads to: a file to read, or a plain statement of why it was passed over. */
export type InputEntry =
  | { readonly path: string; readonly kind: 'file' }
  | { readonly path: string; readonly kind: 'skipped'; readonly reason: SkipReason };

export const SKIP_REASONS: Readonly<Record<SkipReason, string>> = {
  'not-found': 'it does not exist (or is a link to something that does not)',
  unreadable: 'the folder could not be read (permission denied or an I/O error)',
  'special-file': 'it is a device, pipe or socket, not a file',
  'symlink-loop': 'it is a link back to a folder that contains it',
  'already-listed': 'this folder was already listed through another path',
};

const skipped = (path: string, reason: SkipReason): InputEntry => ({ path, kind: 'skipped', reason });

/**
 * Files under the given paths, depth-first, each folder's entries in code-unit order so that two runs list
 * the same files in the same order. Links are followed, but a folder is entered once whatever the path to
 * it, which also ends link loops. Whether a file is DICOM is left to the parser: names and extensions
 * prove nothing.
 */
export async function* walkInputs(paths: readonly string[]): AsyncGenerator<InputEntry> {
  const entered = new Set<string>();
  for (const path of paths) yield* visit(path, undefined, new Set(), entered);
}

async function* visit(
  path: string,
  dirent: Dirent | undefined,
  ancestors: ReadonlySet<string>,
  entered: Set<string>,
): AsyncGenerator<InputEntry> {
  // The directory listing already says what most entries are; links and the user's own paths need a stat.
  let isFile = dirent?.isFile() ?? false;
  let isDirectory = dirent?.isDirectory() ?? false;
  if (!isFile && !isDirectory) {
    try {
      const info = await stat(path);
      isFile = info.isFile();
      isDirectory = info.isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ELOOP: a link chain that ends in itself (a -> b -> a) is a loop too.
      yield skipped(path, code === 'ELOOP' ? 'symlink-loop' : code === 'ENOENT' ? 'not-found' : 'unreadable');
      return;
    }
  }
  if (isFile) yield { path, kind: 'file' };
  else if (isDirectory) yield* visitFolder(path, ancestors, entered);
  else yield skipped(path, 'special-file');
}

async function* visitFolder(
  path: string,
  ancestors: ReadonlySet<string>,
  entered: Set<string>,
): AsyncGenerator<InputEntry> {
  let real: string;
  let entries: Dirent[];
  try {
    real = await realpath(path);
    if (ancestors.has(real)) {
      yield skipped(path, 'symlink-loop');
      return;
    }
    if (entered.has(real)) {
      yield skipped(path, 'already-listed');
      return;
    }
    entered.add(real);
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    yield skipped(path, 'unreadable');
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inside = new Set(ancestors).add(real);
  for (const entry of entries) yield* visit(join(path, entry.name), entry, inside, entered);
}
