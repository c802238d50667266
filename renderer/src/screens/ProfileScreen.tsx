import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProfileDraft, ProfileState } from '../../../shared/ipc/contract.js';
// The profile modules the page needs, not shared/profile/index.js: that also brings the file parser
// (zod, yaml), which only main uses.
import {
  ALL_OPTIONS,
  findOptionConflict,
  OPTION_INFO,
  type OptionKey,
} from '../../../shared/profile/options.js';
import { listPresets, type PresetName } from '../../../shared/profile/presets.js';
import { deid, messageOf } from '../api.js';
import { AllowListEditor } from '../components/AllowListEditor.js';
import { KeyPanel } from '../components/KeyPanel.js';
import { RuleEditor } from '../components/RuleEditor.js';

const PRESETS = listPresets();
// Typing in a rule sends the draft once the typing pauses, not on every key.
const SEND_DELAY_MS = 250;

function toggle(options: ReadonlyArray<OptionKey>, key: OptionKey, on: boolean): OptionKey[] {
  const selected = new Set(options);
  if (!on) {
    selected.delete(key);
    return ALL_OPTIONS.filter((option) => selected.has(option));
  }
  selected.add(key);
  // Two options that cannot be combined: the one just chosen wins.
  const conflict = findOptionConflict(selected);
  if (conflict) selected.delete(conflict[0] === key ? conflict[1] : conflict[0]);
  return ALL_OPTIONS.filter((option) => selected.has(option));
}

/** A rule whose attribute was never filled in: an edit left half-way, not a choice the person made. */
const unfinished = (rule: ProfileDraft['rules'][number]): boolean =>
  rule.private
    ? !rule.private.creator.trim() && !rule.private.group.trim() && !rule.private.element.trim()
    : !(rule.tag ?? rule.keyword ?? '').trim();

