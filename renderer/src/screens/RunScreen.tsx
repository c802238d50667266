import { useEffect, useState } from 'react';
import type {
  OutputChoice,
  PixelCheckProgress,
  PixelPlan,
  ReportFormat,
  RunFailure,
  RunPlan,
  RunProgress,
  RunSummary,
} from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import { SendPanel } from '../components/SendPanel.js';
import { type FilesSnapshot, runSubset, useLeftOut } from '../files-store.js';
import { formatSeconds, plural, STATUS_LABEL } from '../format.js';
import { runCancelling, useRun } from '../run-store.js';

/** What the run will do beside what an earlier run left in the output folder. */
const EARLIER_RUN = {
  none: 'The de-identified copies would be mixed with what is there; an empty folder is safer.',
  same: 'An earlier run wrote there with this profile and key: the files it already wrote are skipped, the others are added.',
  other:
    'An earlier run wrote there with another profile or key: a run here would mix the two, so it cannot start. Choose an empty folder, or go back to that run’s profile and key.',
} as const;

function Progress({
  progress,
  onCancel,
  cancelling,
}: {
  progress: RunProgress;
  onCancel: () => void;
  cancelling: boolean;
}) {
  const rate =
    progress.filesPerSecond > 0
      ? `${progress.filesPerSecond.toFixed(progress.filesPerSecond < 10 ? 1 : 0)} files/s`
      : '';
  const eta = progress.etaSeconds === null ? '' : `about ${formatSeconds(progress.etaSeconds)} left`;
  return (
    <section className="panel" aria-labelledby="progress-title">
      <h2 id="progress-title">{cancelling ? 'Stopping…' : 'De-identifying…'}</h2>
      <progress max={progress.total || 1} value={progress.done} aria-labelledby="progress-text" />
      <p id="progress-text" className="progress-text" role="status" aria-live="polite">
        {progress.done.toLocaleString('en')} of {plural(progress.total, 'file')}
        {rate ? ` · ${rate}` : ''}
        {eta ? ` · ${eta}` : ''}
      </p>
      <p className="counts">
        {progress.written.toLocaleString('en')} written · {progress.skipped.toLocaleString('en')} skipped ·{' '}
        {progress.failed.toLocaleString('en')} failed
        {progress.held > 0 ? ` · ${progress.held.toLocaleString('en')} held for review` : ''}
      </p>
      <button type="button" className="danger" onClick={onCancel} disabled={cancelling}>
        Cancel
      </button>
    </section>
  );
}

/**
 * The leftover-identity line. A run that held or accepted files whose images may show identity is never
 * called clean: the header check says nothing about pixels.
 */
function verificationText({ verification, held, accepted }: RunSummary): string {
  if (verification === null) return 'Leftover-identity check was switched off.';
  const removed = verification.checked - verification.clean;
  if (removed > 0)
    return `Leftover-identity check: ${removed} of ${plural(verification.checked, 'file')} still held identifying data and were removed from the output.`;
  if (held === 0 && accepted === 0)
    return `Leftover-identity check: all ${plural(verification.checked, 'written file')} are clean.`;
  const parts = [`${plural(verification.checked, 'written file')} passed the header check`];
  if (held > 0) parts.push(`${plural(held, 'file')} held for review (images may show identity)`);
  if (accepted > 0) parts.push(`${plural(accepted, 'file')} written with images at risk, as accepted`);
  return `Leftover-identity check: ${parts.join('; ')}.`;
}

