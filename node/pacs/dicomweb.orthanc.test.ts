import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOrthanc, OrthancInstance } from '../../test/orthanc.js';
import { qido, stow, type WebPeer, wadoStudy } from './dicomweb.js';
import { readOutgoing, StagingFolder } from './part10.js';

const SAMPLES = join(import.meta.dirname, '../../assets/samples');
const CT = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-001/ct/series-01/000${n}.dcm`));
const MR = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-002/mr/series-01/000${n}.dcm`));
const bytesOf = (p: string) => Buffer.from(readOutgoing(p).dataset).toString('base64');

describe.skipIf(!hasOrthanc())('DICOMweb against a real Orthanc', () => {
  let hospital: OrthancInstance;
  let research: OrthancInstance;
  let work: string;
  const web = (o: OrthancInstance, name: string): WebPeer => ({
    name,
    url: o.dicomweb,
    credential: { username: OrthancInstance.USER, password: OrthancInstance.PASSWORD },
    timeoutMs: 10_000,
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dicomweb-test-'));
    [hospital, research] = await Promise.all([
      OrthancInstance.start({ aeTitle: 'HOSPITAL' }),
      OrthancInstance.start({ aeTitle: 'RESEARCH' }),
    ]);
    await hospital.upload([...CT, ...MR]);
  });
  afterAll(async () => {
    await Promise.all([hospital?.stop(), research?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('QIDO-RS finds studies by patient ID and by date range, and series of a study', async () => {
    const byId = await qido(web(hospital, 'h'), { level: 'study', patientId: 'MRN9567370' });
    expect(byId).toHaveLength(1);
    expect(byId[0]).toMatchObject({
      PatientName: 'DOE^JANE^M',
      StudyDate: '20220701',
      ModalitiesInStudy: 'CT',
    });
    const byDate = await qido(web(hospital, 'h'), {
      level: 'study',
      dateFrom: '20190101',
      dateTo: '20201231',
    });
    expect(byDate.map((m) => m.PatientID)).toEqual(['MRN1550437']);
    const series = await qido(web(hospital, 'h'), {
      level: 'series',
      studyInstanceUid: byId[0]!.StudyInstanceUID!,
    });
    expect(series).toEqual([
      expect.objectContaining({ Modality: 'CT', NumberOfSeriesRelatedInstances: '4' }),
    ]);
  });

  it('WADO-RS streams a study to the staging folder byte for byte', async () => {
    const [study] = await qido(web(hospital, 'h'), { level: 'study', patientId: 'MRN1550437' });
    const staging = new StagingFolder(join(work, 'wado'));
    const n = await wadoStudy(web(hospital, 'h'), study!.StudyInstanceUID!, staging);
    expect(n).toBe(4);
    const names = readdirSync(staging.dir);
    expect(names.filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(new Set(names.map((f) => bytesOf(join(staging.dir, f))))).toEqual(new Set(MR.map(bytesOf)));
  });

  it('STOW-RS stores the files unchanged and reports each one', async () => {
    const results = await stow(web(research, 'r'), CT);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const ids = await research.instanceIds();
    const stored = new Set<string>();
    for (const id of ids) {
      const path = join(work, `${id}.dcm`);
      writeFileSync(path, await research.instanceFile(id));
      stored.add(bytesOf(path));
    }
    expect(stored).toEqual(new Set(CT.map(bytesOf)));
  });

  it('wrong credentials are an authentication error, not a crash', async () => {
    const peer = { ...web(hospital, 'h'), credential: { username: 'tester', password: 'wrong' } };
    await expect(qido(peer, { level: 'study' })).rejects.toMatchObject({ code: 'auth' });
  });
});

describe('DICOMweb bearer authentication and bad answers', () => {
  let server: Server;
  let url: string;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url?.startsWith('/silent')) {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=B' });
        res.write('\r\n--B\r\nContent-Type: application/dicom\r\n\r\nDICM');
        return; // and never another byte
      }
      if (req.url?.startsWith('/broken')) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end('{"not": "a list"');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the bearer token', async () => {
    await qido({ name: 'fake', url, credential: { token: 'tok-123' } }, { level: 'study' });
    expect(seen.at(-1)).toBe('Bearer tok-123');
  });

  it('a malformed search answer is a protocol error', async () => {
    await expect(qido({ name: 'fake', url: `${url}/broken` }, { level: 'study' })).rejects.toMatchObject({
      code: 'protocol',
    });
  });

  it('a peer that stops sending mid-retrieve times out and leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wado-silent-'));
    try {
      const staging = new StagingFolder(join(dir, 's'));
      await expect(
        wadoStudy({ name: 'fake', url: `${url}/silent`, timeoutMs: 800 }, '1.2.3', staging),
      ).rejects.toMatchObject({ code: 'timeout' });
      expect(readdirSync(staging.dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