export function ProfileScreen({
  onProfileChanged,
  onError,
}: {
  onProfileChanged: () => void;
  onError: (message: string) => void;
}) {
  const [draft, setDraft] = useState<ProfileDraft | null>(null);
  const [issues, setIssues] = useState<ReadonlyArray<string>>([]);
  const [note, setNote] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const accept = (state: ProfileState) => {
    setDraft(state.draft);
    setIssues(state.issues);
  };
  // The draft waiting to be sent; leaving the screen sends it at once rather than dropping the last edit.
  const unsent = useRef<ProfileDraft | null>(null);
  const flush = useCallback(() => {
    clearTimeout(timer.current);
    const draft = unsent.current;
    unsent.current = null;
    if (!draft) return;
    deid.setProfile({ draft }).then(
      (state) => {
        setIssues(state.issues);
        if (state.issues.length === 0) onProfileChanged();
      },
      (error: unknown) => onError(messageOf(error)),
    );
  }, [onError, onProfileChanged]);

  useEffect(() => {
    deid.getProfile().then(
      (state) => {
        setDraft(state.draft);
        setIssues(state.issues);
      },
      (error: unknown) => onError(messageOf(error)),
    );
  }, [onError]);
  useEffect(() => flush, [flush]);

  const send = (next: ProfileDraft, delay: number) => {
    setDraft(next);
    unsent.current = next;
    clearTimeout(timer.current);
    timer.current = setTimeout(flush, delay);
  };

  if (!draft) return <div className="profile-screen" aria-busy="true" />;

  const choosePreset = (name: PresetName) => {
    const preset = PRESETS.find((p) => p.name === name)!;
    // The rules go with the profile to the new preset, but one left half-filled would greet it as an error.
    const rules = draft.rules.filter((rule) => !unfinished(rule));
    const dropped = draft.rules.length - rules.length;
    setNote(dropped ? `${dropped} unfinished rule${dropped === 1 ? ' was' : 's were'} left out.` : '');
    send({ ...draft, name: preset.label, base: name, options: [...preset.options], rules }, 0);
  };
  const open = async () => {
    try {
      const state = await deid.openProfile();
      if (!state) return;
      accept(state);
      setNote(state.issues.length ? '' : 'Profile loaded.');
      if (state.issues.length === 0) onProfileChanged();
    } catch (error) {
      onError(messageOf(error));
    }
  };
  const save = async (format: 'json' | 'yaml') => {
    try {
      const saved = await deid.saveProfile({ format });
      if (saved) setNote(`Profile saved to ${saved.savedTo}.`);
    } catch (error) {
      onError(messageOf(error));
    }
  };

  return (
    <div className="profile-screen">
      <section className="panel" aria-labelledby="profile-title">
        <h2 id="profile-title">De-identification profile</h2>
        <div className="profile-head">
          <label>
            Start from
            <select value={draft.base} onChange={(event) => choosePreset(event.target.value as PresetName)}>
              {PRESETS.map((preset) => (
                <option key={preset.name} value={preset.name}>
                  {preset.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Profile name
            <input
              value={draft.name}
              onChange={(event) => send({ ...draft, name: event.target.value }, SEND_DELAY_MS)}
            />
          </label>
        </div>
        <div className="button-row">
          <button type="button" onClick={() => void open()}>
            Load profile file…
          </button>
          <button type="button" onClick={() => void save('json')} disabled={issues.length > 0}>
            Save as JSON…
          </button>
          <button type="button" onClick={() => void save('yaml')} disabled={issues.length > 0}>
            Save as YAML…
          </button>
        </div>
        {issues.length > 0 ? (
          <div className="banner banner-error" role="alert">
            <strong>
              This profile has problems; the last working one stays in use until they are fixed.
            </strong>
            <ul>
              {issues.map((issue) => (
                <li key={issue}>{issue}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <p className="note" role="status">
          {note}
        </p>
        <h3>Options (DICOM PS3.15)</h3>
        <ul className="options">
          {ALL_OPTIONS.map((key) => {
            const info = OPTION_INFO[key];
            const on = draft.options.includes(key);
            return (
              <li key={key} className="option">
                <label className="switch">
                  <input
                    type="checkbox"
                    role="switch"
                    checked={on}
                    aria-checked={on}
                    aria-describedby={`option-${key}`}
                    data-option={key}
                    onChange={(event) =>
                      send({ ...draft, options: toggle(draft.options, key, event.target.checked) }, 0)
                    }
                  />
                  <span className="switch-label">{info.label}</span>
                </label>
                <span className="explanation" id={`option-${key}`}>
                  {info.explanation}
                </span>
              </li>
            );
          })}
        </ul>
        {/* Only a profile that shifts dates uses the range: it is shown with that option, not before. */}
        {draft.options.includes('retainLongModifiedDates') ? (
          <>
            <h3>Date shift</h3>
            <p className="hint">
              When dates are shifted, each patient's dates move by a number of days picked in this range.
            </p>
            <div className="profile-head">
              {(['minDays', 'maxDays'] as const).map((field) => (
                <label key={field}>
                  {field === 'minDays' ? 'From (days)' : 'To (days)'}
                  <input
                    type="number"
                    value={draft.dateShift[field]}
                    onChange={(event) =>
                      send(
                        { ...draft, dateShift: { ...draft.dateShift, [field]: Number(event.target.value) } },
                        SEND_DELAY_MS,
                      )
                    }
                  />
                </label>
              ))}
            </div>
          </>
        ) : null}
        <h3>Custom rules</h3>
        <RuleEditor rules={draft.rules} onChange={(rules) => send({ ...draft, rules }, SEND_DELAY_MS)} />
        <AllowListEditor
          edits={draft.technicalText}
          onChange={(technicalText) => {
            const { technicalText: _old, ...rest } = draft;
            send(technicalText ? { ...rest, technicalText } : rest, 0);
          }}
        />
      </section>
      <KeyPanel onChanged={onProfileChanged} onError={onError} />
    </div>
  );
}
