import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasOrthanc, OrthancInstance } from '../test/orthanc.js';
import { hasTool } from '../test/tools.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const SAMPLES = join(ROOT, 'assets/samples');
const CT = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-001/ct/series-01/000${n}.dcm`));
const US = [1, 2].map((n) => join(SAMPLES, `patient-001/us/series-01/000${n}.dcm`));
const PHI: string[] = (JSON.parse(readFileSync(join(SAMPLES, 'phi.json'), 'utf8')) as { strings: string[] })
  .strings;
const SECRET = 'not-a-secret';
const US_AE = 'DEID-CLI';

const residualPhi = (bytes: Uint8Array) => {
  const text = Buffer.from(bytes).toString('latin1').toLowerCase();
  return PHI.filter(
    (s) =>
      text.includes(Buffer.from(s, 'utf8').toString('latin1').toLowerCase()) ||
      text.includes(s.toLowerCase()),
  );
};

describe.skipIf(!hasOrthanc() || !hasTool('storescu'))('dicom-deid echo, find, pull, push, gateway', () => {
  let hospital: OrthancInstance;
  let research: OrthancInstance;
  let dir: string;
  let nodes: string;
  let scpPort: number;
  // The gateway's, as it says when it starts on a port the system chose (one picked ahead could be taken by
  // then: every connection the tests make borrows a port from the same range).
  let gatewayPort = 0;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args, '--nodes', nodes, '--timeout', '10'], { encoding: 'utf8' });

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    dir = mkdtempSync(join(tmpdir(), 'pacs-cli-'));
    scpPort = await freePort();
    [hospital, research] = await Promise.all([
      OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { deid: [US_AE, scpPort] } }),
      OrthancInstance.start({ aeTitle: 'RESEARCH' }),
    ]);
    await hospital.upload([...CT, ...US]);
    nodes = join(dir, 'nodes.yaml');
    const nodeOf = (o: OrthancInstance) =>
      `{ aeTitle: ${o.aeTitle}, host: 127.0.0.1, port: ${o.dicomPort}, dicomweb: "${o.dicomweb}" }`;
    writeFileSync(
      nodes,
      `aeTitle: ${US_AE}\nport: ${scpPort}\ncredentials: credentials.yaml\nnodes:\n` +
        `  hospital: ${nodeOf(hospital)}\n  research: ${nodeOf(research)}\n` +
        `  wrong-ae: { aeTitle: NOBODY, host: 127.0.0.1, port: ${hospital.dicomPort} }\n`,
    );
    const credentials = join(dir, 'credentials.yaml');
    writeFileSync(
      credentials,
      `hospital: { username: ${OrthancInstance.USER}, password: ${SECRET} }\nresearch: { username: ${OrthancInstance.USER}, password: ${SECRET} }\n`,
    );
    chmodSync(credentials, 0o600);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([hospital?.stop(), research?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('echo answers plainly, and refuses a credentials file others can read', () => {
    expect(run('echo', 'hospital')).toMatchObject({ status: 0, stdout: 'hospital: reachable (dimse)\n' });
    expect(run('echo', 'research', '--via', 'dicomweb').status).toBe(0);
    const wrong = run('echo', 'wrong-ae');
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/not reachable \(ae-rejected\)/);
    chmodSync(join(dir, 'credentials.yaml'), 0o644);
    const open = run('echo', 'hospital');
    chmodSync(join(dir, 'credentials.yaml'), 0o600);
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/owner only/);
    expect(open.stderr + open.stdout).not.toContain(SECRET);
  });

  it('find lists studies by patient ID and date; --json for scripts', () => {
    const text = run('find', 'hospital', '--patient-id', 'MRN9567370');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/2 studies\n$/);
    const json = JSON.parse(
      run('find', 'hospital', '--date', '20220101-', '--json', '--via', 'dicomweb').stdout,
    );
    expect(json.matches).toHaveLength(1);
    expect(json.matches[0].StudyDate).toBe('20220701');
    expect(run('find', 'hospital', '--date', 'yesterday').status).toBe(2);
  });

  it('pull writes de-identified copies and names nothing identifying; push sends them, refuses originals', () => {
    const out = join(dir, 'out');
    const pull = run(
      'pull',
      'hospital',
      '--patient-id',
      'MRN9567370',
      '--out',
      out,
      '--key-file',
      join(dir, 'project.key'),
      '--staging',
      join(dir, 'staging'),
      '--audit',
      join(dir, 'audit'),
    );
    expect(pull.stderr).toBe('');
    // The ultrasound images carry burned-in text: the detector cleans it, so every instance is written.
    expect(pull.status).toBe(0);
    expect(pull.stdout).toMatch(
      /2 studies, 6 instances retrieved from hospital; 6 written, 0 skipped, 0 failed, 0 held for review/,
    );
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
    expect(residualPhi(Buffer.from(pull.stdout + pull.stderr))).toEqual([]);
    const push = run('push', 'research', out);
    expect(push.stdout).toMatch(/^6 sent to research, 0 not sent, 0 refused/);
    expect(push.status).toBe(0);
    const refused = run('push', 'research', SAMPLES);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/0 sent to research, 0 not sent, 10 refused/);
  });

  describe('gateway', () => {
    let gateway: ChildProcess | undefined;
    const work = () => join(dir, 'gateway');
    const noPixels = () => {
      const path = join(dir, 'no-pixels.yaml');
      writeFileSync(path, 'name: No pixels\nwithoutOptions: [cleanPixelData]\n');
      return path;
    };
    const gatewayArgs = (port: number) => [
      CLI,
      'gateway',
      '--forward',
      'research',
      '--nodes',
      nodes,
      '--port',
      String(port),
      '--work',
      work(),
    ];
    const startGateway = async () => {
      const child = spawn(
        process.execPath,
        [
          ...gatewayArgs(0),
          '--key-file',
          join(dir, 'project.key'),
          '--retry',
          '1',
          // Pixels left uncleaned, so that the ultrasound images exercise the quarantine.
          '--profile',
          noPixels(),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let log = '';
      child.stderr?.on('data', (d: Buffer) => {
        log += d.toString();
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', (d: Buffer) => {
          gatewayPort = Number(/ on port (\d+),/.exec(d.toString())?.[1]);
          resolve();
        });
        child.once('exit', () => reject(new Error(`gateway exited: ${log}`)));
      });
      expect(gatewayPort).toBeGreaterThan(0);
      gateway = child;
      return () => log;
    };
    const storescu = (files: readonly string[]) =>
      spawnSync('storescu', ['-aet', 'MODALITY', '-aec', US_AE, '127.0.0.1', String(gatewayPort), ...files]);
    afterAll(() => {
      gateway?.kill('SIGKILL');
    });

    it('refuses a port another program holds, in words', async () => {
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
      const taken = (holder.address() as AddressInfo).port;
      try {
        const r = spawnSync(process.execPath, gatewayArgs(taken), { encoding: 'utf8', timeout: 30_000 });
        expect(r.stderr).toContain(`dicom-deid: port ${taken} is already in use by another program`);
        expect(r.status).toBe(2);
      } finally {
        holder.close();
      }
    });

    it('de-identifies and forwards; killed mid-study and restarted, nothing is lost, duplicated or identified', async () => {
      for (const id of await research.instanceIds())
        await research.rest(`/instances/${id}`, { method: 'DELETE' });

      await startGateway();
      expect(storescu(CT.slice(0, 2)).status).toBe(0);
      gateway!.kill('SIGKILL'); // acknowledged instances must survive in the queue
      await new Promise((r) => gateway!.once('exit', r));

      const log = await startGateway();
      // The modality did not hear back about the rest of the study, so it sends it all again, and more.
      expect(storescu([...CT, ...US]).status).toBe(0);
      // The CT study goes through; the ultrasound images carry burned-in text, uncleaned: quarantined.
      let ids: string[] = [];
      for (let i = 0; i < 100 && ids.length < 4; i++) {
        await new Promise((r) => setTimeout(r, 200));
        ids = await research.instanceIds();
      }
      await new Promise((r) => setTimeout(r, 1500)); // anything duplicated would arrive by now
      ids = await research.instanceIds();
      expect(ids).toHaveLength(4);
      expect(await research.rest<string[]>('/studies')).toHaveLength(1);
      for (const id of ids) expect(residualPhi(await research.instanceFile(id))).toEqual([]);
      const notes = readdirSync(join(work(), 'quarantine')).filter((n) => n.endsWith('.reason.json'));
      expect(notes).toHaveLength(2);
      for (const n of notes)
        expect(JSON.parse(readFileSync(join(work(), 'quarantine', n), 'utf8')).reason).toMatch(
          /^Burned In Annotation \(0028,0301\) is YES and the pixels were not cleaned$/,
        );
      expect(residualPhi(Buffer.from(log()))).toEqual([]);

      gateway!.kill('SIGINT');
      const code = await new Promise((r) => gateway!.once('exit', r));
      expect(code).toBe(0);
      gateway = undefined;
    });
  });
});
