import { deid } from '../api.js';

/** How far a retrieve or send has got, with the Cancel that stops it. */
export function TransferProgress({ label, text }: { label: string; text: string }) {
  return (
    <>
      <span role="status" aria-label={label}>
        {text}
      </span>
      <button type="button" onClick={() => void deid.cancelPacs()}>
        Cancel
      </button>
    </>
  );
}
