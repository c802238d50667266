/** The file list's filter chips: what each matches, and how many rows it would show. */
import type { FileRow } from '../../shared/ipc/contract.js';

export interface Chip {
  readonly key: string;
  readonly label: string;
  readonly matches: (row: FileRow) => boolean;
}

const FIXED: readonly Chip[] = [
  { key: 'image-text', label: 'Image text', matches: (row) => row.burnedIn !== 'none' },
  // What the detector read, in files the inspector or "Check image text now" checked.
  { key: 'text-found', label: 'Image text found', matches: (row) => row.pixels?.textFound === true },
  // Held by a run, or held when run as things stand (the pixel check's outcome).
  {
    key: 'held',
    label: 'Held for review',
    matches: (row) => row.status === 'held' || row.pixels?.status === 'held',
  },
  { key: 'reviewed', label: 'Reviewed', matches: (row) => row.pixels?.reviewed === true },
  { key: 'unreadable', label: 'Cannot be read', matches: (row) => row.status === 'unreadable' },
  { key: 'not-dicom', label: 'Not DICOM', matches: (row) => row.status === 'not-dicom' },
  { key: 'failed', label: 'Failed', matches: (row) => row.status === 'failed' },
];

/**
 * Rows that repeat an instance already in the list (same SOP Instance UID as a row with a lower number):
 * the run writes each instance once, so these are the extra copies.
 */
export function duplicateRows(rows: readonly FileRow[]): ReadonlySet<number> {
  const first = new Map<string, number>();
  for (const row of rows)
    if (row.instanceKey && (first.get(row.instanceKey) ?? Number.POSITIVE_INFINITY) > row.id)
      first.set(row.instanceKey, row.id);
  const extra = new Set<number>();
  for (const row of rows) if (row.instanceKey && first.get(row.instanceKey) !== row.id) extra.add(row.id);
  return extra;
}

/** The chips worth showing for these rows (those that match something), then one per modality. */
export function chipsFor(rows: readonly FileRow[]): Array<Chip & { readonly count: number }> {
  const duplicates = duplicateRows(rows);
  const duplicateChip: Chip = {
    key: 'duplicates',
    label: 'Duplicates',
    matches: (row) => duplicates.has(row.id),
  };
  const modalities = [...new Set(rows.map((row) => row.modality).filter(Boolean))].sort();
  const byModality = modalities.map((modality) => ({
    key: `modality:${modality}`,
    label: modality,
    matches: (row: FileRow) => row.modality === modality,
  }));
  return [...FIXED, duplicateChip, ...byModality]
    .map((chip) => ({ ...chip, count: rows.filter(chip.matches).length }))
    .filter((chip) => chip.count > 0);
}

/**
 * Rows any active chip matches; every row when none is active. A chip whose files all left the list no
 * longer counts as active, so removing what a filter shows never leaves an empty list behind.
 */
export function filterRows(rows: readonly FileRow[], active: ReadonlySet<string>): readonly FileRow[] {
  const chips = chipsFor(rows).filter((chip) => active.has(chip.key));
  return chips.length === 0 ? rows : rows.filter((row) => chips.some((chip) => chip.matches(row)));
}
