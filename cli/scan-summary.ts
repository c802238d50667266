import { sopClassName } from '../shared/dictionary/sop-classes.js';
import type { BurnedInRisk } from '../shared/scan/burned-in.js';
import { CATEGORIES, type CategoryId } from '../shared/scan/categories.js';
import type { FileOutcome, ScanFacts } from '../shared/scan/report.js';
import { inputLabel } from './input-label.js';

const RISK_WORDS: Readonly<Record<BurnedInRisk, string>> = {
  yes: 'declared or very likely',
  possible: 'possible, check the images',
  unlikely: 'unlikely',
};
/** A Modality value shaped as a code string (PS3.5 CS); anything else is counted, not shown. */
const CODE = /^[A-Z0-9_ ]{1,16}$/;
const STATUS_WORDS = { 'not-dicom': 'not DICOM', error: 'could not be read', skipped: 'skipped' } as const;
/** Lines of a list before "… and N more": the summary is meant to fit one screen. */
const MAX_LISTED = 8;

const increment = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const note = (list: { shown: string[]; total: number }, line: () => string) => {
  if (list.total++ < MAX_LISTED) list.shown.push(line());
};
const byCount = <K>(map: Map<K, number>) => [...map].sort((a, b) => b[1] - a[1]);

/**
 * The one-screen end of `scan`: what was read, how many files may show text in their pixels, which SOP
 * classes and modalities, how many files hold each category of identifying attribute, and which files
 * could not be read (named as inputLabel says, so a piped summary holds no file names). Counts, names from
 * the standard and vendor names only: no value from a file.
 */
export class ScanTally {
  private files = 0;
  private readonly statuses = new Map<FileOutcome['status'], number>();
  private readonly risks = new Map<BurnedInRisk, number>();
  private readonly sopClasses = new Map<string, number>();
  private readonly modalities = new Map<string, number>();
  private readonly categories = new Map<CategoryId, number>();
  // The first few of each list, and how many there are: a folder of 100,000 files is never held whole.
  private readonly problems = { shown: [] as string[], total: 0 };
  private readonly atRisk = { shown: [] as string[], total: 0 };

  constructor(
    private readonly roots: readonly string[],
    private readonly interactive: boolean,
  ) {}

  add(outcome: FileOutcome<ScanFacts>): void {
    const no = ++this.files;
    increment(this.statuses, outcome.status);
    const label = () => inputLabel(outcome.path, no, this.roots, this.interactive);
    if (outcome.status !== 'ok') {
      // Reasons name tags, offsets and sizes; a system error's may hold a path, so only on screen.
      const why = this.interactive ? ` (${outcome.reason})` : '';
      note(this.problems, () => `${label()}: ${STATUS_WORDS[outcome.status]}${why}`);
      return;
    }
    const { scan } = outcome;
    increment(this.risks, scan.burnedIn.risk);
    if (scan.burnedIn.risk === 'yes') note(this.atRisk, label);
    // Names from the standard only: the value of a damaged or unusual file could be anything.
    const sopClass = scan.sopClassUID ? (sopClassName(scan.sopClassUID) ?? 'not in PS3.6') : 'none';
    increment(this.sopClasses, sopClass);
    increment(
      this.modalities,
      scan.modality === undefined ? 'none' : CODE.test(scan.modality) ? scan.modality : 'invalid',
    );
    for (const { id } of CATEGORIES) if (scan.counts[id] > 0) increment(this.categories, id);
  }

  lines(): string[] {
    const status = (s: FileOutcome['status']) => this.statuses.get(s) ?? 0;
    const read = status('ok');
    const lines = [
      `${plural(this.files, 'file')}: ${read} read, ${status('not-dicom')} not DICOM, ${status('error')} could not be read` +
        (status('skipped') > 0 ? `, ${status('skipped')} skipped` : ''),
    ];
    if (read > 0) {
      const risks = (['yes', 'possible', 'unlikely'] as const)
        .filter((r) => this.risks.has(r))
        .map((r) => `${this.risks.get(r)} ${RISK_WORDS[r]}`);
      lines.push(`Burned-in text in the pixels: ${risks.join('; ')}`);
      lines.push(...this.listed(this.atRisk, 'with burned-in text declared or very likely'));
      const list = (map: Map<string, number>) => {
        const sorted = byCount(map);
        const shown = sorted.slice(0, MAX_LISTED).map(([name, n]) => `${n} ${name}`);
        const rest = sorted.slice(MAX_LISTED).reduce((sum, [, n]) => sum + n, 0);
        return [...shown, ...(rest ? [`${rest} in ${sorted.length - MAX_LISTED} others`] : [])].join(', ');
      };
      lines.push(`SOP classes: ${list(this.sopClasses)}`);
      lines.push(`Modalities: ${list(this.modalities)}`);
      lines.push('Files holding identifying attributes, by category:');
      const width = Math.max(...CATEGORIES.map((c) => c.label.length));
      for (const { id, label } of CATEGORIES) {
        const n = this.categories.get(id);
        if (n) lines.push(`  ${label.padEnd(width)}  ${plural(n, 'file')}`);
      }
    }
    lines.push(...this.listed(this.problems, 'not scanned'));
    return lines;
  }

  private listed(list: { shown: readonly string[]; total: number }, what: string): string[] {
    if (list.total === 0) return [];
    const more = list.total > MAX_LISTED ? [`  … and ${list.total - MAX_LISTED} more`] : [];
    return [`Files ${what}:`, ...list.shown.map((line) => `  ${line}`), ...more];
  }
}
