import { useEffect, useState } from 'react';
import type { PacsNodeView, PacsSent } from '../../../shared/ipc/pacs-contract.js';
import { deid, messageOf } from '../api.js';
import { DataTable } from './DataTable.js';
import { TransferProgress } from './TransferProgress.js';

const STATUS: Record<PacsSent['status'], string> = {
  sent: 'Sent',
  failed: 'Failed',
  'not-accepted': 'Not accepted',
  refused: 'Refused',
};

/** "Send to…" after a run: the run's written outputs go to a node, each file's fate listed. */
export function SendPanel({ onError }: { onError: (message: string) => void }) {
  const [nodes, setNodes] = useState<readonly PacsNodeView[]>([]);
  const [node, setNode] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<{ files: readonly PacsSent[]; cancelled: boolean } | null>(null);

  useEffect(() => {
    deid.pacsNodes().then(
      (list) => setNodes(list.nodes),
      (failure: unknown) => onError(messageOf(failure)),
    );
    return deid.on('pacs:sending', setProgress);
  }, [onError]);

  if (nodes.length === 0) return null;
  const chosen = node || nodes[0]!.name;
  const count = (status: PacsSent['status']) => result?.files.filter((f) => f.status === status).length ?? 0;

  const sendTo = () => {
    setResult(null);
    setProgress({ done: 0, total: 0 });
    deid
      .sendToPacs({ name: chosen })
      .then(setResult, (failure: unknown) => onError(messageOf(failure)))
      .finally(() => setProgress(null));
  };

  return (
    <div className="send-panel">
      <div className="button-row">
        <label>
          Send to{' '}
          <select value={chosen} onChange={(e) => setNode(e.target.value)} aria-label="Node to send to">
            {nodes.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={sendTo} disabled={progress !== null}>
          Send the outputs
        </button>
        {progress ? (
          <TransferProgress label="Send progress" text={`${progress.done} of ${progress.total} sent…`} />
        ) : null}
      </div>
      {result ? (
        <>
          <p role="status" aria-label="Send result">
            {result.cancelled ? 'Stopped: ' : ''}
            {count('sent')} sent, {count('failed') + count('not-accepted')} not sent, {count('refused')}{' '}
            refused (not de-identified)
          </p>
          <div className="pacs-table">
            <DataTable
              caption="Files sent"
              className="pacs-studies"
              rows={result.files.slice(0, 1000)}
              rowKey={(f) => f.file}
              columns={[
                { header: 'Status', cell: (f) => STATUS[f.status] },
                { header: 'Reason', cell: (f) => f.reason ?? '' },
                { header: 'File', cell: (f) => f.file, className: 'send-file', title: (f) => f.file },
              ]}
            />
          </div>
        </>
      ) : null}
    </div>
  );
}
