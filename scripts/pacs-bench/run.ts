// Transfer benchmark: instances/s for `dicom-deid pull` (C-MOVE → de-identify) then `dicom-deid push`
// (C-STORE) of a synthetic CT corpus between two local Orthancs, against dcmtk's movescu + storescu doing
// the same transfer without de-identification. Tools alternate within each round; medians are reported.
// Bundled and run by scripts/bench-pacs.mjs.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, OrthancInstance } from '../../test/orthanc.js';
import { studyFiles, writeSynthFile } from '../synth/index.js';

const { values } = parseArgs({
  options: { root: { type: 'string' }, runs: { type: 'string', default: '3' }, quick: { type: 'boolean' } },
});
const root = values.root!;
const runs = Number(values.runs);
const CLI = join(root, 'dist/cli/dicom-deid.js');
const perSeries = values.quick ? 10 : 50;

function run(cmd: string, args: string[]): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args[0]} failed (${r.status}): ${r.stderr.slice(-400)}`);
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function clear(o: OrthancInstance) {
  for (const id of await o.rest<string[]>('/patients')) await o.rest(`/patients/${id}`, { method: 'DELETE' });
}

const work = mkdtempSync(join(tmpdir(), 'pacs-bench-'));
const [ourPort, dcmtkPort] = [await freePort(), await freePort()];
const [hospital, research] = await Promise.all([
  OrthancInstance.start({
    aeTitle: 'HOSPITAL',
    modalities: { deid: ['DEID-BENCH', ourPort], dcmtk: ['DCMTK-BENCH', dcmtkPort] },
  }),
  OrthancInstance.start({ aeTitle: 'RESEARCH' }),
]);
try {
  const corpus = join(work, 'corpus');
  const options = {
    syntax: 'explicit-le',
    seed: 1,
    rows: 512,
    cols: 512,
    frames: 1,
    patients: 1,
    seriesPerPatient: 2,
    instancesPerSeries: perSeries,
  } as const;
  let instances = 0;
  const uploads: string[] = [];
  for (const file of studyFiles('CT', options)) {
    writeSynthFile(corpus, file);
    uploads.push(join(corpus, file.relativePath));
    instances++;
  }
  await hospital.upload(uploads);
  const [study] = await hospital.rest<string[]>('/studies');
  const studyUid = (await hospital.rest<{ MainDicomTags: { StudyInstanceUID: string } }>(`/studies/${study}`))
    .MainDicomTags.StudyInstanceUID;

  const nodes = join(work, 'nodes.yaml');
  const node = (o: OrthancInstance) => `{ aeTitle: ${o.aeTitle}, host: 127.0.0.1, port: ${o.dicomPort} }`;
  writeFileSync(
    nodes,
    `aeTitle: DEID-BENCH\nport: ${ourPort}\nnodes:\n  hospital: ${node(hospital)}\n  research: ${node(research)}\n`,
  );
  const key = join(work, 'bench.key');
  const ours: number[] = [];
  const dcmtk: number[] = [];
  for (let round = 0; round < runs; round++) {
    await clear(research);
    const out = join(work, `out-${round}`);
    const staging = join(work, 'staging');
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    chmodSync(staging, 0o700);
    const pull = run(process.execPath, [
      CLI,
      'pull',
      'hospital',
      '--study',
      studyUid,
      '--out',
      out,
      '--nodes',
      nodes,
      '--key-file',
      key,
      '--staging',
      staging,
      '--audit',
      join(work, `audit-${round}`),
    ]);
    const push = run(process.execPath, [CLI, 'push', 'research', out, '--nodes', nodes]);
    if ((await research.instanceIds()).length !== instances) throw new Error('not every instance arrived');
    ours.push(pull + push);

    await clear(research);
    const dir = join(work, `dcmtk-${round}`);
    mkdirSync(dir);
    const move = run('movescu', [
      '-S',
      '-aet',
      'DCMTK-BENCH',
      '-aec',
      'HOSPITAL',
      '-aem',
      'DCMTK-BENCH',
      '+P',
      String(dcmtkPort),
      '-od',
      dir,
      '-k',
      'QueryRetrieveLevel=STUDY',
      '-k',
      `StudyInstanceUID=${studyUid}`,
      '127.0.0.1',
      String(hospital.dicomPort),
    ]);
    const store = run('storescu', ['-aec', 'RESEARCH', '+sd', '127.0.0.1', String(research.dicomPort), dir]);
    if (readdirSync(dir).length !== instances) throw new Error('movescu did not retrieve every instance');
    dcmtk.push(move + store);
    process.stdout.write(
      `round ${round + 1}: dicom-deid pull ${pull.toFixed(2)} s + push ${push.toFixed(2)} s; ` +
        `movescu ${move.toFixed(2)} s + storescu ${store.toFixed(2)} s\n`,
    );
  }
  const rate = (s: number) => (instances / s).toFixed(1);
  process.stdout.write(
    `${instances} CT instances 512×512×16-bit, loopback, median of ${runs}:\n` +
      `  dicom-deid pull → de-identify → push: ${median(ours).toFixed(2)} s, ${rate(median(ours))} instances/s\n` +
      `  dcmtk movescu + storescu (no de-identification): ${median(dcmtk).toFixed(2)} s, ${rate(median(dcmtk))} instances/s\n` +
      `  ratio: ${(median(ours) / median(dcmtk)).toFixed(2)}× the dcmtk time\n`,
  );
} finally {
  await Promise.all([hospital.stop(), research.stop()]);
  rmSync(work, { recursive: true, force: true });
}
