import { type FormEvent, useState } from 'react';
import { KIND_WORDS } from '../../../shared/crosswalk-kinds.js';
import type { LookupAnswer, ProjectState } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import { DataTable } from '../components/DataTable.js';

type Run = ProjectState['runs'][number];

/** How a run ended, in words: an interrupted run's counts are unknown, so none are claimed. */
const runOutcome = (run: Run): string =>
  run.interrupted
    ? 'Interrupted: stopped without finishing (recovered by the next run)'
    : run.cancelled
      ? 'Cancelled'
      : 'Finished';

const when = (iso: string): string => new Date(iso).toLocaleString('en-GB');

/**
 * The project the app opened on: what it remembers, its runs, and the lookup an authorised person uses to
 * tell which original a pseudonym stands for. Lookup answers are PHI: they stay on this screen, and the
 * service records every lookup in the project's audit before answering.
 */
export function ProjectScreen({
  project,
  onOpened,
  onError,
}: {
  project: ProjectState | null;
  onOpened: (project: ProjectState) => void;
  onError: (message: string) => void;
}) {
  const choose = (call: Promise<ProjectState | null>) =>
    call.then(
      (opened) => {
        if (opened) onOpened(opened);
      },
      (error: unknown) => onError(messageOf(error)),
    );
  const chooser = (
    <ProjectChooser
      onCreate={(name) => choose(deid.createProject({ name }))}
      onOpen={() => choose(deid.openProject())}
    />
  );
  if (!project) {
    return (
      <div className="project-screen">
        <section className="panel" aria-labelledby="project-title">
          <h2 id="project-title">No project yet</h2>
          <p className="hint">
            A project remembers its profile, key, folders and runs, and keeps the private crosswalk from
            pseudonyms back to originals. The app opens on the last project used.
          </p>
        </section>
        {chooser}
      </div>
    );
  }
  return (
    <div className="project-screen">
      <section className="panel" aria-labelledby="project-title">
        <h2 id="project-title">Project {project.name}</h2>
        <dl className="key-facts" data-testid="project-facts">
          <dt>Folder</dt>
          <dd>{project.folder}</dd>
          <dt>Profile</dt>
          <dd>{project.profile}</dd>
          <dt>Input folders</dt>
          <dd>{project.inputs.length > 0 ? project.inputs.join(', ') : 'none yet'}</dd>
          <dt>Output folder</dt>
          <dd>{project.outDir || 'not chosen yet'}</dd>
          <dt>Key fingerprint</dt>
          <dd className="fingerprint" data-testid="project-fingerprint">
            {project.keyFingerprint ?? 'No key yet: one is made the first time it is needed.'}
          </dd>
        </dl>
      </section>
      <RunHistory runs={project.runs} />
      <LookupBox key={project.folder} folder={project.folder} />
      {chooser}
    </div>
  );
}

function ProjectChooser({ onCreate, onOpen }: { onCreate: (name: string) => void; onOpen: () => void }) {
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) onCreate(name.trim());
  };
  return (
    <section className="panel" aria-labelledby="chooser-title">
      <h2 id="chooser-title">Another project</h2>
      <p className="hint">
        A new project gets a key of its own and takes the current profile, input folders and output folder.
        Runs from now on are recorded in the project you open here.
      </p>
      <form className="lookup-form" onSubmit={submit}>
        <label htmlFor="project-name">New project name</label>
        <input
          id="project-name"
          type="text"
          autoComplete="off"
          maxLength={64}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" disabled={!name.trim()}>
          Create project
        </button>
        <button type="button" onClick={onOpen}>
          Open project folder…
        </button>
      </form>
    </section>
  );
}

function RunHistory({ runs }: { runs: readonly Run[] }) {
  return (
    <section className="panel" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      {runs.length === 0 ? (
        <p className="hint">No run yet.</p>
      ) : (
        <DataTable
          caption="Runs of this project, oldest first"
          rows={runs}
          rowKey={(run) => run.startedAt}
          rowClass={(run) => (run.interrupted ? 'run-interrupted' : undefined)}
          columns={[
            { header: 'Started', cell: (run) => when(run.startedAt) },
            { header: 'Outcome', cell: runOutcome },
            { header: 'Written', cell: (run) => (run.interrupted ? '—' : run.written) },
            { header: 'Skipped', cell: (run) => (run.interrupted ? '—' : run.skipped) },
            { header: 'Failed', cell: (run) => (run.interrupted ? '—' : run.failed) },
          ]}
        />
      )}
    </section>
  );
}

function LookupBox({ folder }: { folder: string }) {
  const [query, setQuery] = useState('');
  const [answers, setAnswers] = useState<readonly LookupAnswer[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = query.trim();
    if (!value) return;
    setFailure(null);
    deid.lookupInProject({ folder, query: value }).then(setAnswers, (error: unknown) => {
      setAnswers(null);
      setFailure(messageOf(error));
    });
  };

  return (
    <section className="panel" aria-labelledby="lookup-title">
      <h2 id="lookup-title">Look up a pseudonym</h2>
      <p className="hint">
        For an authorised person: which original a pseudonymous patient ID or UID stands for, or what an
        original became. Every lookup is recorded in the project's audit; answers are shown here only.
      </p>
      <form className="lookup-form" onSubmit={submit}>
        <label htmlFor="lookup-query">Pseudonym or original</label>
        <input
          id="lookup-query"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={256}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" className="primary" disabled={!query.trim()}>
          Look up
        </button>
      </form>
      {failure ? (
        <p className="banner banner-error" role="alert">
          {failure}
        </p>
      ) : null}
      <div role="status" data-testid="lookup-answers">
        {answers === null ? null : answers.length === 0 ? (
          <p>Not in this project's crosswalk.</p>
        ) : (
          <DataTable
            caption="Crosswalk rows found"
            rows={answers}
            rowKey={(answer) => `${answer.kind} ${answer.original}`}
            columns={[
              { header: 'Kind', cell: (answer) => KIND_WORDS[answer.kind] },
              { header: 'Original', cell: (answer) => answer.original, className: 'fingerprint' },
              { header: 'Pseudonym', cell: (answer) => answer.pseudonym, className: 'fingerprint' },
            ]}
          />
        )}
      </div>
    </section>
  );
}
