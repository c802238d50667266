import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputFolderProblem } from './app-output.js';

const root = mkdtempSync(join(tmpdir(), 'deid-output-'));
const inputs = join(root, 'inputs');
mkdirSync(join(inputs, 'study'), { recursive: true });
mkdirSync(join(root, 'elsewhere'));
symlinkSync(inputs, join(root, 'link-to-inputs'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('output folder check', () => {
  it('accepts a folder beside the inputs, existing or not', () => {
    expect(outputFolderProblem(join(root, 'elsewhere'), [inputs])).toBeUndefined();
    expect(outputFolderProblem(join(root, 'new', 'deeper'), [inputs])).toBeUndefined();
    expect(outputFolderProblem(join(root, 'inputs-out'), [inputs])).toBeUndefined();
  });

  it('refuses the input folder itself and anything inside it, saying why', () => {
    expect(outputFolderProblem(inputs, [inputs])).toMatch(/inside a folder of input files/);
    expect(outputFolderProblem(join(inputs, 'study', 'out'), [inputs])).toMatch(
      /inside a folder of input files/,
    );
  });

  it('sees through links', () => {
    expect(outputFolderProblem(join(root, 'link-to-inputs', 'out'), [inputs])).toMatch(/inside/);
  });

  it('refuses a folder that holds the inputs', () => {
    expect(outputFolderProblem(root, [inputs])).toMatch(/contains input files/);
  });
});
