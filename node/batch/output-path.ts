import type { OutputIdentity } from '../../shared/anonymize/engine.js';

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
 * The name for an output whose instance is written with other content too: its own content hash (the
 * first 12 hex digits of its SHA-256) after `_`, which no UID holds, the same in every run.
 */
export const distinctOutputPath = (relativeOutput: string, outputSha256: string): string =>
  relativeOutput.replace(/\.dcm$/, `_${outputSha256.slice(0, 12)}.dcm`);

/** The name an output with a content hash would have without it. */
export const plainOutputPath = (relativeOutput: string): string =>
  relativeOutput.replace(/_[0-9a-f]{12}\.dcm$/, '.dcm');
