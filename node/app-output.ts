import { outputConflict } from './batch/out-dir.js';

/**
 * Why `output` cannot take the de-identified copies of inputs in `inputFolders`, in the window's words,
 * or undefined when it can. Copies inside an input folder would sit next to the originals (and be read
 * again as inputs next time). The check itself is the batch's own.
 */
export function outputFolderProblem(output: string, inputFolders: readonly string[]): string | undefined {
  const conflict = outputConflict(inputFolders, output);
  if (conflict?.kind === 'inside-input') {
    return `This folder is inside a folder of input files (${conflict.input}). Choose a folder outside it, so the de-identified copies are never mixed up with the originals.`;
  }
  if (conflict?.kind === 'contains-input') {
    return `This folder contains input files (in ${conflict.input}). Choose an empty folder or one outside the inputs, so the de-identified copies are never mixed up with the originals.`;
  }
  return undefined;
}
