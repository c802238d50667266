import { sopClassLabel } from '../shared/dictionary/sop-classes.js';
import { CATEGORIES, type CategoryId } from '../shared/scan/categories.js';
import type { FileOutcome } from '../shared/scan/report.js';
import type { FileScanWithValues } from '../shared/scan/scan.js';

/** Values are cut short on screen; the app's inspector shows them whole. */
const MAX_SHOWN = 80;
/** Per category: a vendor's private groups can run to a thousand attributes. */
const MAX_ROWS = 50;

const STATUS_WORDS = { 'not-dicom': 'not DICOM', error: 'error', skipped: 'skipped' } as const;

/**
 * A value from a file is shown to the person at the terminal, but it may hold anything: control characters
 * (an escape sequence could rewrite the screen) and line breaks are replaced so each finding stays one line.
 */
export function shown(value: string): string {
  const flat = value.replace(/\r\n|[\r\n]/g, ' ⏎ ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return flat.length > MAX_SHOWN ? `${flat.slice(0, MAX_SHOWN - 1)}…` : flat;
}

const pad = (s: string, width: number) => (s.length >= width ? `${s} ` : s.padEnd(width));

/** One file's block in the `scan` table, ending with a blank line. */
export function tableBlock(outcome: FileOutcome<FileScanWithValues>): string {
  const lines = [outcome.path];
  if (outcome.status !== 'ok') {
    lines.push(`  ${STATUS_WORDS[outcome.status]}: ${outcome.reason}`, '');
    return lines.join('\n');
  }
  const { scan } = outcome;
  const what = [
    scan.dicomdir ? 'DICOMDIR' : 'ok',
    `${scan.transferSyntax.name} (${scan.transferSyntax.uid})`,
    scan.sopClassUID ? sopClassLabel(scan.sopClassUID) : 'no SOP class',
    scan.modality ?? 'no modality',
  ];
  lines.push(`  ${what.join(' · ')}`);
  lines.push(`  Burned-in text: ${scan.burnedIn.risk} · ${scan.burnedIn.reason}`);
  if (scan.privateCreators.length > 0) lines.push(`  Private blocks by: ${scan.privateCreators.join(', ')}`);

  const shownRows = new Map<CategoryId, number[]>();
  let empty = 0;
  scan.findings.forEach((f, i) => {
    if (!f.present) empty++;
    else if (shownRows.has(f.category)) shownRows.get(f.category)!.push(i);
    else shownRows.set(f.category, [i]);
  });
  const pathWidth = Math.min(40, Math.max(12, ...scan.findings.map((f) => f.path.length + 1)));
  for (const { id, label } of CATEGORIES) {
    const rows = shownRows.get(id);
    if (!rows) continue;
    lines.push(`  ${label} (${rows.length})`);
    for (const i of rows.slice(0, MAX_ROWS)) {
      const f = scan.findings[i]!;
      const name = f.privateCreator !== undefined ? `[${shown(f.privateCreator)}]` : f.keyword;
      lines.push(`    ${pad(f.path, pathWidth)}${pad(name, 34)}${shown(scan.values[i] ?? '')}`);
    }
    if (rows.length > MAX_ROWS) lines.push(`    … and ${rows.length - MAX_ROWS} more`);
  }
  if (empty > 0)
    lines.push(`  ${empty} more listed attribute${empty === 1 ? ' is' : 's are'} present but empty`);
  if (scan.warnings > 0) lines.push(`  ${scan.warnings} parser warning${scan.warnings === 1 ? '' : 's'}`);
  lines.push('');
  return lines.join('\n');
}
