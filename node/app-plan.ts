import { readdirSync } from 'node:fs';
import type { FileRow, PixelCheck, PixelPlan, RunPlan } from '../shared/ipc/contract.js';
import type { RegionRule } from '../shared/pixels/regions.js';
import { OPTION_INFO, type OptionKey, type Profile } from '../shared/profile/index.js';
import { matches, type RegionFacts } from './app-regions.js';

/**
 * Options that let identifying data through which the basic profile removes: the run screen marks them.
 * Shifted dates are not among them (the real dates are hidden); Clean Pixel Data switched off is.
 */
const WEAKENING: ReadonlySet<OptionKey> = new Set<OptionKey>([
  'retainSafePrivate',
  'retainUIDs',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'retainPatientCharacteristics',
  'retainLongFullDates',
]);

export function describeProfile(profile: Profile): Pick<RunPlan, 'profile' | 'options'> {
  const options = profile.options.map((key) => ({
    label: OPTION_INFO[key].label,
    weakens: WEAKENING.has(key),
  }));
  if (!profile.options.includes('cleanPixelData')) {
    options.push({ label: 'Image text is not cleaned (Clean Pixel Data is off)', weakens: true });
  }
  return { profile: profile.name, options };
}

/** What is in the output folder already, and whether an earlier run of this app wrote there. */
export function outputContents(
  path: string,
  earlierRun: NonNullable<RunPlan['output']>['earlierRun'],
): RunPlan['output'] {
  let entries = 0;
  try {
    entries = readdirSync(path).length;
  } catch {
    // Not there yet: the run makes it.
  }
  return { path, entries, earlierRun };
}

/**
 * How the files in the list will come out. A file the pixel check has checked is held if the check says
 * so; otherwise one whose header declares burned-in text is held for review unless boxes are drawn for it
 * or it was accepted as it is. Files that are not DICOM, cannot be read or failed before are not written.
 */
export function countOutcomes(
  rows: readonly FileRow[],
  factsOf: (row: FileRow) => RegionFacts | undefined,
  rules: readonly RegionRule[],
  checkOf: (row: FileRow) => Pick<PixelCheck, 'status'> | undefined = () => undefined,
): RunPlan['files'] {
  let write = 0;
  let held = 0;
  let notWritten = 0;
  for (const row of rows) {
    // A file that failed in an earlier run fails again unless it changed.
    if (!mayBeWritten(row)) {
      notWritten++;
      continue;
    }
    const check = atPixelRisk(row) ? checkOf(row) : undefined;
    if (check) {
      if (check.status === 'held') held++;
      else write++;
      continue;
    }
    const facts = row.burnedIn === 'likely' ? factsOf(row) : undefined;
    const covered =
      facts !== undefined &&
      rules.some((rule) => (rule.accept || rule.regions.length > 0) && matches(rule.match, facts));
    if (row.burnedIn === 'likely' && !covered) held++;
    else write++;
  }
  return { write, held, notWritten };
}

/** Files a run writes or holds: those it cannot read or failed on are not counted as held. */
export const mayBeWritten = (row: FileRow) =>
  row.status !== 'not-dicom' && row.status !== 'unreadable' && row.status !== 'failed';

/** Files whose images the detector reads in a run: the pixel checks are worth making for these. */
export const atPixelRisk = (row: FileRow) => mayBeWritten(row) && row.burnedIn !== 'none';

/**
 * What the checks say of the files at risk: how many will be cleaned, held (and why), accepted or left as
 * they are, and how many have not been checked with the profile in force. Null when no file is at risk.
 */
export function planPixels(
  rows: readonly FileRow[],
  checkOf: (row: FileRow) => Pick<PixelCheck, 'status' | 'reason'> | undefined,
): PixelPlan | null {
  const counts = { cleaned: 0, held: 0, accepted: 0, untouched: 0, unchecked: 0 };
  const reasons = new Map<string, number>();
  let atRisk = 0;
  for (const row of rows) {
    if (!atPixelRisk(row)) continue;
    atRisk++;
    const check = checkOf(row);
    if (!check) counts.unchecked++;
    else if (check.status === 'cleaned') counts.cleaned++;
    else if (check.status === 'accepted') counts.accepted++;
    else if (check.status === 'not-at-risk') counts.untouched++;
    else {
      counts.held++;
      const reason = check.reason ?? 'the pixels may show identity';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  if (atRisk === 0) return null;
  const heldReasons = [...reasons]
    .map(([reason, files]) => ({ reason, files }))
    .sort((a, b) => b.files - a.files || a.reason.localeCompare(b.reason));
  return { ...counts, heldReasons };
}
