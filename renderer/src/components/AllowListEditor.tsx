import { useState } from 'react';
import type { ProfileDraft } from '../../../shared/ipc/contract.js';
import { allowPatternProblem, allowWordProblem } from '../../../shared/pixels/allow-list-check.js';
import {
  editedAllowList,
  LIST_KEYS,
  OTHER_MODALITIES,
  type TechnicalTextEdit,
} from '../../../shared/pixels/text-technical.js';

type Edits = NonNullable<ProfileDraft['technicalText']>;
type Kind = 'Words' | 'Patterns';

const LIST_NAMES: Readonly<Record<string, string>> = {
  US: 'Ultrasound (US)',
  CT: 'CT',
  XA: 'Angiography (XA)',
  RF: 'Fluoroscopy (RF)',
  [OTHER_MODALITIES]: 'Every other modality',
};
const nameOf = (key: string) => LIST_NAMES[key] ?? key;

/** The edit after adding or removing one item: an item of the default list is removed by listing it. */
function changed(edit: TechnicalTextEdit, kind: Kind, item: string, add: boolean): TechnicalTextEdit {
  const [mine, undo] = add ? (['add', 'remove'] as const) : (['remove', 'add'] as const);
  const undone = edit[`${undo}${kind}`] ?? [];
  if (undone.includes(item)) return { ...edit, [`${undo}${kind}`]: undone.filter((x) => x !== item) };
  return { ...edit, [`${mine}${kind}`]: [...(edit[`${mine}${kind}`] ?? []), item] };
}

/** The profile's edits with one list's replaced; lists back at their default are left out. */
function withEdit(edits: Edits, key: string, edit: TechnicalTextEdit): Edits | undefined {
  const kept = Object.fromEntries(
    Object.entries(edit).flatMap(([field, items]) => (items?.length ? [[field, [...items]]] : [])),
  );
  const { [key]: _old, ...others } = edits;
  const next = Object.keys(kept).length > 0 ? { ...others, [key]: kept } : others;
  return Object.keys(next).length > 0 ? next : undefined;
}

function AddItem({
  kind,
  listName,
  problem,
  onAdd,
}: {
  kind: Kind;
  listName: string;
  problem: (item: string) => string | undefined;
  onAdd: (item: string) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const noun = kind === 'Words' ? 'word' : 'pattern';
  const id = `allow-${noun}-error`;
  const add = () => {
    const item = kind === 'Words' ? text.trim().toUpperCase() : text;
    const message = problem(item);
    setError(message ? `This ${noun} ${message}.` : '');
    if (message) return;
    onAdd(item);
    setText('');
  };
  return (
    <div className="allow-add">
      <label>
        {`Add a ${noun} to ${listName}`}
        <input
          value={text}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? id : undefined}
          className={kind === 'Patterns' ? 'mono' : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setError('');
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            }
          }}
        />
      </label>
      <button type="button" onClick={add} disabled={text.trim() === ''}>
        Add {noun}
      </button>
      {error ? (
        <p className="field-error" id={id} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The technical text the burned-in text detector keeps, one list per modality: the default words and
 * patterns with the profile's additions and removals, as chips and lines to remove, inputs to add, and a
 * reset. Bad words and patterns are refused here in plain words, with the checks the profile file uses.
 */
export function AllowListEditor({
  edits,
  onChange,
}: {
  edits: ProfileDraft['technicalText'];
  onChange: (edits: ProfileDraft['technicalText']) => void;
}) {
  const all = edits ?? {};
  const keys = [...LIST_KEYS, ...Object.keys(all).filter((key) => !LIST_KEYS.includes(key))];
  const [key, setKey] = useState(keys[0]!);
  const edit: TechnicalTextEdit = all[key] ?? {};
  const list = editedAllowList(key, edit);
  const listName = nameOf(key);
  const change = (kind: Kind, item: string, add: boolean) =>
    onChange(withEdit(all, key, changed(edit, kind, item, add)));
  const changes = Object.values(edit).reduce((n, items) => n + (items?.length ?? 0), 0);
  const onList = (kind: Kind) => (item: string) =>
    (kind === 'Words' ? list.words : list.patterns).includes(item)
      ? 'is already on the list'
      : (kind === 'Words' ? allowWordProblem : allowPatternProblem)(item);

  return (
    <section className="allow-lists" aria-labelledby="allow-title">
      <h3 id="allow-title">Image text kept</h3>
      <p className="hint">
        Text burned into images that the detector keeps when it is not identity: measurements, probe, depth,
        gain, orientation. Names, IDs and dates are removed whatever these lists say.
      </p>
      <div className="allow-head">
        <label>
          Modality
          <select value={key} onChange={(event) => setKey(event.target.value)}>
            {keys.map((k) => (
              <option key={k} value={k}>
                {nameOf(k)}
              </option>
            ))}
          </select>
        </label>
        <span className="hint" data-testid="allow-count">
          {list.words.length} words, {list.patterns.length} patterns;{' '}
          {changes === 0
            ? 'the default list'
            : `${changes} change${changes === 1 ? '' : 's'} from the default`}
        </span>
        <button type="button" disabled={changes === 0} onClick={() => onChange(withEdit(all, key, {}))}>
          Reset {listName} to the default
        </button>
      </div>
      <h4 id="allow-words">Words</h4>
      <ul className="allow-words" aria-labelledby="allow-words">
        {list.words.map((word) => (
          <li key={word} className="allow-chip">
            <span>{word}</span>
            <button
              type="button"
              aria-label={`Remove word ${word}`}
              onClick={() => change('Words', word, false)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <AddItem
        kind="Words"
        listName={listName}
        problem={onList('Words')}
        onAdd={(word) => change('Words', word, true)}
      />
      <h4 id="allow-patterns">Patterns (a whole token must match; regular expressions, case ignored)</h4>
      <ul className="allow-patterns" aria-labelledby="allow-patterns">
        {list.patterns.map((pattern, i) => (
          <li key={pattern}>
            <code>{pattern}</code>
            <button
              type="button"
              aria-label={`Remove pattern ${i + 1}`}
              onClick={() => change('Patterns', pattern, false)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <AddItem
        kind="Patterns"
        listName={listName}
        problem={onList('Patterns')}
        onAdd={(pattern) => change('Patterns', pattern, true)}
      />
    </section>
  );
}
