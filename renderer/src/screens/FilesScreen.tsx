import { useMemo, useState } from 'react';
import type { FileRow } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import { FileList } from '../components/FileList.js';
import { Inspector } from '../components/Inspector.js';
import { useFileDrop } from '../drop.js';
import { type Chip, chipsFor, filterRows } from '../file-filters.js';
import { type FilesSnapshot, leaveOut, useLeftOut } from '../files-store.js';
import { plural } from '../format.js';
import type { InputActions } from './StartScreen.js';

/**
 * What matters about the list in one line: files at risk of image text, unreadable, not DICOM, duplicates.
 * Not "with identifying data", which is every DICOM file. Counted by the filter chips of the same name, so
 * the line and the chips always agree.
 */
export function filesHeadline(
  total: number,
  chips: ReadonlyArray<Chip & { readonly count: number }>,
): string {
  const count = (key: string) => chips.find((chip) => chip.key === key)?.count ?? 0;
  const duplicates = count('duplicates');
  const parts = [
    [count('image-text'), 'at risk of image text'],
    [count('unreadable'), 'cannot be read'],
    [count('not-dicom'), 'not DICOM'],
    [duplicates, duplicates === 1 ? 'duplicate' : 'duplicates'],
  ] as const;
  const details = parts.filter(([n]) => n > 0).map(([n, what]) => `${n.toLocaleString('en')} ${what}`);
  return `${plural(total, 'file')}${details.length > 0 ? `: ${details.join(', ')}` : ''}`;
}

/** How many files the run will take, and checking or unchecking all those shown at once. */
function RunChoice({
  rows,
  shown,
  leftOut,
}: {
  rows: ReadonlyArray<FileRow>;
  shown: ReadonlyArray<FileRow>;
  leftOut: ReadonlySet<number>;
}) {
  if (rows.length === 0) return null;
  const filtered = shown.length < rows.length;
  const ids = shown.map((row) => row.id);
  return (
    <p className="hint run-choice">
      <span data-testid="run-choice">
        {leftOut.size === 0
          ? `All ${plural(rows.length, 'file')} checked for the run.`
          : `${(rows.length - leftOut.size).toLocaleString('en')} of ${plural(rows.length, 'file')} checked for the run.`}
      </span>{' '}
      <button type="button" className="link" onClick={() => leaveOut(ids, false)}>
        {filtered ? 'Check those shown' : 'Check all'}
      </button>{' '}
      ·{' '}
      <button type="button" className="link" onClick={() => leaveOut(ids, true)}>
        {filtered ? 'Uncheck those shown' : 'Uncheck all'}
      </button>
    </p>
  );
}

export function FilesScreen({
  files,
  selectedId,
  onSelect,
  actions,
  onClear,
  profileVersion,
  onError,
  initialFilter = null,
}: {
  files: FilesSnapshot;
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  actions: InputActions;
  onClear: () => void;
  profileVersion: number;
  onError: (message: string) => void;
  /** A filter chip active when the list opens (the run screen's "Review held files"). */
  initialFilter?: string | null;
}) {
  const drop = useFileDrop(actions.addPaths);
  const leftOut = useLeftOut();
  const { scan, rows } = files;
  const [active, setActive] = useState<ReadonlySet<string>>(
    () => new Set(initialFilter ? [initialFilter] : []),
  );
  const [flat, setFlat] = useState(false);
  const chips = useMemo(() => chipsFor(rows), [rows]);
  const headline = useMemo(() => filesHeadline(rows.length, chips), [rows.length, chips]);
  const shown = useMemo(() => filterRows(rows, active), [rows, active]);
  const remove = (ids: number[]) => {
    deid.removeInputs({ ids }).then(
      () => {
        if (selectedId !== null && ids.includes(selectedId)) onSelect(null);
      },
      (failure: unknown) => onError(messageOf(failure)),
    );
  };
  const toggle = (key: string) => {
    const next = new Set(active);
    if (!next.delete(key)) next.add(key);
    setActive(next);
  };
  return (
    <div className="files-screen">
      <section className={`files-pane${drop.over ? ' over' : ''}`} aria-label="Files" {...drop.handlers}>
        <div className="toolbar">
          <button type="button" onClick={() => actions.pick('files')}>
            Add files…
          </button>
          <button type="button" onClick={() => actions.pick('folder')}>
            Add folder…
          </button>
          <button type="button" onClick={onClear} disabled={scan.scanning}>
            Clear list
          </button>
          <span className="scan-status" role="status" aria-live="polite" title={headline}>
            {scan.scanning
              ? `Reading ${scan.scanned.toLocaleString('en')} of ${scan.found.toLocaleString('en')} files…`
              : headline}
          </span>
        </div>
        <div className="filter-bar">
          <span className="filter-label" aria-hidden="true">
            Show
          </span>
          <fieldset className="chips">
            <legend className="visually-hidden">Show only files that are</legend>
            {chips.map((chip) => (
              <button
                key={chip.key}
                type="button"
                className="chip"
                aria-pressed={active.has(chip.key)}
                onClick={() => toggle(chip.key)}
              >
                {chip.label} ({chip.count.toLocaleString('en')})
              </button>
            ))}
          </fieldset>
          <label className="check flat-toggle">
            <input type="checkbox" checked={flat} onChange={(event) => setFlat(event.target.checked)} />
            Flat list
          </label>
        </div>
        {shown.length < rows.length ? (
          <p className="hint filter-note">
            Showing {shown.length.toLocaleString('en')} of {plural(rows.length, 'file')}.{' '}
            <button type="button" className="link" onClick={() => setActive(new Set())}>
              Show all
            </button>{' '}
            ·{' '}
            <button type="button" className="link" onClick={() => remove(shown.map((row) => row.id))}>
              {shown.length === 1 ? 'Remove this file' : `Remove these ${plural(shown.length, 'file')}`} from
              the list
            </button>
          </p>
        ) : null}
        <RunChoice rows={rows} shown={shown} leftOut={leftOut} />
        <FileList
          rows={shown}
          selectedId={selectedId}
          onSelect={onSelect}
          flat={flat}
          leftOut={leftOut}
          onLeaveOut={leaveOut}
        />
      </section>
      <section className="inspector-pane" aria-label="Selected file">
        {selectedId === null ? (
          <p className="placeholder">
            Select a file to see what identifies the patient and what will be done with it.
          </p>
        ) : (
          <>
            <button
              type="button"
              className="link remove-file"
              onClick={() => remove([selectedId])}
              disabled={scan.scanning}
            >
              Remove this file from the list
            </button>
            <Inspector fileId={selectedId} profileVersion={profileVersion} />
          </>
        )}
      </section>
    </div>
  );
}
