import type { OutputIdentity } from '../../../shared/anonymize/engine.js';

/** Pseudonyms from a site crosswalk may hold anything; a folder name keeps letters, digits, '.', '-' and '_'. */
const safeComponent = (s: string): string =>
  s
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 64) || '_';

/**
 * Where an output goes under the output folder: `<pseudonymous patient>/<study>/<series>/<instance>.dcm`,
 * every part taken from de-identified data, never from the input's names (which often hold a patient's name).
 */
export function relativeOutputPath(identity: OutputIdentity): string {
  return [
    safeComponent(identity.patientId),
    safeComponent(identity.studyInstanceUID),
    safeComponent(identity.seriesInstanceUID),
    `${safeComponent(identity.sopInstanceUID)}.dcm`,
  ].join('/');
}

/**
 * The name for an output whose instance is already written with other content: its own content hash
 * (the first 12 hex digits of its SHA-256) before the extension, the same in every run.
 */
export const distinctOutputPath = (relativeOutput: string, outputSha256: string): string =>
  relativeOutput.replace(/\.dcm$/, `.${outputSha256.slice(0, 12)}.dcm`);
