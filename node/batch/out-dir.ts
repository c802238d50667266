import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isWithin } from '../reports/locations.js';

/** How an output folder would mix copies with originals: inside an input folder, or holding an input. */
export interface OutputConflict {
  readonly kind: 'inside-input' | 'contains-input';
  /** The input folder (or input) involved. */
  readonly input: string;
}

/**
 * The first way `outDir` would mix de-identified copies with the originals in `inputs` (files or folders),
 * or undefined. Links are resolved, so another path to the same folder is caught too.
 */
export function outputConflict(inputs: readonly string[], outDir: string): OutputConflict | undefined {
  for (const input of inputs) {
    let folder = input;
    try {
      if (!statSync(input).isDirectory()) folder = dirname(input);
    } catch {
      continue;
    }
    if (isWithin(outDir, folder)) return { kind: 'inside-input', input: folder };
    if (isWithin(input, outDir)) return { kind: 'contains-input', input };
  }
  return undefined;
}
