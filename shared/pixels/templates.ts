import type { Profile } from '../profile/profile.js';
import type { RegionRule } from './regions.js';
import { PIXEL_TEMPLATES } from './templates.generated.js';

/**
 * The pixel rules a profile applies: the built-in device templates (converted from public template sets
 * by scripts/convert-pixel-templates.mjs) when Clean Pixel Data is on, then the profile's own rules.
 */
export function pixelRulesFor(profile: Profile): readonly RegionRule[] {
  return profile.options.includes('cleanPixelData')
    ? [...PIXEL_TEMPLATES, ...profile.pixelRules]
    : profile.pixelRules;
}
