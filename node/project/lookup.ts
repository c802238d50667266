import { closeSync, constants, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { csvRow } from '../reports/csv.js';
import { makePrivateDir } from '../reports/private-files.js';
import type { LookupMatch } from './crosswalk-store.js';
import { type Project, projectPaths } from './project.js';
import { openSqliteCrosswalk } from './sqlite-crosswalk.js';

/** Who is asking: the login name, or the numeric user where the system has no name for it (containers). */
function who(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

const AUDIT_HEADER = csvRow(['time', 'user', 'query', 'matches', 'kinds']);

/**
 * Appends one lookup to the project's lookups.csv (owner-only, append-only, synced before the answer is
 * shown): who asked, when, for what, and how many rows answered. The query is PHI, and so is this file.
 */
function auditLookup(project: Project, query: string, matches: readonly LookupMatch[], when: Date): void {
  const { audit, lookups } = projectPaths(project.folder);
  makePrivateDir(audit);
  const fd = openSync(
    lookups,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0),
    0o600,
  );
  try {
    const text =
      (fstatSync(fd).size === 0 ? AUDIT_HEADER : '') +
      csvRow(
        [
          when.toISOString(),
          who(),
          query,
          matches.length,
          [...new Set(matches.map((m) => m.kind))].join(' '),
        ],
        { spreadsheetSafe: true },
      );
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Which original a pseudonym stands for, or which pseudonym an original became, in this project's
 * crosswalk; the lookup is audited first, so no answer is ever given unrecorded.
 */
export function lookupInProject(project: Project, query: string, when: Date = new Date()): LookupMatch[] {
  const store = openSqliteCrosswalk(projectPaths(project.folder).crosswalk);
  try {
    const matches = store.find(query);
    auditLookup(project, query.trim(), matches, when);
    return matches;
  } finally {
    store.close();
  }
}
