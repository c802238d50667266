import { closeSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Sqlite from 'node-sqlite3-wasm';
import { ReportableError } from '../../shared/errors.js';
import { isExposed, openPrivateFile } from '../reports/private-files.js';
import { type CrosswalkStore, type LookupMatch, MAPPING_KINDS, type MappingKind } from './crosswalk-store.js';

// Required when a crosswalk is opened, not imported: the bundled CLI keeps the package outside the bundle,
// where an import would compile its WebAssembly at every start-up of every command.
let loaded: typeof Sqlite | undefined;
const sqliteModule = (): typeof Sqlite => {
  loaded ??= createRequire(import.meta.url)('node-sqlite3-wasm') as typeof Sqlite;
  return loaded;
};

export class CrosswalkDatabaseError extends ReportableError {
  override name = 'CrosswalkDatabaseError';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mapping (
  original TEXT NOT NULL,
  kind INTEGER NOT NULL,
  pseudonym TEXT NOT NULL,
  PRIMARY KEY (original, kind)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mapping_by_pseudonym ON mapping (pseudonym);
`;

/**
 * How the store keeps a database (a test's killed writer keeps it the same way). Write-ahead log, not a
 * rollback journal: the WebAssembly build's VFS answers "is another process writing?" with its own lock
 * folder, so SQLite never took a journal left by a killed writer for a hot one and read the pages that
 * writer had half-written (committed rows vanished). A log's recovery on open does not ask; with the
 * exclusive locking mode it needs no shared memory, which that VFS lacks.
 */
export const STORE_PRAGMAS =
  'PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; ' +
  'PRAGMA cache_size=-65536; PRAGMA foreign_keys=OFF;';

/** Rows per INSERT statement: one statement per row would cost a WebAssembly round trip each. */
const ROWS_PER_INSERT = 200;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The WebAssembly build locks a database with a `<file>.lock` folder, which a killed process leaves
 * behind, and then every later open would find the database busy forever. So each open also records its
 * process id in `<file>.owner` (created exclusively): a lock whose owner is gone is stale and removed,
 * one whose owner runs is refused in plain words.
 */
function claim(file: string): () => void {
  const owner = `${file}.owner`;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openPrivateFile(owner, true);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(owner, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new CrosswalkDatabaseError(
          `the project's crosswalk database is in use by another dicom-deid (process ${pid}); wait for it to finish`,
        );
      }
      rmSync(`${file}.lock`, { recursive: true, force: true });
      rmSync(owner, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => rmSync(owner, { force: true });
  }
  throw new CrosswalkDatabaseError("the project's crosswalk database could not be locked");
}

/**
 * The crosswalk in an SQLite database file, through node-sqlite3-wasm (SQLite compiled to WebAssembly
 * with a VFS on node:fs): no native build, so it runs on any Node and in Electron unchanged. Rows are keyed
 * by original (primary key) and indexed by pseudonym, so both lookups are B-tree searches at any size.
 * A 64 MB page cache keeps the upper levels of both trees in memory at millions of rows.
 * Write-ahead log with synchronous=FULL: a transaction is on disk when add() returns, and one a crash cut
 * short is dropped when the log is recovered on the next open.
 */
export function openSqliteCrosswalk(file: string): CrosswalkStore {
  // Created owner-only before SQLite sees it (an empty file is a new database to it).
  try {
    closeSync(openPrivateFile(file, true));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (isExposed(statSync(file).mode)) {
      throw new CrosswalkDatabaseError(
        `the crosswalk database ${file} can be read by other users; make it private with: chmod 600 "${file}"`,
      );
    }
  }
  const release = claim(file);
  const sqlite = sqliteModule();
  let db: Sqlite.Database;
  try {
    db = new sqlite.Database(file);
    // Exclusive: the owner file already keeps other processes out, and without it every statement would
    // take and drop the VFS's folder lock and re-read the header (a lookup cost 2 ms instead of 0.06).
    db.exec(STORE_PRAGMAS);
    db.exec(SCHEMA);
  } catch (e) {
    release();
    if (e instanceof sqlite.SQLite3Error)
      throw new CrosswalkDatabaseError(`the crosswalk database ${file} cannot be opened (${e.message})`);
    throw e;
  }
  const kindNo = new Map(MAPPING_KINDS.map((k, i) => [k, i]));
  const statements = new Map<number, Sqlite.Statement>();
  const insertOf = (rows: number) => {
    let statement = statements.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?,?,?)').join(',');
      statement = db.prepare(`INSERT OR IGNORE INTO mapping (original, kind, pseudonym) VALUES ${values}`);
      statements.set(rows, statement);
    }
    return statement;
  };
  const findStatement = db.prepare(
    `SELECT original, kind, pseudonym, 0 AS side FROM mapping WHERE original = ?1
     UNION ALL SELECT original, kind, pseudonym, 1 AS side FROM mapping WHERE pseudonym = ?1`,
  );

  return {
    add(mappings) {
      const batch: Array<string | number> = [];
      const flush = () => {
        if (batch.length === 0) return;
        insertOf(batch.length / 3).run(batch);
        batch.length = 0;
      };
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const m of mappings) {
          batch.push(m.original, kindNo.get(m.kind)!, m.pseudonym);
          if (batch.length === ROWS_PER_INSERT * 3) flush();
        }
        flush();
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    find(value) {
      const rows = findStatement.all([value.trim()]);
      return rows.map(
        (r): LookupMatch => ({
          kind: MAPPING_KINDS[Number(r.kind)]!,
          original: String(r.original),
          pseudonym: String(r.pseudonym),
          matched: r.side === 0 ? 'original' : 'pseudonym',
        }),
      );
    },
    counts() {
      const counts = Object.fromEntries(MAPPING_KINDS.map((k) => [k, 0])) as Record<MappingKind, number>;
      for (const r of db.all('SELECT kind, count(*) AS n FROM mapping GROUP BY kind'))
        counts[MAPPING_KINDS[Number(r.kind)]!] = Number(r.n);
      return counts;
    },
    close() {
      try {
        for (const s of statements.values()) s.finalize();
        findStatement.finalize();
        db.close();
      } finally {
        release();
      }
    },
  };
}