/** What the run will do, in plain words, before it starts: profile, options, key, outcomes, output folder. */
function Plan({
  plan,
  subset,
  onReviewHeld,
  onError,
}: {
  plan: RunPlan;
  /** The files checked for the run, when not all are. */
  subset: number[] | undefined;
  onReviewHeld: () => void;
  onError: (message: string) => void;
}) {
  const { files, output } = plan;
  return (
    <section className="run-plan" aria-labelledby="plan-title" data-testid="run-plan">
      <h3 id="plan-title">Before you start</h3>
      <dl>
        <div>
          <dt>Profile</dt>
          <dd>{plan.profile}</dd>
        </div>
        <div>
          <dt>Options</dt>
          <dd>
            {plan.options.length === 0 ? (
              'None: the basic profile only.'
            ) : (
              <ul className="plan-options">
                {plan.options.map((option) => (
                  <li key={option.label} className={option.weakens ? 'weakens' : undefined}>
                    {option.label}
                    {option.weakens ? <strong className="badge badge-warn">weakens privacy</strong> : null}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd>
            {plan.fingerprint ? (
              <>
                fingerprint <code data-testid="plan-fingerprint">{plan.fingerprint}</code>
              </>
            ) : (
              'A new key will be made for this run.'
            )}
          </dd>
        </div>
        <div>
          <dt>Files</dt>
          <dd data-testid="plan-files">
            {plural(files.write, 'file')} will be written
            {files.held > 0
              ? `, ${files.held.toLocaleString('en')} held for review (text burned into the image, no boxes drawn and not accepted)`
              : ''}
            {files.notWritten > 0
              ? `, ${files.notWritten.toLocaleString('en')} not written (not DICOM or cannot be read)`
              : ''}
            .
          </dd>
        </div>
      </dl>
      {plan.pixels ? (
        <PixelPlanPanel pixels={plan.pixels} subset={subset} onReviewHeld={onReviewHeld} onError={onError} />
      ) : null}
      {output && output.entries > 0 ? (
        <p
          className={`banner ${output.earlierRun === 'other' ? 'banner-error' : 'banner-warn'}`}
          data-testid="plan-output-warning"
        >
          The output folder is not empty: it holds {plural(output.entries, 'item')}.{' '}
          {EARLIER_RUN[output.earlierRun]}
        </p>
      ) : null}
    </section>
  );
}

/**
 * What the text detector said of the files whose images are at risk, before the run: how many will be
 * cleaned, held and why, and how many it has not read yet, with the actions to read them now (in the
 * reading worker, with progress and cancel) and to review the held ones.
 */
function PixelPlanPanel({
  pixels,
  subset,
  onReviewHeld,
  onError,
}: {
  pixels: PixelPlan;
  subset: number[] | undefined;
  onReviewHeld: () => void;
  onError: (message: string) => void;
}) {
  const [progress, setProgress] = useState<PixelCheckProgress | null>(null);
  useEffect(() => deid.on('pixels:progress', setProgress), []);
  const running = progress?.running === true;
  const checkAll = () => {
    setProgress({ done: 0, total: pixels.unchecked, running: true });
    deid.checkAllPixels({ ids: subset }).catch((error: unknown) => {
      setProgress(null);
      onError(messageOf(error));
    });
  };
  return (
    <section className="pixel-plan" aria-labelledby="pixel-plan-title" data-testid="plan-pixels">
      <h4 id="pixel-plan-title">Text burned into images</h4>
      <ul>
        {pixels.cleaned > 0 ? <li>{plural(pixels.cleaned, 'file')} will have image text cleaned</li> : null}
        {pixels.untouched > 0 ? (
          <li>{plural(pixels.untouched, 'file')}: no identifying text found, images kept as they are</li>
        ) : null}
        {pixels.accepted > 0 ? <li>{plural(pixels.accepted, 'file')} sent as they are (accepted)</li> : null}
        {pixels.held > 0 ? (
          <li className="held">
            {plural(pixels.held, 'file')} will be held for review:
            <ul>
              {pixels.heldReasons.map((held) => (
                <li key={held.reason}>
                  {held.files.toLocaleString('en')} × {held.reason}
                </li>
              ))}
            </ul>
          </li>
        ) : null}
        {pixels.unchecked > 0 ? (
          <li data-testid="plan-pixels-unchecked">
            {plural(pixels.unchecked, 'file')} not yet checked for image text
          </li>
        ) : null}
      </ul>
      {running && progress ? (
        <div className="pixel-check-progress">
          <progress max={progress.total || 1} value={progress.done} aria-labelledby="pixel-check-text" />
          <p id="pixel-check-text" role="status" aria-live="polite">
            Checking image text: {progress.done.toLocaleString('en')} of {plural(progress.total, 'file')}
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => deid.cancelPixelChecks().catch((error: unknown) => onError(messageOf(error)))}
          >
            Cancel check
          </button>
        </div>
      ) : null}
      <div className="button-row">
        {pixels.unchecked > 0 && !running ? (
          <button type="button" onClick={checkAll}>
            Check image text now
          </button>
        ) : null}
        {pixels.held > 0 ? (
          <button type="button" onClick={onReviewHeld}>
            Review held files
          </button>
        ) : null}
      </div>
    </section>
  );
}

/** Failures first, then files held for review, then skipped ones: what needs attention most comes first. */
const PROBLEM_ORDER: ReadonlyArray<RunFailure['status']> = ['failed', 'held', 'skipped'];

/** The kind of a reason: its words and tags, without the numbers (offsets, sizes) that differ per file. */
const reasonKind = (reason: string) =>
  reason
    .split(/(\([0-9A-F]{4},[0-9A-F]{4}\))/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\d+/g, '…')))
    .join('');

/** The files not written, grouped by result in order of urgency, each group counted by kind of reason. */
function ProblemTable({ problems }: { problems: ReadonlyArray<RunFailure> }) {
  if (problems.length === 0) return null;
  const groups = PROBLEM_ORDER.map((status) => {
    const items = problems.filter((problem) => problem.status === status);
    const kinds = new Map<string, number>();
    for (const item of items)
      kinds.set(reasonKind(item.reason), (kinds.get(reasonKind(item.reason)) ?? 0) + 1);
    const sorted = [...items].sort((a, b) => reasonKind(a.reason).localeCompare(reasonKind(b.reason)));
    return { status, items: sorted, kinds: [...kinds].sort((a, b) => b[1] - a[1]) };
  }).filter((group) => group.items.length > 0);
  return (
    <>
      <h3>Files not written</h3>
      <table className="problems">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Result</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group.status} data-testid={`problems-${group.status}`}>
            <tr className="problem-group">
              <th scope="rowgroup" colSpan={3}>
                {STATUS_LABEL[group.status]}: {plural(group.items.length, 'file')}
                <ul>
                  {group.kinds.map(([kind, count]) => (
                    <li key={kind}>
                      {count.toLocaleString('en')} × {kind}
                    </li>
                  ))}
                </ul>
              </th>
            </tr>
            {group.items.map((problem, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed once the run ends
              <tr key={index}>
                <td>{problem.name}</td>
                <td>{STATUS_LABEL[problem.status]}</td>
                <td>{problem.reason}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </>
  );
}

const OUTCOME_TITLE: Readonly<Record<RunSummary['outcome'], string>> = {
  finished: 'Finished',
  cancelled: 'Stopped before the end',
  error: 'The run could not finish',
};

function Summary({ summary, onError }: { summary: RunSummary; onError: (message: string) => void }) {
  const [note, setNote] = useState('');
  const act = async (action: () => Promise<{ savedTo: string } | null>, what: string) => {
    try {
      const saved = await action();
      if (saved) setNote(`${what} saved to ${saved.savedTo}.`);
    } catch (error) {
      onError(messageOf(error));
    }
  };
  const report = (format: ReportFormat) => act(() => deid.exportReport({ format }), 'Report');
  return (
    <section className="panel" aria-labelledby="summary-title" data-testid="run-summary">
      <h2 id="summary-title">{OUTCOME_TITLE[summary.outcome]}</h2>
      <div className="button-row">
        <button
          type="button"
          onClick={() => void deid.showOutput().catch((error: unknown) => onError(messageOf(error)))}
        >
          Open output folder
        </button>
        <button
          type="button"
          onClick={() => void deid.openReport().catch((error: unknown) => onError(messageOf(error)))}
        >
          Open report
        </button>
        <button type="button" onClick={() => void report('csv')}>
          Export report (CSV)…
        </button>
        <button type="button" onClick={() => void report('json')}>
          Export report (JSON)…
        </button>
        <button type="button" onClick={() => void act(() => deid.exportAudit(), 'Audit and crosswalk')}>
          Export audit / crosswalk…
        </button>
      </div>
      {summary.message ? <p className="banner banner-error">{summary.message}</p> : null}
      <SendPanel onError={onError} />
      <dl className="summary-counts">
        <div>
          <dt>Written</dt>
          <dd data-testid="count-written">{summary.written.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Skipped</dt>
          <dd data-testid="count-skipped">{summary.skipped.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd data-testid="count-failed">{summary.failed.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Held for review</dt>
          <dd data-testid="count-held">{summary.held.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>{formatSeconds(summary.seconds)}</dd>
        </div>
      </dl>
      <p className="verification" data-testid="verification">
        {verificationText(summary)}
      </p>
      {summary.held > 0 ? (
        <p className="banner banner-warn" data-testid="held">
          {`${plural(summary.held, 'file was', 'files were')} held for review and not written, because their images may show identity: ${summary.heldReasons.join('; ')}. They are kept on site with the audit.`}
        </p>
      ) : null}
      <ProblemTable problems={summary.problems} />
      <p className="hint">
        The report was saved to <span data-testid="report-folder">{summary.reportFolder}</span>; it holds no
        patient data and may travel with the images. The audit and crosswalk link new identities to the
        originals: keep them on site.
      </p>
      <p className="note" role="status">
        {note}
      </p>
    </section>
  );
}

export function RunScreen({
  files,
  onError,
  onGoToFiles,
  onReviewHeld,
}: {
  files: FilesSnapshot;
  onError: (message: string) => void;
  onGoToFiles: () => void;
  /** The file list, showing only the files held for review. */
  onReviewHeld: () => void;
}) {
  const [output, setOutput] = useState<OutputChoice | null>(null);
  const [verify, setVerify] = useState(true);
  const { running, cancelling, progress, summary } = useRun();
  const [starting, setStarting] = useState(false);
  const [plan, setPlan] = useState<RunPlan | null>(null);
  const leftOut = useLeftOut();
  const subset = runSubset(files.rows, leftOut);
  const chosen = subset ? files.rows.filter((row) => !leftOut.has(row.id)) : files.rows;

  useEffect(() => {
    deid.getSettings().then(
      (settings) => {
        if (settings.outputFolder) setOutput({ path: settings.outputFolder });
        setVerify(settings.verify);
      },
      (error: unknown) => onError(messageOf(error)),
    );
  }, [onError]);

  // Asked again whenever what it depends on changes: the list, its reading, the folder, a finished run.
  // biome-ignore lint/correctness/useExhaustiveDependencies: these are the triggers, not values read here
  useEffect(() => {
    if (running) return;
    let current = true;
    deid.planRun({ ids: subset }).then(
      (answer) => current && setPlan(answer),
      (error: unknown) => onError(messageOf(error)),
    );
    return () => {
      current = false;
    };
  }, [files.rows, files.scan.scanning, leftOut, output?.path, running, summary, onError]);

  const dicomFiles = chosen.filter((row) => row.status !== 'not-dicom' && row.status !== 'unreadable').length;
  const choose = async () => {
    try {
      const choice = await deid.chooseOutput();
      if (choice) setOutput(choice);
    } catch (error) {
      onError(messageOf(error));
    }
  };
  const start = async () => {
    setStarting(true);
    try {
      const answer = await deid.startBatch({ verify, ids: subset });
      if (answer.refused) onError(answer.refused);
    } catch (error) {
      onError(messageOf(error));
    } finally {
      setStarting(false);
    }
  };
  const cancel = () => {
    runCancelling();
    deid.cancelBatch().catch((error: unknown) => onError(messageOf(error)));
  };

  if (running && progress) return <Progress progress={progress} onCancel={cancel} cancelling={cancelling} />;
  return (
    <div className="run-screen">
      {/* The last run's outcome comes first: it is what the person is waiting for. */}
      {summary ? <Summary summary={summary} onError={onError} /> : null}
      <section className="panel" aria-labelledby="run-title">
        <h2 id="run-title">Make de-identified copies</h2>
        {files.rows.length === 0 ? (
          <p>
            No files yet.{' '}
            <button type="button" className="link" onClick={onGoToFiles}>
              Add files first
            </button>
          </p>
        ) : (
          <p>
            {subset
              ? `${chosen.length.toLocaleString('en')} of ${plural(files.rows.length, 'file')} in the list checked for this run`
              : `${plural(files.rows.length, 'file')} in the list`}
            {files.scan.scanning ? ' (still reading)' : ''}.
          </p>
        )}
        <div className="output-choice">
          <span className="label">Output folder</span>
          <span className="path" data-testid="output-folder">
            {output?.path ?? 'None chosen'}
          </span>
          <button type="button" onClick={() => void choose()}>
            Choose output folder…
          </button>
        </div>
        {output?.refused ? (
          <p className="banner banner-error" role="alert">
            {output.refused}
          </p>
        ) : null}
        {plan && files.rows.length > 0 ? (
          <Plan plan={plan} subset={subset} onReviewHeld={onReviewHeld} onError={onError} />
        ) : null}
        <label className="check">
          <input type="checkbox" checked={verify} onChange={(event) => setVerify(event.target.checked)} />
          Check every written file for leftover identifying data (recommended)
        </label>
        <div className="button-row">
          <button
            type="button"
            className="primary"
            onClick={() => void start()}
            disabled={
              starting ||
              running ||
              dicomFiles === 0 ||
              !output ||
              output.refused !== undefined ||
              plan?.output?.earlierRun === 'other'
            }
          >
            {starting ? 'Starting…' : 'Start'}
          </button>
        </div>
      </section>
    </div>
  );
}
