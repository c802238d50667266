import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { getPreset } from '../../shared/profile/index.js';
import { freePort, hasOrthanc, OrthancInstance } from '../../test/orthanc.js';
import { walkInputs } from '../inputs.js';
import type { PeerNode } from './nodes.js';
import { send } from './peer.js';
import { pullAndDeidentify } from './pull.js';
import { notReleasable, releaseList } from './releasable.js';

const SAMPLES = join(import.meta.dirname, '../../assets/samples');
const PHI: string[] = (JSON.parse(readFileSync(join(SAMPLES, 'phi.json'), 'utf8')) as { strings: string[] })
  .strings;
const US_AE = 'DEID-TEST';
const key = keyFromBytes(new Uint8Array(32).fill(7));

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of walkInputs([dir])) if (e.kind === 'file') files.push(e.path);
  return files;
}

const uidOf = (path: string, tag: string) =>
  /\[([0-9.]+)\]/.exec(spawnSync('dcmdump', ['+P', tag, path], { encoding: 'latin1' }).stdout)?.[1] ?? '';

/** Every original identifier, searched for in the stored bytes as UTF-8 and as Latin-1, whatever the case. */
function residualPhi(bytes: Uint8Array): string[] {
  const texts = [
    Buffer.from(bytes).toString('latin1').toLowerCase(),
    Buffer.from(bytes).toString('utf8').toLowerCase(),
  ];
  return PHI.filter((s) => texts.some((t) => t.includes(s.toLowerCase())));
}

describe.skipIf(!hasOrthanc())('pull → de-identify → push between two real Orthancs', () => {
  let hospital: OrthancInstance;
  let research: OrthancInstance;
  let work: string;
  let scpPort: number;
  const originalStudies = new Set<string>();
  const node = (o: OrthancInstance, name: string): PeerNode => ({
    name,
    aeTitle: o.aeTitle,
    host: '127.0.0.1',
    port: o.dicomPort,
    dicomweb: o.dicomweb,
    credential: { username: OrthancInstance.USER, password: OrthancInstance.PASSWORD },
  });
  const batch = (out: string) => ({
    outDir: out,
    profile: getPreset('basic'),
    key,
    toolVersion: '0.1.0',
    workers: 0,
    verify: true,
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pull-push-'));
    scpPort = await freePort();
    [hospital, research] = await Promise.all([
      OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { deid: [US_AE, scpPort] } }),
      OrthancInstance.start({ aeTitle: 'RESEARCH' }),
    ]);
    const all = await filesUnder(SAMPLES);
    const dicom = all.filter((p) => p.endsWith('.dcm'));
    for (const p of dicom) originalStudies.add(uidOf(p, '0020,000d'));
    await hospital.upload(dicom);
  });
  afterAll(async () => {
    await Promise.all([hospital?.stop(), research?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  /** What the research archive holds: every instance's file, checked for identifiers and grouping. */
  async function checkResearch(expectedInstances: number, expectedStudies: number) {
    const ids = await research.instanceIds();
    expect(ids).toHaveLength(expectedInstances);
    expect(await research.rest<string[]>('/studies')).toHaveLength(expectedStudies);
    const studyOfSeries = new Map<string, string>();
    for (const id of ids) {
      const file = await research.instanceFile(id);
      expect(residualPhi(file)).toEqual([]);
      const path = join(work, `check-${id}.dcm`);
      writeFileSync(path, file);
      expect(notReleasable(path)).toBeUndefined();
      const study = uidOf(path, '0020,000d');
      const series = uidOf(path, '0020,000e');
      expect(originalStudies.has(study)).toBe(false);
      // Grouping survived: a series never straddles two studies.
      expect(studyOfSeries.get(series) ?? study).toBe(study);
      studyOfSeries.set(series, study);
      rmSync(path);
    }
    return studyOfSeries;
  }

  it('DIMSE: C-FIND by patient ID, C-MOVE into staging, de-identify, C-STORE; staging is gone', async () => {
    const out = join(work, 'out-dimse');
    const stagingRoot = join(work, 'staging');
    const local = { aeTitle: US_AE, port: scpPort, timeoutMs: 10_000 };
    const pulled = await pullAndDeidentify({
      node: node(hospital, 'hospital'),
      via: 'dimse',
      local,
      studies: { level: 'study', patientId: 'MRN9567370' },
      stagingRoot,
      batch: batch(out),
    });
    // The ultrasound study's images carry burned-in text: the detector cleans it, and they are sent too.
    expect(pulled).toMatchObject({ studies: 2, retrieved: 6, batch: { written: 6, held: 0, failed: 0 } });
    expect(readdirSync(stagingRoot)).toEqual([]);
    const { send: outputs, refused } = await releaseList([out]);
    expect(refused).toEqual([]);
    const results = await send(node(research, 'research'), 'dimse', local, outputs);
    expect(results.map((r) => r.status)).toEqual(outputs.map(() => 'sent'));
    const series = await checkResearch(6, 2);
    expect(series.size).toBe(2);
  });

  it('DICOMweb: QIDO-RS by date range, WADO-RS into staging, de-identify, STOW-RS', async () => {
    const out = join(work, 'out-web');
    const local = { aeTitle: US_AE, timeoutMs: 10_000 };
    const pulled = await pullAndDeidentify({
      node: node(hospital, 'hospital'),
      via: 'dicomweb',
      local,
      studies: { level: 'study', dateFrom: '20200101', dateTo: '20201231' },
      stagingRoot: join(work, 'staging-web'),
      batch: batch(out),
    });
    expect(pulled).toMatchObject({ studies: 1, retrieved: 4, batch: { written: 4, failed: 0 } });
    const { send: outputs, refused } = await releaseList([out]);
    expect(refused).toEqual([]);
    const results = await send(node(research, 'research'), 'dicomweb', local, outputs);
    expect(results.map((r) => r.status)).toEqual(outputs.map(() => 'sent'));
    await checkResearch(10, 3);
  });

  it('C-GET when we have no storage port; the same study pulled twice maps to the same pseudonymous UIDs', async () => {
    const out = join(work, 'out-get');
    const pulled = await pullAndDeidentify({
      node: node(hospital, 'hospital'),
      via: 'dimse',
      local: { aeTitle: US_AE, timeoutMs: 10_000 },
      studies: { level: 'study', patientId: 'MRN1550437' },
      stagingRoot: join(work, 'staging-get'),
      batch: batch(out),
    });
    expect(pulled).toMatchObject({ studies: 1, retrieved: 4, batch: { written: 4 } });
    const { send: outputs } = await releaseList([out]);
    expect(outputs).toHaveLength(4);
    // Pushing again adds nothing: the keyed UIDs are those the DICOMweb test already sent.
    await send(node(research, 'research'), 'dimse', { aeTitle: US_AE }, outputs);
    await checkResearch(10, 3);
  });

  it('push refuses files that were not de-identified', () => {
    const original = join(SAMPLES, 'patient-001/ct/series-01/0001.dcm');
    expect(notReleasable(original)).toBe('identified');
    // The archive check above can fail: it finds the identifiers in an original.
    expect(residualPhi(readFileSync(original))).toContain('MRN9567370');
  });
});
