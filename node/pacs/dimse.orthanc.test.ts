import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasOrthanc, OrthancInstance } from '../../test/orthanc.js';
import { type DimsePeer, echo, find, getStudy, moveStudy, store } from './dimse.js';
import { readOutgoing, StagingFolder } from './part10.js';
import { StorageScp } from './storage-scp.js';

const SAMPLES = join(import.meta.dirname, '../../assets/samples');
const CT = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-001/ct/series-01/000${n}.dcm`));
const US = [1, 2].map((n) => join(SAMPLES, `patient-001/us/series-01/000${n}.dcm`));
const MR = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-002/mr/series-01/000${n}.dcm`));
const CT_STUDY = readOutgoingStudy(CT[0]!);

function readOutgoingStudy(path: string): string {
  const r = spawnSync('dcmdump', ['+P', '0020,000d', path], { encoding: 'latin1' });
  return /\[([0-9.]+)\]/.exec(r.stdout)?.[1] ?? '';
}

const US_AE = 'DEID-TEST';

describe.skipIf(!hasOrthanc())('DIMSE against a real Orthanc', () => {
  let hospital: OrthancInstance;
  let research: OrthancInstance;
  let scpPort: number;
  let work: string;
  const call = { callingAeTitle: US_AE, timeoutMs: 10_000 };
  const peer = (o: OrthancInstance, name: string): DimsePeer => ({
    name,
    aeTitle: o.aeTitle,
    host: '127.0.0.1',
    port: o.dicomPort,
  });

  beforeAll(async () => {
    scpPort = await freePort();
    work = mkdtempSync(join(tmpdir(), 'dimse-test-'));
    [hospital, research] = await Promise.all([
      OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { deid: [US_AE, scpPort] } }),
      OrthancInstance.start({ aeTitle: 'RESEARCH' }),
    ]);
    await hospital.upload([...CT, ...US, ...MR]);
  });
  afterAll(async () => {
    await Promise.all([hospital?.stop(), research?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('C-ECHO: reachable, wrong AE title, nothing listening', async () => {
    expect(await echo(peer(hospital, 'hospital'), call)).toEqual({ reachable: true });
    const wrong = await echo({ ...peer(hospital, 'hospital'), aeTitle: 'NOT-HOSPITAL' }, call);
    expect(wrong).toMatchObject({ reachable: false, failure: 'ae-rejected' });
    const closed = await echo({ ...peer(hospital, 'hospital'), port: await freePort() }, call);
    expect(closed).toMatchObject({ reachable: false, failure: 'refused' });
  });

  it('C-FIND by patient ID, name, date range, modality and accession; series of a study', async () => {
    const byId = await find(peer(hospital, 'h'), call, { level: 'study', patientId: 'MRN9567370' });
    expect(byId.map((m) => m.StudyDate).sort()).toEqual(['20180208', '20220701']);
    const byDate = await find(peer(hospital, 'h'), call, {
      level: 'study',
      dateFrom: '20190101',
      dateTo: '20201231',
    });
    expect(byDate.map((m) => m.PatientID)).toEqual(['MRN1550437']);
    const byModality = await find(peer(hospital, 'h'), call, { level: 'study', modality: 'CT' });
    expect(byModality.map((m) => m.StudyInstanceUID)).toEqual([CT_STUDY]);
    const byAccession = await find(peer(hospital, 'h'), call, {
      level: 'study',
      accessionNumber: 'ACC39547072',
    });
    expect(byAccession).toHaveLength(1);
    const patients = await find(peer(hospital, 'h'), call, { level: 'patient', patientName: 'DOE*' });
    expect(patients).toEqual([
      { PatientID: 'MRN9567370', PatientName: 'DOE^JANE^M', NumberOfPatientRelatedStudies: '2' },
    ]);
    const series = await find(peer(hospital, 'h'), call, { level: 'series', studyInstanceUid: CT_STUDY });
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ Modality: 'CT', NumberOfSeriesRelatedInstances: '4' });
  });

  it('C-GET streams a study into the staging folder byte for byte, owner-only', async () => {
    const staging = new StagingFolder(join(work, 'get'));
    const got: string[] = [];
    const counts = await getStudy(peer(hospital, 'h'), call, CT_STUDY, staging, (p) => got.push(p));
    expect(counts).toMatchObject({ completed: 4, failed: 0 });
    expect(got).toHaveLength(4);
    expect(readdirSync(staging.dir).filter((n) => n.endsWith('.part'))).toEqual([]);
    const originals = new Set(CT.map((p) => Buffer.from(readOutgoing(p).dataset).toString('base64')));
    expect(statSync(staging.dir).mode & 0o777).toBe(0o700);
    for (const p of got) {
      expect(statSync(p).mode & 0o777).toBe(0o600);
      expect(originals.has(Buffer.from(readOutgoing(p).dataset).toString('base64'))).toBe(true);
      expect(spawnSync('dcmdump', [p]).status).toBe(0);
    }
  });

  it('C-MOVE to our storage SCP; the staged files are the originals', async () => {
    const staging = new StagingFolder(join(work, 'move'));
    const stored: string[] = [];
    const scp = await StorageScp.listen({
      aeTitle: US_AE,
      port: scpPort,
      staging,
      onStored: (p) => void stored.push(p),
      callers: ['HOSPITAL'],
    });
    try {
      const counts = await moveStudy(peer(hospital, 'h'), call, CT_STUDY, US_AE);
      expect(counts).toMatchObject({ completed: 4, failed: 0 });
      expect(stored).toHaveLength(4);
      // Nobody else may store into the staging folder meanwhile.
      const ours = { name: 'scp', aeTitle: US_AE, host: '127.0.0.1', port: scpPort };
      expect(await echo(ours, { ...call, callingAeTitle: 'INTRUDER' })).toMatchObject({
        failure: 'ae-rejected',
      });
      expect(await echo(ours, { ...call, callingAeTitle: 'HOSPITAL' })).toEqual({ reachable: true });
    } finally {
      scp.close();
    }
  });

  it('C-STORE sends the file bytes unchanged, in their own syntax', async () => {
    const results = await store(peer(research, 'research'), call, MR);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const ids = await research.instanceIds();
    expect(ids).toHaveLength(4);
    const sent = new Set(MR.map((p) => Buffer.from(readOutgoing(p).dataset).toString('base64')));
    for (const id of ids) {
      const file = await research.instanceFile(id);
      const written = join(work, `${id}.dcm`);
      writeFileSync(written, file);
      expect(sent.has(Buffer.from(readOutgoing(written).dataset).toString('base64'))).toBe(true);
    }
  });
});
