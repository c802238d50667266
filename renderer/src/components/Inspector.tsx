import { useEffect, useMemo, useState } from 'react';
import type { ActionName, Finding, Inspection, PixelCheck, Rect } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import { plural } from '../format.js';
import { BeforeAfter } from './BeforeAfter.js';
import { outcomeLine } from './DetectedText.js';
import { ImagePreview } from './ImagePreview.js';
import { describeApplied } from './RegionPanel.js';
import { Tabs } from './Tabs.js';
import { VirtualList } from './VirtualList.js';

const ACTION_LABEL: Readonly<Record<ActionName, string>> = {
  removed: 'Remove',
  emptied: 'Empty',
  dummy: 'Replace',
  replaced: 'Replace',
  pseudonymized: 'Pseudonym',
  'uid-remapped': 'New UID',
  'date-shifted': 'Shift date',
  cleaned: 'Clean',
  hashed: 'Keyed code',
  kept: 'Keep',
};

function ActionCell({ finding }: { finding: Finding }) {
  if (!finding.action) return <span className="action action-unknown">—</span>;
  return (
    <span className={`action action-${finding.action}`}>
      {ACTION_LABEL[finding.action]}
      {finding.preview !== undefined ? (
        <>
          {' → '}
          <span className="preview">{finding.preview === '' ? '(empty)' : finding.preview}</span>
        </>
      ) : null}
    </span>
  );
}

/** The boxes and acceptances in force for this file, shown again before the run. */
function PixelRules({ inspection }: { inspection: Inspection }) {
  if (inspection.pixelRules.length === 0) return null;
  return (
    <section className="pixel-rules" aria-label="Image pixels">
      <h3>Image pixels</h3>
      <ul>
        {inspection.pixelRules.map((rule) => (
          <li key={`${rule.scope}-${rule.label}`}>{describeApplied(rule)}</li>
        ))}
      </ul>
    </section>
  );
}

