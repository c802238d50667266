import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSynthFile } from '../../scripts/synth/files.js';
import { studyFiles } from '../../scripts/synth/study.js';
import { getPreset } from '../../shared/profile/index.js';
import { openInput } from '../file-source.js';
import { InputPass } from './input-pass.js';
import { PixelTools } from './pixel-pass.js';
import { processFile } from './process-file.js';
import { PIECE, Sha256Thread, SlotRing } from './sha256-thread.js';

/*
 * A large input is read once: the writer's copies go through its pass, which hashes the input on another
 * thread on the way. sha256sum is the oracle for every digest.
 */

const dir = mkdtempSync(join(tmpdir(), 'deid-input-pass-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256sum = (path: string) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).slice(0, 64);

function randomFile(name: string, size: number): { path: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  let x = size | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** Copies the ranges through a pass over the file and returns what each gave and the digest. */
function passOver(path: string, ranges: ReadonlyArray<readonly [number, number]>) {
  const file = openInput(path);
  try {
    const reads: Array<readonly [number, number]> = [];
    const readInto = file.source.readInto.bind(file.source);
    file.source.readInto = (target, position) => {
      reads.push([position, target.length]);
      readInto(target, position);
    };
    const pass = new InputPass(file.source);
    const copies = ranges.map(([offset, length]) => {
      const out = new Uint8Array(length);
      let at = 0;
      pass.copy(offset, length, (bytes) => {
        out.set(bytes, at);
        at += bytes.length;
      });
      expect(at).toBe(length);
      return out;
    });
    const digest = pass.digest();
    return { copies, digest, bytesRead: file.source.bytesRead, reads };
  } finally {
    file.close();
  }
}

describe('a pass over a large input', () => {
  it('gives every range its bytes and hashes the whole file once, whatever the order of the copies', () => {
    // More pieces than the thread has buffers, and a size no piece boundary falls on.
    const { path, bytes } = randomFile('random.bin', 5 * PIECE + 12_345);
    const ranges = [
      // A header's kept values: small, many, each read from the piece that holds it.
      ...Array.from({ length: 1000 }, (_, i) => [i * 100, 54] as const),
      [100_000, 2 * PIECE + 77], // from inside the first piece, across two boundaries
      [PIECE / 2, PIECE], // read already: copied again
      [4 * PIECE - 5, PIECE + 10], // after a gap the hash reads for itself
    ] as const;
    const { copies, digest, bytesRead, reads } = passOver(path, ranges);
    ranges.forEach(([offset, length], i) => {
      expect(Buffer.compare(copies[i]!, bytes.subarray(offset, offset + length))).toBe(0);
    });
    expect(digest).toBe(sha256sum(path));
    // Once for the hash, plus the range copied a second time.
    expect(bytesRead).toBe(bytes.length + PIECE);
    // In whole aligned pieces, the small values from the first one, the range copied again in one read.
    expect(reads).toEqual([
      [0, PIECE],
      [PIECE, PIECE],
      [2 * PIECE, PIECE],
      [PIECE / 2, PIECE],
      [3 * PIECE, PIECE],
      [4 * PIECE, PIECE],
      [5 * PIECE, 12_345],
    ]);
  });

  it('starts clean after a file abandoned half-way, on the same thread', () => {
    const first = randomFile('first.bin', 3 * PIECE + 1);
    const second = randomFile('second.bin', 2 * PIECE + 3);
    const file = openInput(first.path);
    try {
      const pass = new InputPass(file.source);
      pass.copy(0, PIECE + 9, () => {});
      pass.abandon();
    } finally {
      file.close();
    }
    expect(passOver(second.path, []).digest).toBe(sha256sum(second.path));
  });

  it('hashes copied bytes across its buffers, and drops what was discarded', () => {
    const { path, bytes } = randomFile('copied.bin', 3 * PIECE + 1009);
    const hash = new Sha256Thread();
    hash.update(bytes.subarray(0, PIECE));
    hash.discard();
    const cuts = [0, 1, PIECE - 1, PIECE + 2, 3 * PIECE, bytes.length];
    for (let i = 1; i < cuts.length; i++) hash.update(bytes.subarray(cuts[i - 1], cuts[i]));
    expect(hash.digest()).toBe(sha256sum(path));
    // And again, on the same thread.
    hash.update(bytes);
    expect(hash.digest()).toBe(sha256sum(path));
  });

  it('fails a hash whose thread has gone, instead of waiting for it, and hashes the next on a new one', async () => {
    const { path, bytes } = randomFile('after-stall.bin', PIECE + 17);
    const hash = new Sha256Thread(new SlotRing(), 300);
    hash.update(bytes);
    await (hash as unknown as { worker: Worker }).worker.terminate();
    expect(() => hash.digest()).toThrow('the hashing thread stopped answering');
    hash.update(bytes);
    expect(hash.digest()).toBe(sha256sum(path));
  });

  it('gives processFile the audit hashes of a large file, read once, and an output with its pixel bytes', async () => {
    // 36 MB: above the size read whole into memory.
    const [synth] = studyFiles('CT', {
      syntax: 'explicit-le',
      seed: 3,
      rows: 512,
      cols: 512,
      frames: 70,
      patients: 1,
      seriesPerPatient: 1,
      instancesPerSeries: 1,
    });
    writeSynthFile(dir, synth!);
    const input = join(dir, synth!.relativePath);
    const tools = new PixelTools();
    const outcome = await processFile(
      { id: 1, input },
      {
        tempDir: dir,
        profile: getPreset('basic'),
        keySecret: new Uint8Array(32).fill(5),
        toolVersion: 'test',
        verify: true,
      },
      tools,
    );
    await tools.close();
    expect(outcome.status).toBe('written');
    if (outcome.status !== 'written') return;
    expect(outcome.verification).toBe('passed');
    expect(outcome.inputSha256).toBe(sha256sum(input));
    expect(outcome.outputSha256).toBe(sha256sum(outcome.tempPath));
    const pixels = synth!.pixelLength;
    const [inBytes, outBytes] = [readFileSync(input), readFileSync(outcome.tempPath)];
    expect(Buffer.compare(outBytes.subarray(-pixels), inBytes.subarray(-pixels))).toBe(0);
    // dcmtk reads the whole output, pixel value included, as one dataset.
    execFileSync('dcmdump', ['-q', outcome.tempPath], { stdio: 'ignore' });
  }, 60_000);
});
