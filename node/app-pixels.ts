import { createHash } from 'node:crypto';
import type { AnonymizationKey } from '../shared/anonymize/key.js';
import type { ParsedDicom } from '../shared/dicom/model.js';
import type { DetectedText, PixelCheck } from '../shared/ipc/contract.js';
import { isKept } from '../shared/pixels/gate.js';
import type { Profile } from '../shared/profile/index.js';
import { remembered } from './app-text-findings.js';
import { anonymizeWithPixels, type PixelTools } from './batch/pixel-pass.js';

export interface PixelCheckOptions {
  readonly profile: Profile;
  readonly key: AnonymizationKey;
  readonly toolVersion: string;
}

/**
 * What the batch will do with one file's pixels, found the way the batch finds it: the same pixel pass
 * (codecs, the text detector, the engine's gate) on the same profile. The text read travels to the screen
 * only; nothing here logs it, and the outcome's reason names counts, never what was read.
 */
export async function checkPixels(
  parsed: ParsedDicom,
  options: PixelCheckOptions,
  tools: PixelTools,
  /** The file's path, when the views of its de-identified copy may use what this check finds. */
  path?: string,
): Promise<Omit<PixelCheck, 'id'>> {
  const run = anonymizeWithPixels(parsed, options, tools);
  const pass = await (path === undefined ? run : remembered(path, options.profile, run));
  const found = pass.text && 'found' in pass.text ? pass.text.found : undefined;
  const texts: DetectedText[] = [];
  for (const [frame, list] of found?.texts ?? []) {
    for (const t of list) {
      texts.push({
        frame,
        box: t.box,
        cls: t.cls,
        text: t.text,
        kept: t.cls !== 'technical' && isKept(t.box, pass.kept),
      });
    }
  }
  const { status, reason, regionsCleaned } = pass.pixels;
  return {
    status,
    ...(reason ? { reason } : {}),
    regionsCleaned,
    searched: pass.searched,
    texts,
  };
}

/**
 * What a check depends on, as one digest: the profile with every rule that is not a drawn one, and the
 * drawn rules that apply to this file (a box drawn on another file does not make this one stale).
 */
export function checkDigest(profile: Profile, drawnForFile: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify({ profile, drawnForFile })).digest('hex');
}

type Check = Omit<PixelCheck, 'id'>;

/**
 * The checks made, by file and digest; bounded, the oldest forgotten first. A check asked for again while
 * it runs is answered by the same run (the inspector and "Check image text now" may meet on one file).
 */
export class PixelCheckCache {
  private readonly entries = new Map<string, Check>();
  private readonly running = new Map<string, Promise<Check>>();

  constructor(private readonly limit = 5000) {}

  get(path: string, digest: string): Check | undefined {
    return this.entries.get(`${digest}\0${path}`);
  }

  /** The check for this file and digest: remembered, running, or started by `run`. */
  check(path: string, digest: string, run: () => Promise<Check>): Promise<Check> {
    const key = `${digest}\0${path}`;
    const known = this.entries.get(key);
    if (known) return Promise.resolve(known);
    let pending = this.running.get(key);
    if (!pending) {
      pending = run()
        .then((check) => {
          this.entries.set(key, check);
          if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
          return check;
        })
        .finally(() => this.running.delete(key));
      this.running.set(key, pending);
    }
    return pending;
  }
}
