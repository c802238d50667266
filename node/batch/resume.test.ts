import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { OtherOutputsError, outputsMadeBy, ResumeIndex } from './resume.js';

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
