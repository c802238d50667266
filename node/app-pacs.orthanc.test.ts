import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOrthanc, OrthancInstance } from '../test/orthanc.js';
import { createAppPacs } from './app-pacs.js';

const SERIES = join(import.meta.dirname, '../assets/samples/patient-001/ct/series-01');
const CT = readdirSync(SERIES).map((n) => join(SERIES, n));

describe.skipIf(!hasOrthanc())('the app retrieving from a real Orthanc', () => {
  let hospital: OrthancInstance;
  let base: string;
  beforeAll(async () => {
    hospital = await OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { deid: ['DICOM-DEID', 1] } });
    await hospital.upload(CT);
    base = mkdtempSync(join(tmpdir(), 'app-pacs-'));
  });
  afterAll(async () => {
    await hospital?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('leaves nothing staged when cancelled, and stages every instance otherwise', async () => {
    const pacs = createAppPacs(join(base, 'pacs'));
    pacs.save('hospital', { aeTitle: 'HOSPITAL', host: '127.0.0.1', port: hospital.dicomPort }, undefined);
    const [study] = await pacs.find('hospital', { patientId: 'MRN9567370' });
    expect(study?.accessionNumber).toBe('ACC39547072');

    const cancelled = pacs.retrieve('hospital', [study!.studyInstanceUid], () => {});
    pacs.cancel();
    expect(await cancelled).toEqual({ retrieved: 0, cancelled: true });
    expect(readdirSync(join(base, 'pacs', 'staging'))).toEqual([]);

    const counts: number[] = [];
    const got = await pacs.retrieve('hospital', [study!.studyInstanceUid], (n) => counts.push(n));
    expect(got).toMatchObject({ retrieved: CT.length, cancelled: false });
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(existsSync(got.dir!)).toBe(true);
    expect(readdirSync(got.dir!).filter((n) => n.endsWith('.dcm'))).toHaveLength(CT.length);
  });

  it('verifies and searches a DICOMweb-only node with its sign-in, and says plainly when the sign-in is wrong', async () => {
    const pacs = createAppPacs(join(base, 'web'));
    pacs.save(
      'web',
      { dicomweb: hospital.dicomweb },
      { username: OrthancInstance.USER, password: OrthancInstance.PASSWORD },
    );
    expect(await pacs.verify('web')).toEqual({ reachable: true, via: 'dicomweb' });
    const studies = await pacs.find('web', { dateFrom: '20220101', dateTo: '20221231' });
    expect(studies.map((s) => s.accessionNumber)).toEqual(['ACC39547072']);

    pacs.save(
      'web',
      { dicomweb: hospital.dicomweb },
      { username: OrthancInstance.USER, password: 'no-such-password-77' },
    );
    const refused = await pacs.verify('web');
    expect(refused).toMatchObject({ reachable: false, via: 'dicomweb', failure: 'auth' });
    expect(JSON.stringify(refused)).not.toContain('no-such-password-77');
  });
});
