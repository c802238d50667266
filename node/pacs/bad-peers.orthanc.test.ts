import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from 'dcmjs-dimse';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, hasCorpus } from '../../test/corpus.js';
import { hasOrthanc, OrthancInstance } from '../../test/orthanc.js';
import { type DimsePeer, echo, find, getStudy, store } from './dimse.js';
import { StagingFolder } from './part10.js';
import { StorageScp } from './storage-scp.js';

const SAMPLES = join(import.meta.dirname, '../../assets/samples');
const CT = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-001/ct/series-01/000${n}.dcm`));

/** What the man in the middle does with each PDU the real peer sends: pass, alter, or go silent (null). */
type Tamper = (pdu: Buffer, index: number) => Buffer | null;

/**
 * A loopback proxy in front of a real peer that tampers with the peer's PDUs: how we get a peer that
 * stops answering mid-transfer, sends a malformed answer or an oversized PDU, from a real conversation.
 */
async function tamperingProxy(
  targetPort: number,
  tamper: Tamper,
  side: 'peer' | 'caller' = 'peer',
): Promise<{ port: number; server: Server }> {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.push(client, upstream);
    const [from, to] = side === 'peer' ? [upstream, client] : [client, upstream];
    to.on('data', (d) => from.write(d));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let pending = Buffer.alloc(0);
    let index = 0;
    let silent = false;
    from.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (!silent && pending.length >= 6) {
        const length = pending.readUInt32BE(2);
        if (pending.length < 6 + length) break;
        const pdu = pending.subarray(0, 6 + length);
        pending = pending.subarray(6 + length);
        const out = tamper(Buffer.from(pdu), index++);
        if (out === null) silent = true;
        else to.write(out);
      }
    });
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

const P_DATA = 4;
const CT_BIG = join(CORPUS_DIR, 'cornerstonejs+dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm');

async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100)))
    if (check()) return true;
  return false;
}

describe.skipIf(!hasOrthanc())('bad peers: clear errors, bounded waits, no partial files', () => {
  let hospital: OrthancInstance;
  let work: string;
  let proxy: Server | undefined;
  const call = { callingAeTitle: 'DEID-TEST', timeoutMs: 1500 };
  const via = async (tamper: Tamper): Promise<DimsePeer> => {
    const p = await tamperingProxy(hospital.dicomPort, tamper);
    proxy = p.server;
    return { name: 'hospital', aeTitle: 'HOSPITAL', host: '127.0.0.1', port: p.port };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bad-peers-'));
    // Orthanc answers C-FIND and C-GET only to AE titles it knows.
    hospital = await OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { us: ['DEID-TEST', 1] } });
    await hospital.upload(CT);
  });
  afterEach(() => {
    proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await hospital?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the proxy itself is faithful: an untouched conversation works', async () => {
    const peer = await via((pdu) => pdu);
    expect(await find(peer, call, { level: 'study', patientId: 'MRN9567370' })).toHaveLength(1);
  });

  it('a peer that goes silent after accepting the association: timeout, within bounds', async () => {
    const peer = await via((pdu, i) => (i === 0 ? pdu : null));
    const started = Date.now();
    await expect(find(peer, call, { level: 'study' })).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a peer that stops in the middle of a C-GET: timeout and no partial file in staging', async () => {
    let pData = 0;
    // Let the first instance's data start flowing, then nothing more.
    const peer = await via((pdu) => (pdu[0] === P_DATA && ++pData > 3 ? null : pdu));
    const staging = new StagingFolder(join(work, 'get'));
    const study = (await find({ ...peer, port: hospital.dicomPort }, call, { level: 'study' }))[0]!
      .StudyInstanceUID!;
    await expect(getStudy(peer, call, study, staging)).rejects.toMatchObject({ code: 'timeout' });
    expect(readdirSync(staging.dir).filter((n) => !n.endsWith('.dcm'))).toEqual([]);
  });

  it('a malformed C-FIND response is a protocol error', async () => {
    const peer = await via((pdu) => {
      // Dataset fragments only (PDV control header bit 0 clear): the answer's identifier is garbled.
      if (pdu[0] !== P_DATA || (pdu[11]! & 1) === 1) return pdu;
      pdu.fill(0xff, 12);
      return pdu;
    });
    await expect(find(peer, call, { level: 'study' })).rejects.toMatchObject({ code: 'protocol' });
  });

  it('an oversized PDU is refused before it is buffered', async () => {
    const peer = await via((pdu) => {
      if (pdu[0] !== P_DATA) return pdu;
      pdu.writeUInt32BE(0xfffffff0, 2);
      return pdu;
    });
    await expect(find(peer, call, { level: 'study' })).rejects.toThrow(/larger than any we accept/);
  });

  it.skipIf(!hasCorpus)(
    'a sender that stops in the middle of a C-STORE to our SCP: the SCP gives up, no partial file',
    async () => {
      const staging = new StagingFolder(join(work, 'scp'));
      const stored: string[] = [];
      const scp = await StorageScp.listen({
        aeTitle: 'OURS',
        port: 0,
        staging,
        onStored: (p) => void stored.push(p),
        timeoutMs: 1000,
      });
      let pData = 0;
      // The first instance is sent whole; the second stops after its command and first fragment.
      const p = await tamperingProxy(
        scp.port,
        (pdu) => (pdu[0] === P_DATA && ++pData > 4 ? null : pdu),
        'caller',
      );
      proxy = p.server;
      try {
        const big = join(work, 'big.dcm');
        // Two instances of ~0.5 MB: several PDUs each.
        copyFileSync(CT_BIG, big);
        await expect(
          store({ name: 'ours', aeTitle: 'OURS', host: '127.0.0.1', port: p.port }, call, [CT[0]!, big]),
        ).rejects.toMatchObject({ code: 'timeout' });
        expect(await waitFor(() => readdirSync(staging.dir).every((n) => !n.endsWith('.part')))).toBe(true);
        expect(stored).toHaveLength(1);
        expect(readdirSync(staging.dir).filter((n) => n.endsWith('.dcm'))).toHaveLength(stored.length);
      } finally {
        scp.close();
      }
    },
  );

  it('an association refused for another reason than the AE title says refused', async () => {
    const { Scp, Server: DimseServer } = dimse;
    const { RejectResult, RejectSource, RejectReason } = dimse.constants;
    class Busy extends Scp {
      override associationRequested() {
        this.sendAssociationReject(
          RejectResult.Transient,
          RejectSource.ServiceProviderPresentation,
          RejectReason.TemporaryCongestion,
        );
      }
    }
    const server = new DimseServer(Busy);
    server.listen(0);
    const net = (server as unknown as { server: Server }).server;
    await new Promise((r) => (net.listening ? r(null) : net.once('listening', r)));
    const address = net.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await echo({ name: 'busy', aeTitle: 'BUSY', host: '127.0.0.1', port }, call);
      expect(result).toMatchObject({ reachable: false, failure: 'refused' });
    } finally {
      server.close();
    }
  });
});
