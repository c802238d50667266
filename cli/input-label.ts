import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { printable } from './printable.js';

/**
 * How the terminal names one input. File and folder names often name the patient, so they are shown only
 * to the person at an interactive terminal, relative to the input given on the command line; output that
 * is piped or logged names the input by its number, which the private audit (or `scan --json`) resolves.
 */
export function inputLabel(path: string, no: number, roots: readonly string[], interactive: boolean): string {
  if (!interactive) return `input ${no}`;
  const full = resolve(path);
  for (const root of roots) {
    const rel = relative(resolve(root), full);
    if (rel === '') return printable(basename(full));
    if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return printable(rel);
  }
  return printable(path);
}
