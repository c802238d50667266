import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { distinctOutputPath } from './output-path.js';
import { type DoneOutput, OtherOutputsError, outputsMadeBy, ResumeIndex } from './resume.js';

const key = keyFromBytes(new Uint8Array(32).fill(1));
const otherKey = keyFromBytes(new Uint8Array(32).fill(2));

describe('who wrote the outputs a resume state describes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deid-resume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is told before a run exactly as the run itself decides', () => {
    const state = join(dir, 'state');
    expect(outputsMadeBy(state, key, 'profile-a')).toBe('none');
    new ResumeIndex(state, key, 'profile-a');
    // No output recorded yet: any run takes the state over.
    expect(outputsMadeBy(state, otherKey, 'profile-b')).toBe('none');
    expect(() => new ResumeIndex(state, otherKey, 'profile-b')).not.toThrow();
    new ResumeIndex(state, key, 'profile-a');
    appendFileSync(join(state, 'done.jsonl'), `${JSON.stringify({ k: 'k1', out: 'a.dcm', sha: 's' })}\n`);
    expect(outputsMadeBy(state, key, 'profile-a')).toBe('same');
    expect(() => new ResumeIndex(state, key, 'profile-a')).not.toThrow();
    for (const [k, profile] of [
      [key, 'profile-b'],
      [otherKey, 'profile-a'],
      [undefined, 'profile-a'],
    ] as const) {
      expect(outputsMadeBy(state, k, profile)).toBe('other');
      if (k) expect(() => new ResumeIndex(state, k, profile)).toThrow(OtherOutputsError);
    }
  });
});

describe('the resume state, read back', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deid-resume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const output = (i: number, verification: DoneOutput['verification'] = 'passed'): DoneOutput => ({
    out: `ANON-${i % 7}/2.25.${i}/2.25.${i * 31}/2.25.${i * 977}.dcm`,
    sha: `${i}`.padStart(64, 'a'),
    verification,
  });
  const written = (outputs: ReadonlyArray<readonly [string, DoneOutput]>) => {
    const state = new ResumeIndex(dir, key, 'p');
    for (const [k, o] of outputs) state.add(k, o);
    state.close();
  };

  it('finds every output of a state that spans many reads, by key and by name', () => {
    // About 3 MB: lines straddle the megabyte reads.
    const outputs = Array.from(
      { length: 15_000 },
      (_, i) => [`key-${i}`, output(i, i % 3 ? 'passed' : 'not-run')] as const,
    );
    written(outputs);
    const state = new ResumeIndex(dir, key, 'p');
    for (const [k, o] of outputs) {
      expect(state.outputFor(k)).toEqual(o);
      expect(state.recordedAt(o.out)).toEqual({ ...o, key: k });
    }
    expect(state.outputFor('key-15000')).toBeUndefined();
    expect(state.recordedAt('ANON-0/2.25.0/2.25.0/2.25.1.dcm')).toBeUndefined();
    state.close();
  });

  it('reads lines after one of other scripts at their place in bytes', () => {
    const state = new ResumeIndex(dir, key, 'p');
    const dicomdirEntry = { patientName: '山田^太郎=やまだ^たろう', fileId: ['A', 'B'] } as never;
    state.add('k1', output(1), dicomdirEntry);
    state.add('k2', output(2));
    state.close();
    const again = new ResumeIndex(dir, key, 'p');
    expect(again.outputFor('k2')).toEqual(output(2));
    expect(again.outputFor('k1')).toEqual(output(1));
    expect(again.directoryEntries()).toEqual([dicomdirEntry]);
    again.close();
  });

  it('gives an output redone in a later run its new line, and forgets its old name', () => {
    written([
      ['k1', output(1)],
      ['k2', output(2)],
    ]);
    const second = new ResumeIndex(dir, key, 'p');
    second.add('k1', output(11));
    // Not flushed yet: read from the lines waiting for the disk.
    expect(second.outputFor('k1')).toEqual(output(11));
    expect(second.recordedAt(output(1).out)).toBeUndefined();
    expect(second.recordedAt(output(11).out)).toEqual({ ...output(11), key: 'k1' });
    second.close();
    const third = new ResumeIndex(dir, key, 'p');
    expect(third.outputFor('k1')).toEqual(output(11));
    expect(third.outputFor('k2')).toEqual(output(2));
    expect(third.recordedAt(output(1).out)).toBeUndefined();
    third.close();
  });

  it('follows moves: the output under its hashed name, its plain name contested', () => {
    const plain = output(1).out;
    const hashed = distinctOutputPath(plain, output(1).sha);
    written([['k1', output(1)]]);
    appendFileSync(join(dir, 'done.jsonl'), `${JSON.stringify({ moved: plain, to: hashed })}\n`);
    const state = new ResumeIndex(dir, key, 'p');
    expect(state.outputFor('k1')).toEqual({ ...output(1), out: hashed });
    expect(state.recordedAt(hashed)).toEqual({ ...output(1), out: hashed, key: 'k1' });
    expect(state.recordedAt(plain)).toBe('contested');
    // A move made in this run of an earlier output is written as its new line.
    const other = output(2).out;
    state.add('k2', output(2));
    state.close();
    const next = new ResumeIndex(dir, key, 'p');
    next.moved(other, distinctOutputPath(other, output(2).sha));
    expect(next.outputFor('k2')).toEqual({ ...output(2), out: distinctOutputPath(other, output(2).sha) });
    expect(next.recordedAt(other)).toBe('contested');
    next.close();
  });

  it('skips a line a crash cut short, and starts the next on a line of its own', () => {
    written([['k1', output(1)]]);
    appendFileSync(join(dir, 'done.jsonl'), JSON.stringify({ k: 'k2', ...output(2) }).slice(0, 40));
    const state = new ResumeIndex(dir, key, 'p');
    expect(state.outputFor('k2')).toBeUndefined();
    expect(state.outputFor('k1')).toEqual(output(1));
    state.add('k1', output(3));
    state.close();
    const lines = readFileSync(join(dir, 'done.jsonl'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines.at(-2)!)).toEqual({ k: 'k1', ...output(3) });
    const again = new ResumeIndex(dir, key, 'p');
    expect(again.outputFor('k1')).toEqual(output(3));
    again.close();
  });

  it('hands another maker’s outputs, as its moves left them, to be replaced, and starts afresh', () => {
    const plain = output(1).out;
    const hashed = distinctOutputPath(plain, output(1).sha);
    writeFileSync(
      join(dir, 'done.jsonl'),
      [
        JSON.stringify({ profile: 'other', key: 'other' }),
        JSON.stringify({ k: 'k1', ...output(1) }),
        JSON.stringify({ k: 'k2', ...output(2) }),
        JSON.stringify({ moved: plain, to: hashed }),
        '',
      ].join('\n'),
    );
    expect(() => new ResumeIndex(dir, key, 'p')).toThrow(OtherOutputsError);
    let replaced: readonly string[] = [];
    const state = new ResumeIndex(dir, key, 'p', (outs) => {
      replaced = outs;
    });
    expect([...replaced].sort()).toEqual([output(2).out, hashed].sort());
    expect(state.outputFor('k1')).toBeUndefined();
    state.close();
    expect(outputsMadeBy(dir, key, 'p')).toBe('none');
  });
});
