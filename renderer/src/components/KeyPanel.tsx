import { useEffect, useState } from 'react';
import type { KeyState } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';

/**
 * The project key: pseudonyms, new UIDs and date shifts are derived from it, so sites that share it get
 * the same results. Only its fingerprint is ever shown.
 */
export function KeyPanel({
  onChanged,
  onError,
}: {
  onChanged: () => void;
  onError: (message: string) => void;
}) {
  const [key, setKey] = useState<KeyState | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState('');

  useEffect(() => {
    deid.getKey().then(setKey, (error: unknown) => onError(messageOf(error)));
  }, [onError]);

  const run = async (action: () => Promise<KeyState | null>, done: string) => {
    try {
      const result = await action();
      if (!result) return;
      setKey(result);
      setNote(done);
      onChanged();
    } catch (error) {
      onError(messageOf(error));
    }
  };
  const create = () => {
    setConfirming(false);
    void run(() => deid.createKey(), 'A new key was created.');
  };
  const exportKey = async () => {
    try {
      const saved = await deid.exportKey();
      if (saved) setNote(`Key saved to ${saved.savedTo}. Keep it as safe as the original images.`);
    } catch (error) {
      onError(messageOf(error));
    }
  };

  return (
    <section className="panel" aria-labelledby="key-title">
      <h2 id="key-title">Project key</h2>
      <p className="hint">
        New UIDs, pseudonyms and date shifts are worked out from this key, so the same patient gets the same
        pseudonym every time. Share it only with sites that must produce matching results.
      </p>
      <dl className="key-facts">
        <dt>Fingerprint</dt>
        <dd className="fingerprint" data-testid="key-fingerprint">
          {key?.fingerprint ?? 'No key yet: one is made the first time it is needed.'}
        </dd>
        <dt>Stored in</dt>
        <dd className="path" data-testid="key-location">
          {key?.location ?? ''}
        </dd>
      </dl>
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-labelledby="replace-key">
          <p id="replace-key">
            Replace the key? Files de-identified from now on will get different pseudonyms and UIDs than
            before. The current key is kept beside the new one, named after its fingerprint.
          </p>
          <button type="button" className="danger" onClick={create}>
            Replace the key
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep the current key
          </button>
        </div>
      ) : (
        <div className="button-row">
          <button type="button" onClick={() => (key?.fingerprint ? setConfirming(true) : create())}>
            Create a new key
          </button>
          <button type="button" onClick={() => void run(() => deid.importKey(), 'The key was imported.')}>
            Import a key…
          </button>
          <button type="button" onClick={() => void exportKey()} disabled={!key?.fingerprint}>
            Export the key…
          </button>
        </div>
      )}
      <p className="note" role="status">
        {note}
      </p>
    </section>
  );
}
