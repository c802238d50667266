import { type FormEvent, useEffect, useState } from 'react';
import type {
  PacsNodes,
  PacsNodeView,
  PacsQuery,
  PacsStudy,
  PacsVerdict,
} from '../../../shared/ipc/pacs-contract.js';
import { deid, messageOf } from '../api.js';
import { DataTable } from '../components/DataTable.js';
import { TransferProgress } from '../components/TransferProgress.js';

interface Props {
  readonly onError: (message: string) => void;
  /** Called once retrieved studies have joined the file list. */
  readonly onRetrieved: () => void;
}

const FAILURES: Record<string, string> = {
  unreachable: 'nothing answers at this address and port',
  refused: 'the node refused the connection',
  'ae-rejected': 'the node does not accept our AE title, or its own AE title is wrong',
  timeout: 'the node did not answer in time',
  auth: 'the node refused the sign-in',
  protocol: 'the node answered with something that is not DICOM',
  status: 'the node answered with an error',
  'not-accepted': 'the node cannot be reached this way',
};

function verdictText(verdict: PacsVerdict): string {
  if (verdict.reachable) return `Reachable (${verdict.via === 'dimse' ? 'DICOM' : 'DICOMweb'}).`;
  return `Not reachable: ${FAILURES[verdict.failure] ?? verdict.failure}.`;
}

const empty = {
  name: '',
  aeTitle: '',
  host: '',
  port: '',
  dicomweb: '',
  tls: false,
  username: '',
  password: '',
};
type Form = typeof empty;

const formOf = (node: PacsNodeView): Form => ({
  ...empty,
  name: node.name,
  aeTitle: node.aeTitle ?? '',
  host: node.host ?? '',
  port: node.port ? String(node.port) : '',
  dicomweb: node.dicomweb ?? '',
  tls: node.tls ?? false,
});

const field = (value: string) => (value.trim() === '' ? undefined : value.trim());
const dicomDate = (value: string) => field(value.replaceAll('-', ''));

