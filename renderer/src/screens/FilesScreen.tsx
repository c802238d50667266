import type { FileRow } from '../../../shared/ipc/contract.js';
import { FileList } from '../components/FileList.js';
import { Inspector } from '../components/Inspector.js';
import { useFileDrop } from '../drop.js';
import type { FilesSnapshot } from '../files-store.js';
import { plural } from '../format.js';
import type { InputActions } from './StartScreen.js';

/**
 * What matters about the list in one line: files at risk of image text, unreadable, not DICOM. Not "with
 * identifying data", which is every DICOM file.
 */
export function filesHeadline(rows: ReadonlyArray<FileRow>): string {
  const count = (test: (row: FileRow) => boolean) => rows.filter(test).length;
  const parts = [
    [count((row) => row.burnedIn !== 'none'), 'at risk of image text'],
    [count((row) => row.status === 'unreadable'), 'cannot be read'],
    [count((row) => row.status === 'not-dicom'), 'not DICOM'],
  ] as const;
  const details = parts.filter(([n]) => n > 0).map(([n, what]) => `${n.toLocaleString('en')} ${what}`);
  return `${plural(rows.length, 'file')}${details.length > 0 ? `: ${details.join(', ')}` : ''}`;
}

export function FilesScreen({
  files,
  selectedId,
  onSelect,
  actions,
  onClear,
  profileVersion,
}: {
  files: FilesSnapshot;
  selectedId: number | null;
  onSelect: (id: number) => void;
  actions: InputActions;
  onClear: () => void;
  profileVersion: number;
}) {
  const drop = useFileDrop(actions.addPaths);
  const { scan, rows } = files;
  const headline = filesHeadline(rows);
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
          <span className="scan-status" role="status" aria-live="polite">
            {scan.scanning
              ? `Reading ${scan.scanned.toLocaleString('en')} of ${scan.found.toLocaleString('en')} files…`
              : headline}
          </span>
        </div>
        <FileList rows={rows} selectedId={selectedId} onSelect={onSelect} />
      </section>
      <section className="inspector-pane" aria-label="Selected file">
        {selectedId === null ? (
          <p className="placeholder">
            Select a file to see what identifies the patient and what will be done with it.
          </p>
        ) : (
          <Inspector fileId={selectedId} profileVersion={profileVersion} />
        )}
      </section>
    </div>
  );
}
