import { useEffect, useState } from 'react';
import type { DetectedText, PixelCheck, Rect } from '../../../shared/ipc/contract.js';
import { plural } from '../format.js';

/** What each class of detected text is called on screen; the boxes' line style repeats it without colour. */
export const CLASS_LABEL: Readonly<Record<DetectedText['cls'], string>> = {
  identity: 'Identifying text',
  undecided: 'Text the detector could not decide',
  technical: 'Technical text (kept)',
};

/** A box's state in words: for its accessible name and the list. */
export function describeDetected(text: DetectedText): string {
  if (text.cls === 'technical') return 'technical text, kept';
  if (text.kept) return `${text.cls === 'identity' ? 'identifying text' : 'undecided text'}, you keep it`;
  return text.cls === 'identity' ? 'identifying text, will be cleaned' : 'undecided text, will be cleaned';
}

/** The outcome the batch will reach for the file's pixels, in one line. */
export function outcomeLine(check: PixelCheck): string {
  const found = check.texts.filter((t) => t.cls !== 'technical').length;
  if (check.status === 'held')
    return `Image: held for review — ${check.reason ?? 'the pixels may show identity'}`;
  if (check.status === 'accepted') return 'Image: accepted, sent as it is (a person or a rule decided)';
  if (check.status === 'cleaned') {
    const detected = found > 0 ? `, ${plural(found, 'text region')} found` : '';
    return `Image: will be cleaned (${plural(check.regionsCleaned, 'region')} filled${detected})`;
  }
  if (!check.searched) return 'Image: no text search needed (burned-in text unlikely)';
  return found > 0 ? `Image: text found, all of it left as it is` : 'Image: no identifying text found';
}

const SWATCHES = ['identity', 'undecided', 'technical', 'kept'] as const;
const SWATCH_LABEL: Readonly<Record<(typeof SWATCHES)[number], string>> = {
  ...CLASS_LABEL,
  kept: 'Turned off by you (left as it is)',
};

/** The legend: each class's line style and colour, as the boxes on the image draw them. */
export function DetectedLegend() {
  return (
    <ul className="detected-legend" aria-label="Detected text boxes">
      {SWATCHES.map((kind) => (
        <li key={kind}>
          <svg width="28" height="14" aria-hidden="true">
            <rect x="2" y="2" width="24" height="10" className={`detected-halo`} />
            <rect x="2" y="2" width="24" height="10" className={`detected detected-${kind}`} />
          </svg>
          {SWATCH_LABEL[kind]}
        </li>
      ))}
    </ul>
  );
}

/**
 * The detector's findings on this frame, listed for the keyboard and screen readers: a box ticked is cleaned,
 * one unticked is left as it is (the person's decision, recorded in the private audit). Marking the file
 * reviewed makes what the detector could not decide the person's decision too, so a held file can go.
 */
export function DetectedPanel({
  texts,
  reviewed,
  busy,
  onKeep,
  onReviewed,
  onFocusText,
}: {
  /** This frame's texts, with their index in the check's list. */
  texts: ReadonlyArray<{ readonly text: DetectedText; readonly index: number }>;
  reviewed: boolean;
  busy: boolean;
  onKeep: (box: Rect, keep: boolean) => void;
  onReviewed: (reviewed: boolean) => void;
  onFocusText: (index: number | null) => void;
}) {
  // A choice shows as made while main records it and the file is checked again; then the check decides.
  const [asked, setAsked] = useState<{
    readonly reviewed?: boolean;
    readonly clean?: ReadonlyMap<number, boolean>;
  }>({});
  useEffect(() => {
    if (!busy) setAsked({});
  }, [busy]);
  const decidable = texts.filter(({ text }) => text.cls !== 'technical');
  const technical = texts.length - decidable.length;
  return (
    <section className="detected-panel" aria-label="Detected text">
      <h3>
        Detected text <span className="count">({texts.length})</span>
      </h3>
      <DetectedLegend />
      {decidable.length === 0 ? (
        <p className="hint">No identifying or undecided text on this frame.</p>
      ) : (
        <ul className="detected-list">
          {decidable.map(({ text, index }) => (
            <li key={index}>
              <label className="check">
                <input
                  type="checkbox"
                  disabled={busy}
                  checked={asked.clean?.get(index) ?? !text.kept}
                  onChange={(event) => {
                    const clean = event.target.checked;
                    setAsked({ ...asked, clean: new Map(asked.clean).set(index, clean) });
                    onKeep(text.box, !clean);
                  }}
                  onFocus={() => onFocusText(index)}
                  onBlur={() => onFocusText(null)}
                />
                <span>
                  Clean {text.cls === 'identity' ? 'identifying' : 'undecided'} text “
                  <span className="detected-read">{text.text}</span>”
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {technical > 0 ? <p className="hint">{plural(technical, 'piece')} of technical text kept.</p> : null}
      <label className="check">
        <input
          type="checkbox"
          disabled={busy}
          checked={asked.reviewed ?? reviewed}
          onChange={(event) => {
            setAsked({ ...asked, reviewed: event.target.checked });
            onReviewed(event.target.checked);
          }}
        />
        I have reviewed this file’s image text: clean what is ticked, leave what is not
      </label>
    </section>
  );
}
