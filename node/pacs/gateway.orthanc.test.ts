import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFromBytes } from '../../shared/anonymize/key.js';
import { getPreset } from '../../shared/profile/index.js';
import { CORPUS_DIR } from '../../test/corpus.js';
import { freePort, hasOrthanc, OrthancInstance } from '../../test/orthanc.js';
import { store } from './dimse.js';
import { Gateway, type GatewayEvent } from './gateway.js';
import type { PeerNode } from './nodes.js';

const SAMPLES = join(import.meta.dirname, '../../assets/samples');
const MR = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-002/mr/series-01/000${n}.dcm`));
const J2K = join(CORPUS_DIR, 'Enet4+dicom-test-files/data/WG04/J2KR/CT1_J2KR');
const AE = 'GATEWAY';
const key = keyFromBytes(new Uint8Array(32).fill(9));

async function until(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.skipIf(!hasOrthanc())('gateway: quarantine, retry, transfer syntaxes', () => {
  let work: string;
  let research: OrthancInstance | undefined;
  let gateway: Gateway | undefined;
  let researchPort: number;
  const events: GatewayEvent[] = [];
  const call = { callingAeTitle: 'MODALITY', timeoutMs: 10_000 };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gateway-'));
    researchPort = await freePort();
    const destination: PeerNode = {
      name: 'research',
      aeTitle: 'RESEARCH',
      host: '127.0.0.1',
      port: researchPort,
    };
    gateway = await Gateway.start({
      workDir: join(work, 'queue'),
      aeTitle: AE,
      port: 0,
      destination: { node: destination, via: 'dimse', local: { aeTitle: AE, timeoutMs: 5000 } },
      batch: { profile: getPreset('basic'), key, toolVersion: '0.1.0' },
      retryMs: 500,
      maxAttempts: 2,
      onEvent: (e) => events.push(e),
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await research?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const gatewayPeer = () => ({ name: 'gateway', aeTitle: AE, host: '127.0.0.1', port: gateway!.port });
  const queue = (folder: string) => readdirSync(join(work, 'queue', folder));

  it('keeps de-identified instances queued while the archive is down, and forwards them when it comes up', async () => {
    const sent = await store(gatewayPeer(), call, MR);
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(await until(() => events.some((e) => e.kind === 'forward-failed'))).toBe(true);
    // De-identified, waiting in outgoing/.
    expect(await until(() => queue('incoming').length === 0)).toBe(true);
    research = await OrthancInstance.start({
      aeTitle: 'RESEARCH',
      dicomPort: researchPort,
      config: { Jpeg2000TransferSyntaxAccepted: false },
    });
    expect(await until(async () => (await research!.instanceIds()).length === 4)).toBe(true);
    expect(await gateway!.drained(10_000)).toBe(true);
    for (const id of await research.instanceIds()) {
      const file = Buffer.from(await research.instanceFile(id)).toString('latin1');
      expect(file).not.toContain('MRN1550437');
    }
  });

  it('an instance that cannot be de-identified is quarantined with its reason, never forwarded', async () => {
    // After the pixel data, an element longer than the file: the sender never looks there, the engine does.
    const cut = join(work, 'cut.dcm');
    const tail = Buffer.alloc(14);
    tail.writeUInt16LE(0x7fe1, 0);
    tail.writeUInt16LE(0x0010, 2);
    tail.write('OB', 4, 'latin1');
    tail.writeUInt32LE(0xfffffff0, 8);
    writeFileSync(cut, Buffer.concat([readFileSync(MR[0]!), tail]));
    const before = (await research!.instanceIds()).length;
    const [result] = await store(gatewayPeer(), call, [cut]);
    expect(result?.status).toBe('sent'); // accepted: it is safe on disk, in the queue
    expect(await until(() => queue('quarantine').some((n) => n.endsWith('.reason.json')))).toBe(true);
    const note = queue('quarantine').find((n) => n.endsWith('.reason.json'))!;
    const reason = JSON.parse(readFileSync(join(work, 'queue', 'quarantine', note), 'utf8'));
    expect(reason).toMatchObject({ from: 'incoming', attempts: 1 });
    expect(reason.reason).not.toContain('MRN');
    // Retried on the schedule, it fails again and stays after its last attempt.
    expect(await until(() => events.filter((e) => e.kind === 'quarantined').length >= 2)).toBe(true);
    expect((await research!.instanceIds()).length).toBe(before);
  });

  it.skipIf(!hasJ2K())(
    'an archive that refuses the syntax: quarantined as not accepted, not converted',
    async () => {
      const input = join(work, 'j2k.dcm');
      copyFileSync(J2K, input);
      const before = (await research!.instanceIds()).length;
      const direct = await store(
        { name: 'research', aeTitle: 'RESEARCH', host: '127.0.0.1', port: researchPort },
        call,
        [input],
      );
      expect(direct[0]).toMatchObject({ status: 'not-accepted' });
      expect(direct[0]!.reason).toMatch(/1\.2\.840\.10008\.1\.2\.4\.90; not converted/);
      await store(gatewayPeer(), call, [input]);
      expect(
        await until(() => events.some((e) => e.kind === 'quarantined' && /not converted/.test(e.reason))),
      ).toBe(true);
      expect((await research!.instanceIds()).length).toBe(before);
    },
  );
});

function hasJ2K(): boolean {
  try {
    readFileSync(J2K);
    return true;
  } catch {
    return false;
  }
}
