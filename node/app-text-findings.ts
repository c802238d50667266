/**
 * What the last text search in this reading thread found, or will find: the inspector's pixel check, the
 * before / after header and each frame of the de-identified copy ask about the same file and profile, and
 * the search (seconds on one image, minutes on a long cine) is done once for all of them.
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../shared/profile/index.js';
import type { PixelPassResult, TextFindings } from './batch/pixel-pass.js';

let last: { readonly key: string; readonly found: Promise<TextFindings | undefined> } | undefined;

const keyOf = (path: string, profile: Profile) =>
  `${createHash('sha256').update(JSON.stringify(profile)).digest('hex')}\0${path}`;

/** A pass that searches `path` with `profile`: what it finds is remembered for the views that follow. */
export function remembered(path: string, profile: Profile, pass: Promise<PixelPassResult>) {
  last = {
    key: keyOf(path, profile),
    found: pass.then(
      (done) => done.found,
      () => undefined,
    ),
  };
  return pass;
}

/** What a search of `path` with `profile` found, when it is the last one made (waited for if running). */
export async function knownFindings(path: string, profile: Profile): Promise<TextFindings | undefined> {
  return last?.key === keyOf(path, profile) ? last.found : undefined;
}
