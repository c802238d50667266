import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StagingFolder, sendBatches } from './part10.js';

const dir = mkdtempSync(join(tmpdir(), 'part10-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sparse(name: string, size: number): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, size); // a hole, not data: the test costs no disk
  return path;
}

describe('sendBatches', () => {
  it('bounds each group by count and by total size; a large file goes alone', () => {
    const small = Array.from({ length: 40 }, (_, i) => sparse(`s${i}`, 1000));
    expect([...sendBatches(small, 32)].map((g) => g.length)).toEqual([32, 8]);
    const big = [sparse('b1', 200 << 20), sparse('b2', 200 << 20), small[0]!, sparse('b3', 300 << 20)];
    expect([...sendBatches(big, 32)]).toEqual([[big[0]], [big[1], big[2]], [big[3]]]);
    expect([...sendBatches([], 32)]).toEqual([]);
  });
});

describe('StagingFolder', () => {
  it('is owner-only, names files by counter, and a discarded transfer leaves nothing', async () => {
    const staging = new StagingFolder(join(dir, 'staging'));
    expect(statSync(staging.dir).mode & 0o777).toBe(0o700);
    const kept = staging.begin('1.2.840.10008.5.1.4.1.1.2', '1.2.3.4', '1.2.840.10008.1.2.1');
    kept.stream.write(new Uint8Array([8, 0, 0x16, 0]));
    const path = await kept.commit();
    expect(path).toMatch(/[0-9a-f]{8}-000001\.dcm$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const dropped = staging.begin('1.2.840.10008.5.1.4.1.1.2', '1.2.3.5', '1.2.840.10008.1.2.1');
    dropped.stream.write(new Uint8Array(10));
    await dropped.discard();
    expect(readdirSync(staging.dir)).toEqual([path.split('/').at(-1)]);
    expect(() => staging.begin('1.2', 'DOE^JANE', '1.2')).toThrow(/valid UIDs/);
  });
});
