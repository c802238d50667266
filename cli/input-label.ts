import { pathUnderInputs } from '../node/inputs.js';
import { printable } from './printable.js';

/**
 * How the terminal names one input. File and folder names often name the patient, so they are shown only
 * to the person at an interactive terminal, relative to the input given on the command line; output that
 * is piped or logged names the input by its number, which the private audit (or `scan --json`) resolves.
 */
export function inputLabel(path: string, no: number, roots: readonly string[], interactive: boolean): string {
  if (!interactive) return `input ${no}`;
  return printable(pathUnderInputs(path, roots) ?? path);
}