/** Nodes: list, define or edit one, verify it. The secret of a sign-in is entered here and never shown. */
function NodesPanel({
  nodes,
  onChanged,
  onError,
}: {
  nodes: PacsNodes | null;
  onChanged: (nodes: PacsNodes) => void;
  onError: (message: string) => void;
}) {
  const [form, setForm] = useState<Form>(empty);
  const [verdicts, setVerdicts] = useState<Record<string, string>>({});
  const set = (key: keyof Form) => (event: { target: { value: string; checked?: boolean } }) =>
    setForm((f) => ({ ...f, [key]: key === 'tls' ? Boolean(event.target.checked) : event.target.value }));

  const save = (event: FormEvent) => {
    event.preventDefault();
    const port = field(form.port);
    const username = field(form.username);
    deid
      .savePacsNode({
        name: form.name.trim(),
        node: {
          ...(field(form.aeTitle) ? { aeTitle: form.aeTitle.trim() } : {}),
          ...(field(form.host) ? { host: form.host.trim() } : {}),
          ...(port ? { port: Number(port) } : {}),
          ...(form.tls ? { tls: true } : {}),
          ...(field(form.dicomweb) ? { dicomweb: form.dicomweb.trim() } : {}),
        },
        ...(username ? { signIn: { username, password: form.password } } : {}),
      })
      .then((saved) => {
        onChanged(saved);
        setForm(empty);
      }, onError);
  };

  const verify = (name: string) => {
    setVerdicts((v) => ({ ...v, [name]: 'Checking…' }));
    deid.verifyPacsNode({ name }).then(
      (verdict) => setVerdicts((v) => ({ ...v, [name]: verdictText(verdict) })),
      (failure: unknown) => setVerdicts((v) => ({ ...v, [name]: messageOf(failure) })),
    );
  };

  return (
    <section className="panel pacs-nodes" aria-labelledby="pacs-nodes-title">
      <h2 id="pacs-nodes-title">Nodes</h2>
      {nodes && nodes.nodes.length > 0 ? (
        <ul className="pacs-node-list">
          {nodes.nodes.map((node) => (
            <li key={node.name}>
              <strong>{node.name}</strong>{' '}
              <span className="hint">
                {node.aeTitle
                  ? `${node.aeTitle} at ${node.host}:${node.port}${node.tls ? ' (TLS)' : ''}`
                  : ''}
                {node.aeTitle && node.dicomweb ? ' · ' : ''}
                {node.dicomweb ? 'DICOMweb' : ''}
                {node.signIn !== 'none' ? ' · signs in' : ''}
              </span>
              <div className="button-row">
                <button type="button" onClick={() => verify(node.name)} aria-label={`Verify ${node.name}`}>
                  Verify
                </button>
                <button type="button" onClick={() => setForm(formOf(node))} aria-label={`Edit ${node.name}`}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() => deid.removePacsNode({ name: node.name }).then(onChanged, onError)}
                  aria-label={`Remove ${node.name}`}
                >
                  Remove
                </button>
              </div>
              {verdicts[node.name] ? (
                <p role="status" aria-label={`${node.name} verification`}>
                  {verdicts[node.name]}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">No node yet. Add the PACS you import from and the archives you send to.</p>
      )}
      <form className="pacs-form" onSubmit={save} aria-label="Node">
        <label>
          Name <input value={form.name} onChange={set('name')} required maxLength={64} />
        </label>
        <label>
          AE title <input value={form.aeTitle} onChange={set('aeTitle')} maxLength={16} />
        </label>
        <label>
          Host <input value={form.host} onChange={set('host')} />
        </label>
        <label>
          Port <input value={form.port} onChange={set('port')} inputMode="numeric" />
        </label>
        <label className="check">
          <input type="checkbox" checked={form.tls} onChange={set('tls')} /> TLS
        </label>
        <label>
          DICOMweb URL <input value={form.dicomweb} onChange={set('dicomweb')} type="url" />
        </label>
        <label>
          DICOMweb user <input value={form.username} onChange={set('username')} autoComplete="off" />
        </label>
        <label>
          Password{' '}
          <input value={form.password} onChange={set('password')} type="password" autoComplete="off" />
        </label>
        <p className="hint">
          Our AE title: {nodes?.aeTitle ?? '…'}. A saved password is kept on this computer only.
        </p>
        <button type="submit" className="primary">
          Save node
        </button>
      </form>
    </section>
  );
}

/** Search a node for studies, pick some, retrieve them into the file list. */
function ImportPanel({ nodes, onError, onRetrieved }: Props & { nodes: PacsNodes | null }) {
  const [node, setNode] = useState('');
  const [query, setQuery] = useState({
    patientId: '',
    patientName: '',
    accession: '',
    from: '',
    to: '',
    modality: '',
  });
  const [studies, setStudies] = useState<readonly PacsStudy[] | null>(null);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState('');
  const chosen = node || nodes?.nodes[0]?.name || '';

  useEffect(() => deid.on('pacs:progress', ({ retrieved }) => setProgress(retrieved)), []);

  const search = (event: FormEvent) => {
    event.preventDefault();
    const q: PacsQuery = {
      ...(field(query.patientId) ? { patientId: query.patientId.trim() } : {}),
      ...(field(query.patientName) ? { patientName: query.patientName.trim() } : {}),
      ...(field(query.accession) ? { accessionNumber: query.accession.trim() } : {}),
      ...(dicomDate(query.from) ? { dateFrom: dicomDate(query.from) } : {}),
      ...(dicomDate(query.to) ? { dateTo: dicomDate(query.to) } : {}),
      ...(field(query.modality) ? { modality: query.modality.trim().toUpperCase() } : {}),
    };
    setStudies(null);
    setPicked(new Set());
    deid.findInPacs({ name: chosen, query: q }).then((found) => setStudies(found.studies), onError);
  };

  const retrieve = () => {
    setProgress(0);
    setOutcome('');
    deid
      .retrieveFromPacs({ name: chosen, studies: [...picked] })
      .then(
        (got) => {
          setOutcome(
            got.cancelled
              ? 'Cancelled: nothing was added to the list.'
              : `${got.retrieved} instance${got.retrieved === 1 ? '' : 's'} added to the file list.`,
          );
          if (!got.cancelled) onRetrieved();
        },
        (failure: unknown) => setOutcome(`The retrieve failed: ${messageOf(failure)}`),
      )
      .finally(() => setProgress(null));
  };

  const toggle = (uid: string) =>
    setPicked((p) => {
      const next = new Set(p);
      if (next.has(uid)) next.delete(uid);
      else next.add(uid);
      return next;
    });

  const setQ = (key: keyof typeof query) => (event: { target: { value: string } }) =>
    setQuery((q) => ({ ...q, [key]: event.target.value }));

  return (
    <section className="panel pacs-import" aria-labelledby="pacs-import-title">
      <h2 id="pacs-import-title">Import from PACS</h2>
      <form className="pacs-form" onSubmit={search} aria-label="Search">
        <label>
          Node{' '}
          <select value={chosen} onChange={(e) => setNode(e.target.value)}>
            {nodes?.nodes.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Patient ID <input value={query.patientId} onChange={setQ('patientId')} />
        </label>
        <label>
          Patient name <input value={query.patientName} onChange={setQ('patientName')} />
        </label>
        <label>
          Accession <input value={query.accession} onChange={setQ('accession')} />
        </label>
        <label>
          From <input type="date" value={query.from} onChange={setQ('from')} />
        </label>
        <label>
          To <input type="date" value={query.to} onChange={setQ('to')} />
        </label>
        <label>
          Modality <input value={query.modality} onChange={setQ('modality')} maxLength={16} />
        </label>
        <button type="submit" className="primary" disabled={!chosen || progress !== null}>
          Search
        </button>
      </form>
      {studies ? (
        <div className="pacs-table">
          <DataTable
            caption="Studies found"
            className="pacs-studies"
            rows={studies}
            rowKey={(s) => s.studyInstanceUid}
            columns={[
              {
                header: 'Pick',
                cell: (s) => (
                  <input
                    type="checkbox"
                    checked={picked.has(s.studyInstanceUid)}
                    onChange={() => toggle(s.studyInstanceUid)}
                    aria-label={`Pick study ${s.accessionNumber || s.studyDate}`}
                  />
                ),
              },
              { header: 'Patient ID', cell: (s) => s.patientId },
              { header: 'Name', cell: (s) => s.patientName },
              { header: 'Date', cell: (s) => s.studyDate },
              { header: 'Accession', cell: (s) => s.accessionNumber },
              { header: 'Modalities', cell: (s) => s.modalities },
              { header: 'Description', cell: (s) => s.description },
              { header: 'Instances', cell: (s) => s.instances },
            ]}
          />
        </div>
      ) : null}
      {studies ? (
        <p role="status" aria-label="Search result">
          {studies.length} stud{studies.length === 1 ? 'y' : 'ies'} found
        </p>
      ) : null}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={picked.size === 0 || progress !== null}
          onClick={retrieve}
        >
          Retrieve {picked.size > 0 ? picked.size : ''} into the file list
        </button>
        {progress !== null ? (
          <TransferProgress
            label="Retrieve progress"
            text={`${progress} instance${progress === 1 ? '' : 's'} retrieved…`}
          />
        ) : null}
      </div>
      {outcome ? (
        <p role="status" aria-label="Retrieve outcome">
          {outcome}
        </p>
      ) : null}
    </section>
  );
}

/** The PACS screen: the nodes, and importing studies from one of them. */
export function PacsScreen({ onError, onRetrieved }: Props) {
  const [nodes, setNodes] = useState<PacsNodes | null>(null);
  useEffect(() => {
    deid.pacsNodes().then(setNodes, (failure: unknown) => onError(messageOf(failure)));
  }, [onError]);
  const reportError = (failure: unknown) => onError(messageOf(failure));
  return (
    <div className="pacs-screen">
      <NodesPanel nodes={nodes} onChanged={setNodes} onError={reportError} />
      <ImportPanel nodes={nodes} onError={reportError} onRetrieved={onRetrieved} />
    </div>
  );
}
