import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dimse from 'dcmjs-dimse';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasOrthanc, OrthancInstance } from '../../../test/orthanc.js';
import { type DimsePeer, echo, find, getStudy } from './dimse.js';
import { StagingFolder } from './part10.js';

const SAMPLES = join(import.meta.dirname, '../../../assets/samples');
const CT = [1, 2, 3, 4].map((n) => join(SAMPLES, `patient-001/ct/series-01/000${n}.dcm`));

/** What the man in the middle does with each PDU the real peer sends: pass, alter, or go silent (null). */
type Tamper = (pdu: Buffer, index: number) => Buffer | null;

/**
 * A loopback proxy in front of a real peer that tampers with the peer's PDUs: how we get a peer that
 * stops answering mid-transfer, sends a malformed answer or an oversized PDU, from a real conversation.
 */
async function tamperingProxy(targetPort: number, tamper: Tamper): Promise<{ port: number; server: Server }> {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.push(client, upstream);
    client.on('data', (d) => upstream.write(d));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let pending = Buffer.alloc(0);
    let index = 0;
    let silent = false;
    upstream.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (!silent && pending.length >= 6) {
        const length = pending.readUInt32BE(2);
        if (pending.length < 6 + length) break;
        const pdu = pending.subarray(0, 6 + length);
        pending = pending.subarray(6 + length);
        const out = tamper(Buffer.from(pdu), index++);
        if (out === null) silent = true;
        else client.write(out);
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
