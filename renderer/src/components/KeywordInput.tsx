import { useId, useMemo } from 'react';
import { allKeywords } from '../../../shared/dictionary/index.js';

const KEYWORDS = allKeywords().sort();
const LIMIT = 40;

/** A text box that suggests DICOM keywords (PS3.6) as you type: prefix matches first, then the rest. */
export function KeywordInput({
  value,
  onChange,
  label,
}: {
  value: string;
  onChange: (keyword: string) => void;
  label: string;
}) {
  const listId = useId();
  const suggestions = useMemo(() => {
    const needle = value.trim().toLowerCase();
    if (!needle) return [];
    const starts = KEYWORDS.filter((keyword) => keyword.toLowerCase().startsWith(needle));
    const contains = KEYWORDS.filter(
      (keyword) => !keyword.toLowerCase().startsWith(needle) && keyword.toLowerCase().includes(needle),
    );
    return [...starts, ...contains].slice(0, LIMIT);
  }, [value]);
  return (
    <>
      <input
        aria-label={label}
        list={listId}
        value={value}
        spellCheck={false}
        autoComplete="off"
        placeholder="e.g. ImageComments"
        onChange={(event) => onChange(event.target.value)}
      />
      <datalist id={listId}>
        {suggestions.map((keyword) => (
          <option key={keyword} value={keyword} />
        ))}
      </datalist>
    </>
  );
}
