import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { parseShard, ShardError, ShardSelector } from './shard.js';

const key = keyFromBytes(new Uint8Array(32).map((_, i) => i * 7 + 1));
const otherKey = keyFromBytes(new Uint8Array(32).map((_, i) => i * 11 + 3));
const paths = Array.from({ length: 4000 }, (_, i) => `/mnt/a/patient-${i % 97}/series-${i}/IM${i}.dcm`);

describe('parseShard', () => {
  it('takes K/N with 1 ≤ K ≤ N', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4, by: 'file' });
    expect(parseShard('1/1', 'study')).toEqual({ index: 1, count: 1, by: 'study' });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '-1/4', '1/4/2', '1/100000'])
      expect(() => parseShard(bad), bad).toThrow(ShardError);
  });
});

describe('ShardSelector', () => {
  const selectors = (k = key, roots = ['/mnt/a']) =>
    [1, 2, 3, 4].map((index) => new ShardSelector({ index, count: 4, by: 'file' }, k, roots));

  it('puts every input in exactly one shard, about evenly', () => {
    const all = selectors();
    const sizes = all.map((s) => paths.filter((p) => s.includes(p)).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(paths.length);
    for (const p of paths.slice(0, 200)) expect(all.filter((s) => s.includes(p))).toHaveLength(1);
    // 1,000 expected per shard; 4 standard deviations is about ±110.
    for (const n of sizes) expect(Math.abs(n - 1000)).toBeLessThan(110);
  });

  it('depends on the path below the input root, not where the folder is mounted', () => {
    const [here] = selectors(key, ['/mnt/a']);
    const [there] = selectors(key, ['/srv/nfs/export/a/']);
    for (const p of paths.slice(0, 300))
      expect(there!.shardOf(p.replace('/mnt/a/', '/srv/nfs/export/a/'))).toBe(here!.shardOf(p));
    // A file given by itself counts by its name.
    const [single] = selectors(key, ['/x/IM7.dcm']);
    const [other] = selectors(key, ['/y/IM7.dcm']);
    expect(single!.shardOf('/x/IM7.dcm')).toBe(other!.shardOf('/y/IM7.dcm'));
  });

  it('splits differently under another key', () => {
    const [mine] = selectors(key);
    const [theirs] = selectors(otherKey);
    const same = paths.filter((p) => mine!.shardOf(p) === theirs!.shardOf(p)).length;
    expect(same).toBeLessThan(paths.length * 0.3);
  });

  describe('by study', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deid-shard-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const corpus = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
    // The same study in two encodings: one shard holds them all, whatever they are called.
    const study = ['explicit_big_endian', 'implicit_little_endian'].map((ts) =>
      join(corpus, 'cornerstonejs+dicomParser', 'testImages', `CT1_UNC.${ts}.dcm`),
    );

    it('keeps a study’s files together and shards unreadable files by path', () => {
      const names = Array.from({ length: 24 }, (_, i) => `name-${i}/file-${i}.dcm`);
      names.forEach((name, i) => {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        copyFileSync(study[i % study.length]!, join(dir, name));
      });
      const byStudy = new ShardSelector({ index: 1, count: 4, by: 'study' }, key, [dir]);
      const byFile = new ShardSelector({ index: 1, count: 4, by: 'file' }, key, [dir]);
      expect(new Set(names.map((n) => byStudy.shardOf(join(dir, n)))).size).toBe(1);
      expect(new Set(names.map((n) => byFile.shardOf(join(dir, n)))).size).toBeGreaterThan(1);
      writeFileSync(join(dir, 'notes.txt'), 'not DICOM');
      expect(byStudy.shardOf(join(dir, 'notes.txt'))).toBe(byFile.shardOf(join(dir, 'notes.txt')));
      expect(byStudy.shardOf(join(dir, 'gone.dcm'))).toBe(byFile.shardOf(join(dir, 'gone.dcm')));
    });
  });
});
