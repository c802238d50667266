import { type KeyboardEvent, type MouseEvent, useMemo, useState } from 'react';
import type { FileRow } from '../../../shared/ipc/contract.js';
import { formatDate, plural, STATUS_LABEL } from '../format.js';
import { VirtualList } from './VirtualList.js';

interface Group {
  /** `other`: files that are not DICOM or cannot be read; they have no patient. */
  readonly kind: 'patient' | 'other' | 'study' | 'series';
  readonly key: string;
  /** Unique among the rows, for the row's element id (keys hold names, which ids cannot). */
  readonly number: number;
  readonly label: string;
  readonly level: number;
  /** The files under it, for its count and its checkbox. */
  readonly ids: number[];
}
interface FileEntry {
  readonly kind: 'file';
  readonly key: string;
  readonly row: FileRow;
  readonly level: number;
}
type Entry = Group | FileEntry;

const ROW_HEIGHT = 32;
const PAGE = 12;

// One collator for the whole sort: localeCompare with options builds one per call, slow at 10,000 rows.
const compare = new Intl.Collator('en', { numeric: true }).compare;

/** Patient → study → series → files, each level sorted, flattened in tree order with each row's depth. */
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
  const group = (kind: Group['kind'], key: string, label: string, level: number): Group => ({
    kind,
    key,
    number: entries.length,
    label,
    level,
    ids: [],
  });
  for (const row of sorted) {
    // Files still being read wear the same label as those that cannot be: the key keeps the two apart.
    const kind = isOther(row) ? 'other' : 'patient';
    const patientKey = `${kind === 'other' ? 'o' : 'p'}:${row.patient}`;
    if (!patient || patient.key !== patientKey) {
      patient = group(kind, patientKey, row.patient, 1);
      study = undefined;
      entries.push(patient);
    }
    const studyKey = `s:${row.patient}:${row.studyKey}`;
    // Rows without a study or series (files that are not DICOM) are listed under their patient line only.
    if (!study || study.key !== studyKey) {
      const date = row.date ? `${formatDate(row.date)} · ` : '';
      study = row.study ? group('study', studyKey, `${date}${row.study}`, 2) : undefined;
      series = undefined;
      if (study) entries.push(study);
    }
    const seriesKey = `r:${studyKey}:${row.seriesKey}`;
    if (!series || series.key !== seriesKey) {
      series = row.series ? group('series', seriesKey, row.series, (study?.level ?? 1) + 1) : undefined;
      if (series) entries.push(series);
    }
    const parents = [patient, study, series].filter((parent) => parent !== undefined);
    for (const parent of parents) parent.ids.push(row.id);
    entries.push({ kind: 'file', key: `f:${row.id}`, row, level: parents.length + 1 });
  }
  return entries;
}

/** Every file on its own line, by name: for looking through a filtered list without the grouping. */
function flatRows(rows: ReadonlyArray<FileRow>): Entry[] {
  return [...rows]
    .sort((a, b) => compare(a.name, b.name) || a.id - b.id)
    .map((row) => ({ kind: 'file', key: `f:${row.id}`, row, level: 1 }));
}

/** The rows shown: those under a collapsed group are left out. Entries are in tree order. */
function visibleRows(entries: readonly Entry[], collapsed: ReadonlySet<string>): Entry[] {
  if (collapsed.size === 0) return entries as Entry[];
  const shown: Entry[] = [];
  let hiddenBelow = Number.POSITIVE_INFINITY;
  for (const entry of entries) {
    if (entry.level > hiddenBelow) continue;
    hiddenBelow = entry.kind !== 'file' && collapsed.has(entry.key) ? entry.level : Number.POSITIVE_INFINITY;
    shown.push(entry);
  }
  return shown;
}

const isOther = (row: FileRow) => row.phiCount === null && row.status !== 'waiting';

const GROUP_NAME = { patient: 'Patient', other: '', study: 'Study', series: 'Series' } as const;

type Checked = boolean | 'mixed';

const checkedOf = (ids: readonly number[], leftOut: ReadonlySet<number>): Checked => {
  const out = ids.reduce((count, id) => count + (leftOut.has(id) ? 1 : 0), 0);
  return out === 0 ? true : out === ids.length ? false : 'mixed';
};

const rowId = (entry: Entry) => (entry.kind === 'file' ? `file-${entry.row.id}` : `group-${entry.number}`);

/**
 * The box that shows whether the file (or every file of the group) goes into the run. Its state is the
 * row's aria-checked; a click on it toggles it, as Space does for the focused row.
 */
function CheckBox({ checked, onToggle }: { checked: Checked; onToggle: () => void }) {
  const click = (event: MouseEvent) => {
    event.stopPropagation();
    onToggle();
  };
  return (
    <span
      aria-hidden="true"
      className={`tree-check${checked === 'mixed' ? ' mixed' : checked ? ' on' : ''}`}
      onClick={click}
    />
  );
}

function FileCells({ row }: { row: FileRow }) {
  const status = STATUS_LABEL[row.status];
  return (
    <>
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
    </>
  );
}

/**
 * The input files as a tree (WAI-ARIA tree pattern, focus by aria-activedescendant): patient → study → series → file (or files alone, by name), each row
 * with a box that says whether it goes into the run. Arrows move the focus, Right and Left open and close
 * groups, Space checks, Enter shows the focused file in the inspector.
 */