function Findings({ inspection }: { inspection: Inspection }) {
  const total = inspection.groups.reduce((sum, group) => sum + group.findings.length, 0);
  return (
    <div className="findings">
      {inspection.burnedIn.risk !== 'none' ? (
        <div className="banner banner-warn" role="alert">
          <strong>
            {inspection.burnedIn.risk === 'likely'
              ? 'Identifying text is likely burned into the image pixels.'
              : 'Identifying text may be burned into the image pixels.'}
          </strong>{' '}
          Removing header data does not remove it: in the Image tab, draw boxes over the text to clean it, or,
          having looked, accept the file or its series as it is.
          {inspection.burnedIn.reasons.length > 0 ? (
            <ul>
              {inspection.burnedIn.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <PixelRules inspection={inspection} />
      {inspection.actionsUnavailable ? (
        <p className="note" role="status">
          {inspection.actionsUnavailable}
        </p>
      ) : null}
      <p className="summary-line">
        {total === 0
          ? 'No identifying attributes found.'
          : `${plural(total, 'identifying attribute')} found.`}
      </p>
      {inspection.groups.map((group) => (
        <section key={group.category} className="finding-group" aria-label={group.label}>
          <h3>
            {group.label} <span className="count">({group.findings.length})</span>
          </h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Attribute</th>
                <th scope="col">Value</th>
                <th scope="col">What will happen</th>
              </tr>
            </thead>
            <tbody>
              {group.findings.map((finding) => (
                <tr key={`${finding.path}${finding.tag}`} data-keyword={finding.keyword}>
                  <td className="attribute">
                    {finding.path ? <span className="path">{finding.path} </span> : null}
                    {finding.keyword || 'Private'} <span className="tag">{finding.tag}</span>
                  </td>
                  <td className="value">{finding.value}</td>
                  <td>
                    <ActionCell finding={finding} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

function Header({ inspection }: { inspection: Inspection }) {
  const [query, setQuery] = useState('');
  const lines = useMemo(() => {
    const needle = query.trim().toLowerCase();
    if (!needle) return inspection.header;
    return inspection.header.filter((line) =>
      `${line.tag} ${line.keyword} ${line.vr} ${line.value}`.toLowerCase().includes(needle),
    );
  }, [inspection, query]);
  return (
    <div className="header-view">
      <label className="search">
        Search the header
        <input
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="Keyword, tag or value"
        />
      </label>
      <p className="summary-line" role="status">
        {plural(lines.length, 'attribute')}
        {query ? ` ${lines.length === 1 ? 'matches' : 'match'} “${query}”` : ''}
      </p>
      <VirtualList
        className="header-lines"
        list
        // A region of its own that the keyboard can scroll.
        tabIndex={0}
        role="region"
        aria-label="All attributes"
        items={lines}
        rowHeight={26}
        rowKey={(_line, index) => index}
        renderRow={(line) => (
          <div className="header-line" style={{ paddingLeft: 8 + line.depth * 18 }}>
            <span className="tag">{line.tag}</span>
            <span className="keyword">{line.keyword}</span>
            <span className="vr">{line.vr}</span>
            <span className="value" title={line.value}>
              {line.value}
            </span>
          </div>
        )}
      />
    </div>
  );
}

type View = 'phi' | 'header' | 'image' | 'compare';

type CheckState =
  /** `last`: the file's previous check, still drawn while the new one runs (after a decision). */
  | { readonly kind: 'checking'; readonly last?: PixelCheck }
  | { readonly kind: 'done'; readonly check: PixelCheck }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * What the batch will do with the file's pixels, found by the same pass the batch runs (text search
 * included, so it takes a few seconds on an image at risk): checked again when the profile or the file's
 * pixel rules change. Selecting another file abandons the check in the worker.
 */
function usePixelCheck(fileId: number, version: string | null) {
  const [state, setState] = useState<CheckState>({ kind: 'checking' });
  useEffect(() => {
    let current = true;
    setState((previous) =>
      previous.kind === 'done' && previous.check.id === fileId
        ? { kind: 'checking', last: previous.check }
        : { kind: 'checking' },
    );
    if (version === null) return;
    deid
      .checkPixels({ id: fileId })
      .then((check) => current && setState({ kind: 'done', check }))
      .catch((failure: unknown) => current && setState({ kind: 'failed', message: messageOf(failure) }));
    return () => {
      current = false;
    };
  }, [fileId, version]);
  return state;
}

function PixelOutcome({ state }: { state: CheckState }) {
  if (state.kind === 'checking') {
    return (
      <p className="pixel-outcome" role="status" aria-busy="true">
        Image: checking for burned-in text…
      </p>
    );
  }
  if (state.kind === 'failed') {
    return (
      <p className="pixel-outcome" role="status">
        Image: the pixels could not be checked: {state.message}
      </p>
    );
  }
  return (
    <p className={`pixel-outcome pixel-${state.check.status}`} role="status">
      {outcomeLine(state.check)}
    </p>
  );
}

/** Everything about one file: what identifies the patient, what the profile will do, the header, the image. */
export function Inspector({ fileId, profileVersion }: { fileId: number; profileVersion: number }) {
  const [inspection, setInspection] = useState<Inspection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [view, setView] = useState<View>('phi');
  // The file's own rules: a box drawn or a decision taken changes what the batch will do with its pixels.
  // Files without an image (a report, a DICOMDIR) have no pixel outcome to show.
  const rules = inspection?.id === fileId && inspection.image ? inspection.pixelRules : null;
  const pixelState = usePixelCheck(fileId, rules ? `${profileVersion}:${JSON.stringify(rules)}` : null);
  const [deciding, setDeciding] = useState(false);
  const [decisionError, setDecisionError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new profile means new planned actions, so the file is inspected again
  useEffect(() => {
    let current = true;
    setError(null);
    deid
      .inspect({ id: fileId })
      .then((result) => current && setInspection(result))
      .catch((failure: unknown) => {
        if (!current) return;
        setInspection(null);
        setError(messageOf(failure));
      });
    return () => {
      current = false;
    };
  }, [fileId, profileVersion]);

  if (error) {
    return (
      <div className="inspector">
        <p className="banner banner-error" role="alert">
          This file cannot be shown: {error}
        </p>
      </div>
    );
  }
  if (!inspection || inspection.id !== fileId) return <div className="inspector" aria-busy="true" />;
  const tabs = [
    { key: 'phi' as const, label: 'Identifying data' },
    { key: 'header' as const, label: 'Full header' },
    ...(inspection.image ? [{ key: 'image' as const, label: 'Image' }] : []),
    { key: 'compare' as const, label: 'Before / after' },
  ];
  const shown = view === 'image' && !inspection.image ? 'phi' : view;
  const shownCheck =
    pixelState.kind === 'done'
      ? pixelState.check
      : pixelState.kind === 'checking'
        ? pixelState.last
        : undefined;
  const check = shownCheck?.id === fileId ? shownCheck : null;
  const fileRule = inspection.pixelRules.find((rule) => rule.scope === 'file');
  const decide = (keep: readonly Rect[], reviewed: boolean) => {
    setDeciding(true);
    setDecisionError(null);
    deid
      .review({ id: fileId, keep: [...keep], reviewed })
      .then((answer) => setInspection({ ...inspection, pixelRules: answer.pixelRules }))
      .catch((failure: unknown) => setDecisionError(messageOf(failure)))
      .finally(() => setDeciding(false));
  };
  const same = (a: Rect, b: Rect) =>
    a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
  const onKeep = (box: Rect, keep: boolean) => {
    const kept = (fileRule?.keep ?? []).filter((k) => !same(k, box));
    decide(keep ? [...kept, box] : kept, fileRule?.reviewed === true);
  };
  // The image and its boxes, in its own tab and beside the header's differences (there with the copy the
  // run would write, fetched again when the profile or the boxes change).
  const imageView = (copyRevision?: string) =>
    inspection.image ? (
      <ImagePreview
        key={fileId}
        fileId={fileId}
        image={inspection.image}
        device={inspection.device}
        rules={inspection.pixelRules}
        onRules={(pixelRules) => setInspection({ ...inspection, pixelRules })}
        check={check}
        deciding={deciding || pixelState.kind === 'checking'}
        onKeep={onKeep}
        onReviewed={(reviewed) => decide(fileRule?.keep ?? [], reviewed)}
        copyRevision={copyRevision}
      />
    ) : null;
  return (
    <div className="inspector">
      <h2 className="inspector-title" title={inspection.name}>
        {inspection.name}
      </h2>
      {inspection.image ? <PixelOutcome state={pixelState} /> : null}
      {decisionError ? (
        <p className="banner banner-error" role="alert">
          The decision was not recorded: {decisionError}
        </p>
      ) : null}
      <Tabs tabs={tabs} current={shown} onChange={setView} label="File details">
        {shown === 'phi' ? <Findings inspection={inspection} /> : null}
        {shown === 'header' ? <Header inspection={inspection} /> : null}
        {shown === 'image' ? imageView() : null}
        {shown === 'compare' ? (
          <BeforeAfter
            inspection={inspection}
            profileVersion={profileVersion}
            image={imageView(`${profileVersion} ${JSON.stringify(inspection.pixelRules)}`)}
          />
        ) : null}
      </Tabs>
    </div>
  );
}
