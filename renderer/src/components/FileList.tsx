import { type KeyboardEvent, useMemo } from 'react';
import type { FileRow } from '../../../shared/ipc/contract.js';
import { formatDate, plural, STATUS_LABEL } from '../format.js';
import { VirtualList } from './VirtualList.js';

interface Group {
  /** `other`: files that are not DICOM or cannot be read; they have no patient. */
  readonly kind: 'patient' | 'other' | 'study' | 'series';
  readonly key: string;
  readonly label: string;
  /** Counted while the rows are grouped. */
  count: number;
}
type Entry = Group | { readonly kind: 'file'; readonly key: string; readonly row: FileRow };

const ROW_HEIGHT = 32;
const PAGE = 12;

// One collator for the whole sort: localeCompare with options builds one per call, slow at 10,000 rows.
const compare = new Intl.Collator('en', { numeric: true }).compare;

/** Patient → study → series → files, each level sorted, flattened into the rows the list draws. */
function groupRows(rows: ReadonlyArray<FileRow>): Entry[] {
  // Files that are not DICOM carry no patient: they go last, not among the patients' names.
  const other = (row: FileRow) => (isOther(row) ? 1 : 0);
  const sorted = [...rows].sort(
    (a, b) =>
      other(a) - other(b) ||
      compare(a.patient, b.patient) ||
      compare(a.date, b.date) ||
      compare(a.studyKey, b.studyKey) ||
      compare(a.series, b.series) ||
      compare(a.seriesKey, b.seriesKey) ||
      compare(a.name, b.name),
  );
  const entries: Entry[] = [];
  let patient: Group | undefined;
  let study: Group | undefined;
  let series: Group | undefined;
  for (const row of sorted) {
    if (!patient || patient.label !== row.patient) {
      const kind = isOther(row) ? 'other' : 'patient';
      patient = { kind, key: `p:${row.patient}`, label: row.patient, count: 0 };
      study = undefined;
      entries.push(patient);
    }
    if (!study || study.key !== `s:${row.patient}:${row.studyKey}`) {
      const date = row.date ? `${formatDate(row.date)} · ` : '';
      study = {
        kind: 'study',
        key: `s:${row.patient}:${row.studyKey}`,
        label: `${date}${row.study}`,
        count: 0,
      };
      series = undefined;
      // Rows without a study or series (files that are not DICOM) are listed under their patient line only.
      if (row.study) entries.push(study);
    }
    if (!series || series.key !== `r:${study.key}:${row.seriesKey}`) {
      series = { kind: 'series', key: `r:${study.key}:${row.seriesKey}`, label: row.series, count: 0 };
      if (row.series) entries.push(series);
    }
    patient.count++;
    study.count++;
    series.count++;
    entries.push({ kind: 'file', key: `f:${row.id}`, row });
  }
  return entries;
}

const isOther = (row: FileRow) => row.phiCount === null && row.status !== 'waiting';

const GROUP_NAME = { patient: 'Patient', other: '', study: 'Study', series: 'Series' } as const;

function FileLine({ row, selected, onSelect }: { row: FileRow; selected: boolean; onSelect: () => void }) {
  const status = STATUS_LABEL[row.status];
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox takes the keys for all its options (aria-activedescendant)
    <div
      id={`file-${row.id}`}
      role="option"
      tabIndex={-1}
      aria-selected={selected}
      className={`file-line status-${row.status}${selected ? ' selected' : ''}`}
      onClick={onSelect}
    >
      <span className="file-name" title={row.name}>
        {row.name}
      </span>
      <span className="file-modality">{row.modality}</span>
      <span className="file-date">{formatDate(row.date)}</span>
      <span className="file-phi">
        {row.phiCount === null ? null : (
          <span
            className={`badge${row.phiCount > 0 ? ' badge-phi' : ''}`}
            title={`${plural(row.phiCount, 'identifying attribute')} found`}
          >
            {row.phiCount}
          </span>
        )}
        {row.burnedIn !== 'none' ? (
          <span className="badge badge-warn" title="Text may be burned into the image">
            image text
          </span>
        ) : null}
      </span>
      <span className="file-status" title={row.reason ? `${status}: ${row.reason}` : status}>
        {status}
        {row.reason ? <span className="file-reason"> — {row.reason}</span> : null}
      </span>
    </div>
  );
}

/** Every file on its own line, by name: for looking through a filtered list without the grouping. */
function flatRows(rows: ReadonlyArray<FileRow>): Entry[] {
  return [...rows]
    .sort((a, b) => compare(a.name, b.name) || a.id - b.id)
    .map((row) => ({ kind: 'file', key: `f:${row.id}`, row }));
}

export function FileList({
  rows,
  selectedId,
  onSelect,
  flat,
}: {
  rows: ReadonlyArray<FileRow>;
  selectedId: number | null;
  onSelect: (id: number) => void;
  flat: boolean;
}) {
  const entries = useMemo(() => (flat ? flatRows(rows) : groupRows(rows)), [rows, flat]);
  const fileIndexes = useMemo(
    () => entries.flatMap((entry, index) => (entry.kind === 'file' ? [index] : [])),
    [entries],
  );
  const activeIndex = entries.findIndex((entry) => entry.kind === 'file' && entry.row.id === selectedId);

  const moveTo = (position: number) => {
    const index = fileIndexes[Math.max(0, Math.min(fileIndexes.length - 1, position))];
    const entry = index === undefined ? undefined : entries[index];
    if (entry?.kind === 'file') onSelect(entry.row.id);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const current = fileIndexes.indexOf(activeIndex);
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current < 0 ? 0 : current - 1,
      PageDown: current + PAGE,
      PageUp: current - PAGE,
      Home: 0,
      End: fileIndexes.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    moveTo(target);
  };

  return (
    <div className="file-list">
      <div className="file-list-head" aria-hidden="true">
        <span className="file-name">File</span>
        <span className="file-modality">Type</span>
        <span className="file-date">Date</span>
        <span className="file-phi">Identifying</span>
        <span className="file-status">Status</span>
      </div>
      <VirtualList
        className="file-list-body"
        role="listbox"
        aria-label={flat ? 'Files, by name' : 'Files, grouped by patient, study and series'}
        tabIndex={0}
        aria-activedescendant={selectedId === null ? undefined : `file-${selectedId}`}
        onKeyDown={onKeyDown}
        items={entries}
        rowHeight={ROW_HEIGHT}
        keepVisible={activeIndex}
        rowKey={(entry) => entry.key}
        renderRow={(entry) =>
          entry.kind === 'file' ? (
            <FileLine
              row={entry.row}
              selected={entry.row.id === selectedId}
              onSelect={() => onSelect(entry.row.id)}
            />
          ) : (
            <div
              className={`group-line group-${entry.kind === 'other' ? 'patient group-other' : entry.kind}`}
              role="presentation"
            >
              {GROUP_NAME[entry.kind] ? <span className="group-kind">{GROUP_NAME[entry.kind]}</span> : null}{' '}
              {entry.label}
              <span className="group-count">{plural(entry.count, 'file')}</span>
            </div>
          )
        }
      />
    </div>
  );
}
