import { FileList } from '../components/FileList.js';
import { Inspector } from '../components/Inspector.js';
import { useFileDrop } from '../drop.js';
import type { FilesSnapshot } from '../files-store.js';
import { plural } from '../format.js';
import type { InputActions } from './StartScreen.js';

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
  const withPhi = rows.filter((row) => (row.phiCount ?? 0) > 0).length;
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
              : `${plural(rows.length, 'file')}, ${withPhi.toLocaleString('en')} with identifying data`}
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
