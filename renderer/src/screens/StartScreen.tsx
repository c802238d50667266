import { useFileDrop } from '../drop.js';

export interface InputActions {
  addPaths(paths: string[]): void;
  pick(kind: 'files' | 'folder'): void;
  samples(): void;
}

/** The first screen: one obvious place to put the images. */
export function StartScreen({ actions }: { actions: InputActions }) {
  const drop = useFileDrop(actions.addPaths);
  return (
    <section className="start" aria-labelledby="start-title">
      <div className={`drop-zone${drop.over ? ' over' : ''}`} data-testid="drop-zone" {...drop.handlers}>
        <h1 id="start-title">Remove patient identity from DICOM images</h1>
        <p className="lead">Drop DICOM files or folders here.</p>
        <p>
          Nothing leaves this computer. The originals are never changed: de-identified copies go to a folder
          you choose.
        </p>
        <div className="start-buttons">
          <button type="button" className="primary" onClick={() => actions.pick('files')}>
            Open files…
          </button>
          <button type="button" className="primary" onClick={() => actions.pick('folder')}>
            Open folder…
          </button>
          <button type="button" onClick={() => actions.samples()}>
            Try sample data
          </button>
        </div>
      </div>
    </section>
  );
}
