import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ProjectState } from '../../shared/ipc/contract.js';
import { deid, hasApi, messageOf } from './api.js';
import { clearFiles, useFiles } from './files-store.js';
import { useRun } from './run-store.js';
import { FilesScreen } from './screens/FilesScreen.js';
import { PacsScreen } from './screens/PacsScreen.js';
import { ProjectScreen } from './screens/ProjectScreen.js';
import { RunScreen } from './screens/RunScreen.js';
import { type InputActions, StartScreen } from './screens/StartScreen.js';

// Loaded when first shown: it carries the PS3.6 keyword list and the profile table, most of the code.
const ProfileScreen = lazy(() =>
  import('./screens/ProfileScreen.js').then((m) => ({ default: m.ProfileScreen })),
);

type Screen = 'project' | 'files' | 'profile' | 'run' | 'pacs';
const SCREENS: ReadonlyArray<{ key: Screen; label: string }> = [
  { key: 'files', label: '1. Files' },
  { key: 'profile', label: '2. Profile' },
  { key: 'run', label: '3. Run' },
  { key: 'pacs', label: 'PACS' },
];

export function App() {
  const files = useFiles();
  const run = useRun();
  const [screen, setScreen] = useState<Screen>('files');
  // The filter the file list opens with when another screen sends the person there ("Review held files").
  const [filesFilter, setFilesFilter] = useState<string | null>(null);
  // Adding files answers late under load: by then the person may have moved on to another screen.
  const screenRef = useRef(screen);
  screenRef.current = screen;
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [profileVersion, setProfileVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // undefined while asking; null when there is no project yet.
  const [project, setProject] = useState<ProjectState | null | undefined>(undefined);

  // Asked again each time the project is shown: a run since then has added to its history.
  const refreshProject = useCallback(() => {
    deid.lastProject().then(setProject, (failure: unknown) => {
      setProject(null);
      setError(messageOf(failure));
    });
  }, []);
  useEffect(() => {
    if (hasApi) refreshProject();
  }, [refreshProject]);

  const onError = useCallback((message: string) => setError(message), []);
  const opened = useCallback((next: ProjectState) => {
    setError(null);
    setProject(next);
  }, []);
  const onProfileChanged = useCallback(() => setProfileVersion((version) => version + 1), []);

  const actions = useMemo<InputActions>(() => {
    const added = (call: Promise<{ accepted: number }>) => {
      setError(null);
      const from = screenRef.current;
      call.then(
        () => setScreen((now) => (now === from ? 'files' : now)),
        (failure: unknown) => setError(messageOf(failure)),
      );
    };
    return {
      addPaths: (paths) => added(deid.addPaths({ paths })),
      pick: (kind) => added(deid.pickInputs({ kind })),
      samples: () => added(deid.addSamples()),
    };
  }, []);

  const clear = () => {
    deid.clearInputs().then(() => {
      clearFiles();
      setSelectedId(null);
    }, onError);
  };

  if (!hasApi) {
    return (
      <main className="app">
        <p className="banner banner-error">This page is the dicom-deid app: start it with `npm start`.</p>
      </main>
    );
  }

  const empty = files.rows.length === 0 && !files.scan.scanning;
  return (
    <div className="app">
      <header className="app-header">
        <span className="app-name">dicom-deid</span>
        <nav aria-label="Steps">
          {SCREENS.map((item) => (
            <button
              key={item.key}
              type="button"
              className="nav-item"
              aria-current={screen === item.key ? 'page' : undefined}
              onClick={() => {
                setFilesFilter(null);
                setScreen(item.key);
              }}
            >
              {item.label}
              {item.key === 'run' && run.running ? ' (running)' : ''}
            </button>
          ))}
        </nav>
        <button
          type="button"
          className="nav-item project-button"
          aria-current={screen === 'project' ? 'page' : undefined}
          onClick={() => {
            refreshProject();
            setScreen('project');
          }}
        >
          {project ? `Project: ${project.name}` : 'Project'}
        </button>
      </header>
      {error ? (
        <div className="banner banner-error app-error" role="alert">
          <span>{error}</span>
          <button type="button" className="link" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      <main className="app-main">
        {screen === 'project' && project !== undefined ? (
          <ProjectScreen project={project} onOpened={opened} onError={onError} />
        ) : null}
        {screen === 'files' && empty ? <StartScreen actions={actions} /> : null}
        {screen === 'files' && !empty ? (
          <FilesScreen
            files={files}
            selectedId={selectedId}
            onSelect={setSelectedId}
            actions={actions}
            onClear={clear}
            profileVersion={profileVersion}
            onError={onError}
            initialFilter={filesFilter}
          />
        ) : null}
        {screen === 'profile' ? (
          <Suspense fallback={<div className="profile-screen" aria-busy="true" />}>
            <ProfileScreen onProfileChanged={onProfileChanged} onError={onError} />
          </Suspense>
        ) : null}
        {screen === 'run' ? (
          <RunScreen
            files={files}
            onError={onError}
            onGoToFiles={() => setScreen('files')}
            onReviewHeld={() => {
              setFilesFilter('held');
              setScreen('files');
            }}
          />
        ) : null}
        {screen === 'pacs' ? <PacsScreen onError={onError} onRetrieved={() => setScreen('files')} /> : null}
      </main>
    </div>
  );
}
