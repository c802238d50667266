import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';

export type SkipReason = 'not-found' | 'unreadable' | 'special-file' | 'symlink-loop' | 'already-listed';

/**
 * A path as the operating system gives it: text, or the raw bytes when a name in it is not valid UTF-8
 * (`caf\xe9.dcm` from an old Latin-1 share), which no string can name exactly.
 */
export type OsPath = string | Buffer;

/**
 * Every path the user's selection leads to: a file to read, or a plain statement of why it was passed over.
 * `path` is for people (bytes that are not UTF-8 show as U+FFFD); `osPath` is what opens the file.
 */
export type InputEntry =
  | { readonly path: string; readonly osPath: OsPath; readonly kind: 'file' }
  | { readonly path: string; readonly osPath: OsPath; readonly kind: 'skipped'; readonly reason: SkipReason };

export const SKIP_REASONS: Readonly<Record<SkipReason, string>> = {
  'not-found': 'it does not exist (or is a link to something that does not)',
  unreadable: 'the folder could not be read (permission denied or an I/O error)',
  'special-file': 'it is a device, pipe or socket, not a file',
  'symlink-loop': 'it is a link back to a folder that contains it',
  'already-listed': 'this folder was already listed through another path',
};

const shown = (path: OsPath): string => (typeof path === 'string' ? path : path.toString('utf8'));

const skipped = (path: OsPath, reason: SkipReason): InputEntry => ({
  path: shown(path),
  osPath: path,
  kind: 'skipped',
  reason,
});

const fileEntry = (path: OsPath): InputEntry => ({ path: shown(path), osPath: path, kind: 'file' });

/**
 * `dir/name`, as text while every name is valid UTF-8, as bytes from the first one that is not. `prefix` is
 * what path.join puts before any name in `dir` (see namePrefix); `text` is `name` decoded as UTF-8.
 */
function childPath(dir: OsPath, prefix: string | undefined, name: Buffer, text: string): OsPath {
  // Bytes that are not UTF-8 decode to U+FFFD: only a name holding one needs the check by re-encoding.
  if (prefix !== undefined && (!text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(name)))
    return prefix + text;
  const parent = typeof dir === 'string' ? Buffer.from(dir, 'utf8') : dir;
  return Buffer.concat([parent, ...(parent.at(-1) === sep.charCodeAt(0) ? [] : [Buffer.from(sep)]), name]);
}

/**
 * `join(dir, name)` without `name`, worked out once per folder: a listed name is one plain segment (never
 * `.`, `..` or holding a separator), which join treats as it treats `x`.
 */
const namePrefix = (dir: OsPath): string | undefined =>
  typeof dir === 'string' ? join(dir, 'x').slice(0, -1) : undefined;

/** A folder's entries in name order, and the next plain folder among them being read ahead. */
interface Listed {
  readonly entries: Dirent<Buffer>[];
  /** Their names decoded as UTF-8. */
  readonly names: string[];
  /** What path.join puts before a name in it (see namePrefix). */
  readonly prefix: string | undefined;
  ahead: Ahead | undefined;
}

/** A plain folder's listing being read ahead of the walk; undefined when it cannot be read. */
interface Ahead {
  readonly index: number;
  readonly listed: Promise<Listed | undefined>;
}

/** A folder being walked: its listing, and the next entry to visit. */
interface Listing extends Listed {
  readonly path: OsPath;
  /** Its real path, as visit keeps it. */
  readonly real: string;
  /** The folders it lies in, by real path, itself included: a link back to one of them is a loop. */
  readonly inside: ReadonlySet<string>;
  next: number;
}

/**
 * A folder's listing, sorted, with its first plain folder read ahead in turn: the files before a folder are
 * scanned while the thread pool lists it, and the folders on the way down to the first files of each are
 * listed together, instead of the walk waiting for each listing when it reaches it.
 */
function readFolder(path: OsPath): Promise<Listed | undefined> {
  return readdir(path, { withFileTypes: true, encoding: 'buffer' }).then(
    (entries) => {
      const named = entries.map((entry) => ({ entry, name: entry.name.toString('utf8') }));
      named.sort(({ entry: a, name: x }, { entry: b, name: y }) =>
        x < y ? -1 : x > y ? 1 : Buffer.compare(a.name, b.name),
      );
      const listed: Listed = {
        entries: named.map((n) => n.entry),
        names: named.map((n) => n.name),
        prefix: namePrefix(path),
        ahead: undefined,
      };
      listed.ahead = readAhead(path, listed, 0);
      return listed;
    },
    () => undefined,
  );
}

/**
 * Starts reading the first plain folder at or after `from` in a listing: the next one the walk enters
 * there. One at a time per listing, and links are not followed ahead, so what is read ahead is bounded by
 * the depth of the tree.
 */