export function FileList({
  rows,
  selectedId,
  onSelect,
  flat,
  leftOut,
  onLeaveOut,
}: {
  rows: ReadonlyArray<FileRow>;
  selectedId: number | null;
  onSelect: (id: number) => void;
  flat: boolean;
  /** The files unchecked: left out of the run. */
  leftOut: ReadonlySet<number>;
  onLeaveOut: (ids: readonly number[], out: boolean) => void;
}) {
  const entries = useMemo(() => (flat ? flatRows(rows) : groupRows(rows)), [rows, flat]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const shown = useMemo(() => visibleRows(entries, collapsed), [entries, collapsed]);
  // Focus is kept by key, so it stays on its row while rows arrive and the grouping grows around it.
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const focusIndex = (() => {
    const byFocus = focusKey === null ? -1 : shown.findIndex((entry) => entry.key === focusKey);
    return byFocus >= 0 ? byFocus : shown.findIndex((entry) => entry.key === `f:${selectedId}`);
  })();
  const focused = shown[focusIndex];

  const setOpen = (key: string, open: boolean) => {
    const next = new Set(collapsed);
    if (open) next.delete(key);
    else next.add(key);
    setCollapsed(next);
  };
  const idsOf = (entry: Entry) => (entry.kind === 'file' ? [entry.row.id] : entry.ids);
  const toggle = (entry: Entry) => {
    const ids = idsOf(entry);
    onLeaveOut(ids, checkedOf(ids, leftOut) === true);
  };
  const activate = (entry: Entry) => {
    setFocusKey(entry.key);
    if (entry.kind === 'file') onSelect(entry.row.id);
  };
  const moveTo = (index: number) => {
    const entry = shown[Math.max(0, Math.min(shown.length - 1, index))];
    if (entry) setFocusKey(entry.key);
  };
  const parentIndex = (index: number) => {
    const level = shown[index]?.level ?? 1;
    for (let i = index - 1; i >= 0; i--) if ((shown[i]?.level ?? 0) < level) return i;
    return index;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const at = focusIndex;
    const open = focused && focused.kind !== 'file' ? !collapsed.has(focused.key) : undefined;
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(at + 1),
      ArrowUp: () => moveTo(at < 0 ? 0 : at - 1),
      PageDown: () => moveTo(at + PAGE),
      PageUp: () => moveTo(at - PAGE),
      Home: () => moveTo(0),
      End: () => moveTo(shown.length - 1),
      ArrowRight: () => {
        if (open === false && focused) setOpen(focused.key, true);
        else if (open) moveTo(at + 1);
      },
      ArrowLeft: () => {
        if (open && focused) setOpen(focused.key, false);
        else moveTo(parentIndex(at));
      },
      ' ': () => focused && toggle(focused),
      Enter: () => {
        if (focused?.kind === 'file') onSelect(focused.row.id);
        else if (focused) setOpen(focused.key, open === false);
      },
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    if (at < 0 && event.key !== 'Home' && event.key !== 'End') moveTo(0);
    else action();
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
        role="tree"
        aria-label={flat ? 'Files, by name' : 'Files, grouped by patient, study and series'}
        tabIndex={0}
        aria-activedescendant={focused ? rowId(focused) : undefined}
        onKeyDown={onKeyDown}
        items={shown}
        rowHeight={ROW_HEIGHT}
        keepVisible={focusIndex}
        rowKey={(entry) => entry.key}
        renderRow={(entry, index) => {
          const isFocused = index === focusIndex;
          // A file's box sits under its series' box, past the space groups give their open/close arrow.
          const indent = {
            paddingLeft: 12 + (entry.level - 1) * 12 + (entry.kind === 'file' && entry.level > 1 ? 24 : 0),
          };
          const checked = checkedOf(idsOf(entry), leftOut);
          const focusClass = isFocused ? ' focused' : '';
          // What every row is to the tree: its place, its box's state, and a click that focuses it.
          const item = {
            id: rowId(entry),
            'aria-level': entry.level,
            'aria-checked': checked,
            style: indent,
            onClick: (event: MouseEvent<HTMLElement>) => {
              activate(entry);
              // The tree keeps the focus, not the row: a row scrolled out of view is removed from the page.
              event.currentTarget.closest<HTMLElement>('[role=tree]')?.focus();
            },
          } as const;
          const box = <CheckBox checked={checked} onToggle={() => toggle(entry)} />;
          if (entry.kind === 'file') {
            const selected = entry.row.id === selectedId;
            return (
              <div
                {...item}
                role="treeitem"
                tabIndex={-1}
                aria-selected={selected}
                className={`file-line status-${entry.row.status}${selected ? ' selected' : ''}${focusClass}`}
              >
                <span className="file-name" title={entry.row.name}>
                  {box}
                  {entry.row.name}
                </span>
                <FileCells row={entry.row} />
              </div>
            );
          }
          const open = !collapsed.has(entry.key);
          const name = GROUP_NAME[entry.kind];
          return (
            <div
              {...item}
              role="treeitem"
              tabIndex={-1}
              aria-expanded={open}
              className={`group-line group-${entry.kind === 'other' ? 'patient group-other' : entry.kind}${focusClass}`}
            >
              {/* Right and Left open and close the focused group; aria-expanded tells its state. */}
              <span
                aria-hidden="true"
                className={`tree-toggle${open ? ' open' : ''}`}
                onClick={(event) => {
                  event.stopPropagation();
                  setFocusKey(entry.key);
                  setOpen(entry.key, !open);
                }}
              />
              {box}
              {name ? <span className="group-kind">{name}</span> : null}
              <span className="group-label">{entry.label}</span>
              <span className="group-count">{plural(entry.ids.length, 'file')}</span>
            </div>
          );
        }}
      />
    </div>
  );
}
