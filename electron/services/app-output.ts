import { isWithin } from './reports/locations.js';

/**
 * Why `output` cannot take the de-identified copies of inputs in `inputFolders`, or undefined when it can.
 * Copies inside an input folder would sit next to the originals (and be read again as inputs next time);
 * links are resolved, so another path to the same folder is caught too.
 */
export function outputFolderProblem(output: string, inputFolders: readonly string[]): string | undefined {
  for (const folder of inputFolders) {
    if (isWithin(output, folder)) {
      return `This folder is inside a folder of input files (${folder}). Choose a folder outside it, so the de-identified copies are never mixed up with the originals.`;
    }
    if (isWithin(folder, output)) {
      return `This folder contains input files (in ${folder}). Choose an empty folder or one outside the inputs, so the de-identified copies are never mixed up with the originals.`;
    }
  }
  return undefined;
}
