import type { ProfileDraft } from '../../../shared/ipc/contract.js';
import { RULE_ACTIONS, type RuleAction } from '../../../shared/profile/rules.js';
import { KeywordInput } from './KeywordInput.js';

type Rule = ProfileDraft['rules'][number];
type TargetKind = 'keyword' | 'tag' | 'private';

const ACTION_TEXT: Readonly<Record<RuleAction, string>> = {
  keep: 'Keep as it is',
  remove: 'Remove',
  empty: 'Empty',
  replace: 'Replace with…',
  remapUid: 'New UID (consistent)',
  shiftDate: 'Shift date',
  hash: 'Replace with a keyed code',
};

const kindOf = (rule: Rule): TargetKind =>
  rule.private ? 'private' : rule.tag !== undefined ? 'tag' : 'keyword';

function retarget(rule: Rule, kind: TargetKind): Rule {
  const { action, value } = rule;
  const rest = value === undefined ? { action } : { action, value };
  if (kind === 'tag') return { tag: '', ...rest };
  if (kind === 'private') return { private: { creator: '', group: '', element: '' }, ...rest };
  return { keyword: '', ...rest };
}

function withAction(rule: Rule, action: RuleAction): Rule {
  const { value: _value, ...target } = rule;
  return action === 'replace' ? { ...target, action, value: rule.value ?? '' } : { ...target, action };
}

function RuleRow({
  rule,
  index,
  onChange,
  onRemove,
}: {
  rule: Rule;
  index: number;
  onChange: (rule: Rule) => void;
  onRemove: () => void;
}) {
  const kind = kindOf(rule);
  const n = index + 1;
  return (
    <li className="rule">
      <select
        aria-label={`Rule ${n}: attribute named by`}
        value={kind}
        onChange={(event) => onChange(retarget(rule, event.target.value as TargetKind))}
      >
        <option value="keyword">Keyword</option>
        <option value="tag">Tag</option>
        <option value="private">Private attribute</option>
      </select>
      {kind === 'keyword' ? (
        <KeywordInput
          label={`Rule ${n}: keyword`}
          value={rule.keyword ?? ''}
          onChange={(keyword) => onChange({ ...rule, keyword })}
        />
      ) : null}
      {kind === 'tag' ? (
        <input
          aria-label={`Rule ${n}: tag`}
          placeholder="(0020,4000)"
          value={rule.tag ?? ''}
          onChange={(event) => onChange({ ...rule, tag: event.target.value })}
        />
      ) : null}
      {kind === 'private' && rule.private ? (
        <span className="private-target">
          {(['creator', 'group', 'element'] as const).map((field) => (
            <input
              key={field}
              aria-label={`Rule ${n}: private ${field}`}
              placeholder={{ creator: 'creator', group: '0029', element: '10' }[field]}
              value={rule.private?.[field] ?? ''}
              onChange={(event) =>
                rule.private &&
                onChange({ ...rule, private: { ...rule.private, [field]: event.target.value } })
              }
            />
          ))}
        </span>
      ) : null}
      <select
        aria-label={`Rule ${n}: action`}
        value={rule.action}
        onChange={(event) => onChange(withAction(rule, event.target.value as RuleAction))}
      >
        {RULE_ACTIONS.map((action) => (
          <option key={action} value={action}>
            {ACTION_TEXT[action]}
          </option>
        ))}
      </select>
      {rule.action === 'replace' ? (
        <input
          aria-label={`Rule ${n}: new value`}
          placeholder="new value"
          value={rule.value ?? ''}
          onChange={(event) => onChange({ ...rule, value: event.target.value })}
        />
      ) : null}
      <button type="button" className="link" onClick={onRemove} aria-label={`Remove rule ${n}`}>
        Remove
      </button>
    </li>
  );
}

/** Custom rules that override the table for chosen attributes. */
export function RuleEditor({
  rules,
  onChange,
}: {
  rules: ProfileDraft['rules'];
  onChange: (rules: Rule[]) => void;
}) {
  return (
    <div className="rule-editor">
      {rules.length === 0 ? (
        <p className="hint">No custom rules: the table and the options above decide everything.</p>
      ) : null}
      <ol>
        {rules.map((rule, index) => (
          <RuleRow
            // Rules have no identity of their own; the position is what the profile file keeps too.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={index}
            rule={rule}
            index={index}
            onChange={(changed) => onChange(rules.map((r, i) => (i === index ? changed : r)))}
            onRemove={() => onChange(rules.filter((_r, i) => i !== index))}
          />
        ))}
      </ol>
      <button type="button" onClick={() => onChange([...rules, { keyword: '', action: 'keep' }])}>
        Add a rule
      </button>
    </div>
  );
}
