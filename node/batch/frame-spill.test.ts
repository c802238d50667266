import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrameSpillFile } from './frame-spill.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-frame-spill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('the frame spill file', () => {
  it('makes no file until a frame comes, keeps frames owner-only and reads each back exactly', () => {
    const path = join(dir, '1.frames');
    const spill = new FrameSpillFile(path);
    expect(existsSync(path)).toBe(false);
    const frames = [bytes(1001, 1), bytes(70_000, 2), bytes(3, 3)];
    const ranges = frames.map((f) => spill.put(f));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    ranges.forEach((r, i) => {
      expect(r.length).toBe(frames[i]!.length);
      expect(r.source.read(r.offset, r.length)).toEqual(frames[i]);
    });
    // The writer reads a range in pieces.
    const r = ranges[1]!;
    expect(r.source.read(r.offset + 100, 50)).toEqual(frames[1]!.subarray(100, 150));
    spill.close();
    expect(existsSync(path)).toBe(false);
    expect(() => r.source.read(r.offset, 10)).toThrow(/after it was removed/);
  });

  it('starts over when cleared: what the engine spilled in an earlier run is dropped', () => {
    const path = join(dir, '2.frames');
    const spill = new FrameSpillFile(path);
    spill.put(bytes(5000, 4));
    spill.clear();
    expect(statSync(path).size).toBe(0);
    const again = spill.put(bytes(10, 5));
    expect(again.offset).toBe(0);
    expect(statSync(path).size).toBe(10);
    spill.close();
    spill.close();
    expect(existsSync(path)).toBe(false);
  });
});
