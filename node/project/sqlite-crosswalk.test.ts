import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import sqlite from 'node-sqlite3-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Mapping } from './crosswalk-store.js';
import { openSqliteCrosswalk, STORE_PRAGMAS } from './sqlite-crosswalk.js';

const KILL_BATCH = 5000;
const root = mkdtempSync(join(tmpdir(), 'deid-crosswalk-db-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

// Stand-ins shaped like the real thing: a 2.25 UID and its keyed remap.
const uid = (i: number) => `1.2.826.0.1.3680043.2.1125.${i}.${(i * 7919) % 100003}`;
const remapped = (i: number) =>
  `2.25.${BigInt(`0x${createHash('sha256').update(String(i)).digest('hex').slice(0, 32)}`)}`;
const rows = (from: number, to: number): Mapping[] =>
  Array.from({ length: to - from }, (_, k) => ({
    kind: (['study', 'series', 'instance', 'instance'] as const)[(from + k) % 4]!,
    original: uid(from + k),
    pseudonym: remapped(from + k),
  }));

describe('SQLite crosswalk store', () => {
  it('finds a mapping from either side, keeps the first of a repeat, and counts by kind', () => {
    const file = join(root, 'basic.sqlite');
    const store = openSqliteCrosswalk(file);
    store.add([
      { kind: 'patient', original: 'MRN-778123', pseudonym: 'P-3F2A' },
      { kind: 'study', original: uid(1), pseudonym: remapped(1) },
      { kind: 'patient', original: 'MRN-778123', pseudonym: 'P-3F2A' },
    ]);
    store.add([{ kind: 'instance', original: uid(2), pseudonym: remapped(2) }]);
    expect(store.find(' MRN-778123 ')).toEqual([
      { kind: 'patient', original: 'MRN-778123', pseudonym: 'P-3F2A', matched: 'original' },
    ]);
    expect(store.find(remapped(1))).toEqual([
      { kind: 'study', original: uid(1), pseudonym: remapped(1), matched: 'pseudonym' },
    ]);
    expect(store.find('nobody')).toEqual([]);
    expect(store.counts()).toEqual({ patient: 1, study: 1, series: 0, instance: 1, uid: 0 });
    store.close();
    // Reopened: the rows were on disk.
    const again = openSqliteCrosswalk(file);
    expect(again.find('P-3F2A')).toHaveLength(1);
    again.close();
  });

  it.skipIf(!posix)('is owner-only, and refuses a database other users can read', () => {
    const file = join(root, 'private.sqlite');
    openSqliteCrosswalk(file).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    expect(() => openSqliteCrosswalk(file)).toThrow(
      /can be read by other users; make it private with: chmod 600/,
    );
  });

  it('clears the lock a killed process left, and refuses one a running process holds', () => {
    const file = join(root, 'locked.sqlite');
    openSqliteCrosswalk(file).close();
    const dead = spawnSync('true').pid!;
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.owner`, `${dead}\n`);
    const store = openSqliteCrosswalk(file);
    store.add([{ kind: 'uid', original: uid(9), pseudonym: remapped(9) }]);
    store.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(existsSync(`${file}.owner`)).toBe(false);

    const living = spawn('sleep', ['30']);
    try {
      writeFileSync(`${file}.owner`, `${living.pid}\n`);
      expect(() => openSqliteCrosswalk(file)).toThrow(`in use by another dicom-deid (process ${living.pid})`);
    } finally {
      living.kill();
      rmSync(`${file}.owner`);
    }
  });

  it('holds a million rows and finds any of them quickly (timings reported, not asserted)', () => {
    const file = join(root, 'million.sqlite');
    const store = openSqliteCrosswalk(file);
    const N = 1_000_000;
    const BATCH = 10_000;
    let t = performance.now();
    for (let from = 0; from < N; from += BATCH) store.add(rows(from, from + BATCH));
    const insertSeconds = (performance.now() - t) / 1000;
    const LOOKUPS = 10_000;
    t = performance.now();
    for (let k = 0; k < LOOKUPS; k++) {
      const i = (k * 104_729) % N;
      const [hit] = store.find(k % 2 ? uid(i) : remapped(i));
      expect(hit?.pseudonym).toBe(remapped(i));
    }
    const lookupMicros = ((performance.now() - t) * 1000) / LOOKUPS;
    const counts = store.counts();
    store.close();
    expect(counts.study + counts.series + counts.instance).toBe(N);
    console.info(
      `crosswalk: ${N} rows inserted in ${insertSeconds.toFixed(1)} s (${Math.round(N / insertSeconds)} rows/s, ` +
        `${BATCH} per transaction); ${LOOKUPS} lookups at ${lookupMicros.toFixed(0)} µs each; ` +
        `file ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`,
    );
  }, 600_000);

  it('stays whole when its writer is killed (kill -9) mid-transaction, three times over', async () => {
    // The store bundled into a plain script, so a separate process can be killed while it writes.
    const bin = join(root, 'writer');
    mkdirSync(bin);
    const here = import.meta.dirname;
    buildSync({
      stdin: {
        contents: `
          import { openSqliteCrosswalk } from './sqlite-crosswalk.ts';
          const [file, start] = process.argv.slice(2);
          const store = openSqliteCrosswalk(file);
          for (let from = Number(start); ; from += ${KILL_BATCH}) {
            const rows = [];
            for (let i = from; i < from + ${KILL_BATCH}; i++)
              rows.push({ kind: 'instance', original: 'o.' + i, pseudonym: 'p.' + i });
            store.add(rows);
            process.stdout.write(from + ${KILL_BATCH} + '\\n');
          }`,
        resolveDir: here,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(bin, 'writer.mjs'),
      logLevel: 'error',
    });
    // The store requires the package at run time, as the CLI bundle does: from this checkout's node_modules.
    const env = { ...process.env, NODE_PATH: join(import.meta.dirname, '..', '..', 'node_modules') };

    const file = join(root, 'killed.sqlite');
    let committed = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [join(bin, 'writer.mjs'), file, String(committed)], { env });
      let reported = committed;
      await new Promise<void>((done) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const lines = out.trim().split('\n');
          reported = Number(lines.at(-1));
          // Killed at an arbitrary point of a later transaction, once a few have committed.
          if (reported >= committed + 3 * KILL_BATCH && !child.killed)
            setTimeout(() => child.kill('SIGKILL'), Math.random() * 50);
        });
        child.on('exit', () => done());
      });
      const store = openSqliteCrosswalk(file);
      const { instance } = store.counts();
      // Whole transactions only, and at least every one the writer saw committed.
      expect(instance % KILL_BATCH).toBe(0);
      expect(instance).toBeGreaterThanOrEqual(reported);
      expect(store.find(`o.${instance - 1}`)[0]?.pseudonym).toBe(`p.${instance - 1}`);
      expect(store.find(`p.${instance}`)).toEqual([]);
      store.close();
      committed = instance;
    }
    const db = new sqlite.Database(file);
    db.exec(STORE_PRAGMAS);
    expect(db.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
    db.close();
  }, 120_000);

  it('rolls back the transaction its writer died in, after the writer had to put some of it in the file', async () => {
    const file = join(root, 'spilled.sqlite');
    const store = openSqliteCrosswalk(file);
    store.add(rows(0, 1000));
    store.close();
    // A writer with the store's settings but a tiny page cache, so that its transaction's pages reach the
    // database file before it commits; it claims the file as the store does, and dies mid-transaction.
    const writer = join(root, 'spilling.cjs');
    writeFileSync(
      writer,
      `const fs = require('node:fs');
const sqlite = require('node-sqlite3-wasm');
const file = process.argv[2];
fs.writeFileSync(file + '.owner', process.pid + '\\n');
const db = new sqlite.Database(file);
db.exec(${JSON.stringify(STORE_PRAGMAS)} + ' PRAGMA cache_size=8;');
db.exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) " +
  "INSERT INTO mapping SELECT 'x.' || i, 2, hex(randomblob(40)) FROM n;");
process.stdout.write('spilled\\n');
setInterval(() => {}, 1000);
`,
    );
    const env = { ...process.env, NODE_PATH: join(import.meta.dirname, '..', '..', 'node_modules') };
    const child = spawn(process.execPath, [writer, file], { env });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the writer stopped before its transaction (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const reopened = openSqliteCrosswalk(file);
    expect(reopened.counts()).toEqual({ patient: 0, study: 250, series: 250, instance: 500, uid: 0 });
    expect(reopened.find(uid(999))[0]?.pseudonym).toBe(remapped(999));
    expect(reopened.find('x.1')).toEqual([]);
    reopened.close();
    const db = new sqlite.Database(file);
    db.exec(STORE_PRAGMAS);
    expect(db.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
    db.close();
  }, 60_000);
});
