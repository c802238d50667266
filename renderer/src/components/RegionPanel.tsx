import { useState } from 'react';
import type { AppliedRegions, Rect, RegionScope } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import { plural } from '../format.js';
import { describeRect } from '../regions.js';

/** The pixel rules in force for a file, in words: the inspector shows them again before the run. */
export function describeApplied(rule: AppliedRegions): string {
  const boxes = rule.regions.length > 0 ? `${plural(rule.regions.length, 'box', 'boxes')} cleaned` : '';
  const accepted = rule.accept ? 'sent as is (you have looked)' : '';
  const kept = rule.keep?.length
    ? `${plural(rule.keep.length, 'detected text region')} left as they are`
    : '';
  const reviewed = rule.reviewed ? 'image text reviewed by you' : '';
  return `${[boxes, accepted, kept, reviewed].filter(Boolean).join('; ')} — ${rule.label}`;
}

/**
 * The drawn boxes, listed for keyboard and screen-reader use, and what to do with them: clean them in this
 * file, in its series, or in every image of this device; or accept the file or series as it is.
 */
export function RegionPanel({
  fileId,
  boxes,
  device,
  rules,
  selected,
  onBoxes,
  onSelect,
  onAdd,
  onRules,
}: {
  fileId: number;
  boxes: readonly Rect[];
  device: string | null;
  rules: readonly AppliedRegions[];
  selected: number | null;
  onBoxes: (boxes: Rect[], select: number | null) => void;
  onSelect: (index: number) => void;
  onAdd: () => void;
  onRules: (rules: readonly AppliedRegions[]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  // An acceptance shows as asked while main records it; main's answer (or its refusal) then decides.
  const [asked, setAsked] = useState<{ scope: RegionScope; accept: boolean } | null>(null);
  const ruleOf = (scope: RegionScope) => rules.find((rule) => rule.scope === scope);

  const send = (scope: RegionScope, regions: readonly Rect[], accept: boolean, done: string) => {
    setBusy(true);
    setMessage(null);
    deid
      .setRegions({ id: fileId, scope, regions: [...regions], accept })
      .then((answer) => {
        onRules(answer.pixelRules);
        setMessage({ text: done, error: false });
      })
      .catch((failure: unknown) => setMessage({ text: messageOf(failure), error: true }))
      .finally(() => {
        setBusy(false);
        setAsked(null);
      });
  };
  const apply = (scope: RegionScope, where: string) =>
    send(
      scope,
      boxes,
      ruleOf(scope)?.accept ?? false,
      boxes.length === 0
        ? `No boxes are cleaned ${where} any more.`
        : `${plural(boxes.length, 'box', 'boxes')} will be cleaned ${where} when the files are run.`,
    );
  const accept = (scope: 'file' | 'series', on: boolean) => {
    setAsked({ scope, accept: on });
    send(
      scope,
      ruleOf(scope)?.regions ?? [],
      on,
      on
        ? `This ${scope} will be sent with its pixels as they are.`
        : `This ${scope} is no longer accepted as it is.`,
    );
  };

  return (
    <div className="region-panel">
      <div className="region-boxes">
        <h3>
          Boxes to clean <span className="count">({boxes.length})</span>
        </h3>
        {boxes.length === 0 ? (
          <p className="hint">
            Choose “Draw boxes” and drag over text on the image, or add a box and move it with the keyboard.
          </p>
        ) : (
          <ol aria-label="Drawn boxes">
            {boxes.map((box, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: boxes have no identity beyond their place
              <li key={i} className={selected === i ? 'selected' : undefined}>
                <button type="button" className="link" onClick={() => onSelect(i)}>
                  Select box {i + 1}: {describeRect(box)}
                </button>
                <button
                  type="button"
                  aria-label={`Delete box ${i + 1}`}
                  onClick={() =>
                    onBoxes(
                      boxes.filter((_, j) => j !== i),
                      null,
                    )
                  }
                >
                  Delete
                </button>
              </li>
            ))}
          </ol>
        )}
        <button type="button" onClick={onAdd}>
          Add box
        </button>
        <p className="hint">
          On a box: arrows move it (Shift: 10 pixels), Alt+arrows resize it, Delete removes it.
        </p>
      </div>
      <div className="region-actions">
        <h3>Clean these boxes</h3>
        <div className="button-row">
          <button type="button" disabled={busy} onClick={() => apply('file', 'in this file')}>
            In this file
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => apply('series', 'in every file of this series')}
          >
            In this series
          </button>
          <button
            type="button"
            disabled={busy || device === null}
            title={device === null ? 'The header does not name the device' : undefined}
            onClick={() => apply('device', `in every ${device} image`)}
          >
            Save as device template
          </button>
        </div>
        {device ? <p className="hint">Template for {device}.</p> : null}
        <h3>Or send as is</h3>
        {(['file', 'series'] as const).map((scope) => (
          <label key={scope} className="check">
            <input
              type="checkbox"
              disabled={busy}
              checked={asked?.scope === scope ? asked.accept : (ruleOf(scope)?.accept ?? false)}
              onChange={(event) => accept(scope, event.target.checked)}
            />
            I have looked: send this {scope} as is
          </label>
        ))}
        {message ? (
          <p
            className={message.error ? 'banner banner-error' : 'note'}
            role={message.error ? 'alert' : 'status'}
          >
            {message.text}
          </p>
        ) : null}
        <h3>In force for this file</h3>
        {rules.length === 0 ? (
          <p className="hint">No boxes and no acceptance yet.</p>
        ) : (
          <ul aria-label="Pixel rules for this file">
            {rules.map((rule) => (
              <li key={`${rule.scope}-${rule.label}`}>{describeApplied(rule)}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
