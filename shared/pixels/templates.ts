import type { Profile } from '../profile/profile.js';
import type { RegionRule } from './regions.js';
import { PIXEL_TEMPLATES } from './templates.generated.js';

// One list per profile, so what is remembered about a list (which rules a header matches) lasts the batch.
const rulesOf = new WeakMap<Profile, readonly RegionRule[]>();

/**
 * The pixel rules a profile applies: the built-in device templates (converted from public template sets
 * by scripts/convert-pixel-templates.mjs) when Clean Pixel Data is on, then the profile's own rules.
 */
export function pixelRulesFor(profile: Profile): readonly RegionRule[] {
  let rules = rulesOf.get(profile);
  if (!rules) {
    rules = profile.options.includes('cleanPixelData')
      ? [...PIXEL_TEMPLATES, ...profile.pixelRules]
      : profile.pixelRules;
    rulesOf.set(profile, rules);
  }
  return rules;
}
