/**
 * An error whose message we wrote ourselves: it names tags, offsets, sizes, line numbers and plain facts,
 * never a value read from a file, so it may be shown, logged and put in a report as it is.
 */
export class ReportableError extends Error {}

/** A reportable error that also says which kind of failure it is, for callers that decide by kind. */
export class CodedError<Code extends string> extends ReportableError {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

const SYSTEM: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  EIO: 'an input/output error on the disk',
  ENOENT: 'a file or folder is missing',
  EEXIST: 'a file is already there',
  EXDEV: 'the folders are on different disks',
  EISDIR: 'a folder is where a file should be',
  ENOTDIR: 'a file is where a folder should be',
  ENAMETOOLONG: 'a file name is too long',
  EMFILE: 'too many files are open',
};

/**
 * What an error may tell the user. Our own errors speak for themselves; a system error is named by its
 * code (its message holds paths, often patients' names); anything else only by its kind.
 */
export function errorText(e: unknown): string {
  if (e instanceof ReportableError) return e.message;
  const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  if (code) return `${SYSTEM[code] ?? 'a file system error'} (${code})`;
  return `unexpected ${e instanceof Error ? e.name : 'failure'}`;
}