function readAhead(path: OsPath, listed: Listed, from: number): Ahead | undefined {
  for (let i = from; i < listed.entries.length; i++) {
    const entry = listed.entries[i]!;
    if (entry.isDirectory())
      return { index: i, listed: readFolder(childPath(path, listed.prefix, entry.name, listed.names[i]!)) };
  }
  return undefined;
}

/**
 * Files under the given paths, depth-first, each folder's entries in code-unit order so that two runs list
 * the same files in the same order. Links are followed, but a folder is entered once whatever the path to
 * it, which also ends link loops. Whether a file is DICOM is left to the parser: names and extensions
 * prove nothing.
 *
 * One generator with a stack of the folders being listed, not one generator per folder: a file yielded
 * through a generator per level of folders costs a promise and a resumption per level.
 */
export async function* walkInputs(paths: readonly string[]): AsyncGenerator<InputEntry> {
  const entered = new Set<string>();
  for (const path of paths) {
    const stack: Listing[] = [];
    let found = await visit(path, undefined, undefined, new Set(), entered);
    for (;;) {
      if ('entries' in found) stack.push(found);
      else yield found;
      let listing = stack.at(-1);
      while (listing && listing.next === listing.entries.length) {
        stack.pop();
        listing = stack.at(-1);
      }
      if (!listing) break;
      const index = listing.next++;
      const entry = listing.entries[index]!;
      const child = childPath(listing.path, listing.prefix, entry.name, listing.names[index]!);
      // Files, most entries, are taken as listed; anything else may need a look at what it is.
      if (entry.isFile()) found = fileEntry(child);
      else {
        const early = listing.ahead?.index === index ? listing.ahead.listed : undefined;
        // The folder after this one is read while this one is walked.
        if (early) listing.ahead = readAhead(listing.path, listing, index + 1);
        found = await visit(child, entry, listing.real, listing.inside, entered, early);
      }
    }
  }
}

/**
 * What a path is: a file, a folder to list, or something passed over. `parentReal`: the real path of the
 * folder that listed `dirent`. A folder listed as a folder (not a link) lies at its parent's real path plus
 * its name, which spares asking the system.
 */
async function visit(
  path: OsPath,
  dirent: Dirent<Buffer> | undefined,
  parentReal: string | undefined,
  ancestors: ReadonlySet<string>,
  entered: Set<string>,
  early?: Promise<Listed | undefined>,
): Promise<InputEntry | Listing> {
  // The directory listing already says what most entries are; links and the user's own paths need a stat.
  let isFile = dirent?.isFile() ?? false;
  let isDirectory = dirent?.isDirectory() ?? false;
  const real =
    isDirectory && dirent && parentReal !== undefined
      ? `${parentReal.endsWith(sep) ? parentReal : parentReal + sep}${dirent.name.toString('latin1')}`
      : undefined;
  if (!isFile && !isDirectory) {
    try {
      const info = await stat(path);
      isFile = info.isFile();
      isDirectory = info.isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ELOOP: a link chain that ends in itself (a -> b -> a) is a loop too.
      return skipped(
        path,
        code === 'ELOOP' ? 'symlink-loop' : code === 'ENOENT' ? 'not-found' : 'unreadable',
      );
    }
  }
  if (isFile) return fileEntry(path);
  if (isDirectory) return listFolder(path, real, ancestors, entered, early);
  return skipped(path, 'special-file');
}

/** `early`: its listing, being read already (see readAhead). */
async function listFolder(
  path: OsPath,
  knownReal: string | undefined,
  ancestors: ReadonlySet<string>,
  entered: Set<string>,
  early: Promise<Listed | undefined> | undefined,
): Promise<InputEntry | Listing> {
  let real: string;
  try {
    // Compared as bytes (latin1 maps each byte to one character): two folders whose names differ only in
    // bytes that are not UTF-8 must not look like one.
    real = knownReal ?? (await realpath(path, { encoding: 'buffer' })).toString('latin1');
  } catch {
    return skipped(path, 'unreadable');
  }
  if (ancestors.has(real)) return skipped(path, 'symlink-loop');
  if (entered.has(real)) return skipped(path, 'already-listed');
  entered.add(real);
  const listed = await (early ?? readFolder(path));
  if (!listed) return skipped(path, 'unreadable');
  return { ...listed, path, real, inside: new Set(ancestors).add(real), next: 0 };
}

/**
 * `path` named relative to the first of `roots` (the inputs given: folders, or files) that holds it; a root
 * that is the file itself gives its name. Null when no root holds it.
 */
export function pathUnderInputs(path: string, roots: readonly string[]): string | null {
  const full = resolve(path);
  for (const root of roots) {
    const rel = relative(resolve(root), full);
    if (rel === '') return basename(full);
    if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return rel;
  }
  return null;
}
