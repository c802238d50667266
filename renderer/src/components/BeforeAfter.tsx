import { type ReactNode, useEffect, useId, useState } from 'react';
import type { Comparison, HeaderChange, Inspection } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import { plural } from '../format.js';
import { DataTable } from './DataTable.js';

const CHANGE_WORDS: Readonly<Record<HeaderChange['change'], string>> = {
  changed: 'Changed',
  removed: 'Removed',
  added: 'Added',
};

const shown = (value: string | undefined) => (value === undefined ? '—' : value === '' ? '(empty)' : value);

/**
 * A value as the table shows it; one cut short ends in an ellipsis and shows itself whole while the pointer
 * is over it or the keyboard focus on it.
 */
function Value({ value, full }: { value: string | undefined; full: string | undefined }) {
  const id = useId();
  if (full === undefined) return <>{shown(value)}</>;
  return (
    <span className="cut-value">
      <button type="button" aria-describedby={id}>
        {shown(value)}
      </button>
      <span role="tooltip" id={id} className="full-value">
        {full}
      </span>
    </span>
  );
}

/**
 * The selected file as it is and as the run will write it, made by the engine in memory: the header's
 * differences, and the image with the regions that will be cleaned. Values are on screen only.
 */
export function BeforeAfter({
  inspection,
  profileVersion,
  image,
}: {
  inspection: Inspection;
  profileVersion: number;
  /** The inspector's image view: the original with the regions that will be cleaned, beside the copy. */
  image: ReactNode;
}) {
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { id } = inspection;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new profile or new boxes mean a new copy
  useEffect(() => {
    let current = true;
    setError(null);
    deid.compare({ id }).then(
      (answer) => current && setComparison(answer),
      (failure: unknown) => current && setError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [id, profileVersion, inspection.pixelRules]);

  if (error) {
    return (
      <p className="banner banner-error" role="alert">
        The de-identified copy cannot be shown: {error}
      </p>
    );
  }
  if (!comparison || comparison.id !== id) return <div className="before-after" aria-busy="true" />;
  if (comparison.unavailable) {
    return (
      <p className="note" role="status">
        {comparison.unavailable}
      </p>
    );
  }
  return (
    <div className="before-after">
      <p className="summary-line" role="status">
        Made in memory with the profile and key in force; nothing is written.{' '}
        {plural(comparison.changes.length, 'attribute')} differ, {comparison.unchanged.toLocaleString('en')}{' '}
        stay as they are.
      </p>
      <section aria-labelledby="before-after-header">
        <h3 id="before-after-header">Header</h3>
        <DataTable
          caption="Header before and after de-identification"
          className="data-table before-after-table"
          rows={comparison.changes}
          rowKey={(change) => `${change.path} ${change.tag}`}
          rowClass={(change) => `change-${change.change}`}
          columns={[
            {
              header: 'Attribute',
              className: 'attribute',
              cell: (change) => (
                <>
                  {change.path ? <span className="path">{change.path} </span> : null}
                  {change.keyword} <span className="tag">{change.tag}</span>
                </>
              ),
            },
            { header: 'Change', cell: (change) => CHANGE_WORDS[change.change], className: 'change' },
            {
              header: 'Before',
              cell: (change) => <Value value={change.before} full={change.beforeFull} />,
              className: 'value before',
            },
            {
              header: 'After',
              cell: (change) => <Value value={change.after} full={change.afterFull} />,
              className: 'value after',
            },
          ]}
        />
      </section>
      {image ? (
        <section aria-labelledby="before-after-image">
          <h3 id="before-after-image">Image</h3>
          <p className="hint" data-testid="before-after-pixels">
            {comparison.pixels}
          </p>
          {image}
        </section>
      ) : null}
    </div>
  );
}
