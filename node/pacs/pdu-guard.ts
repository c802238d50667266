import type { Socket } from 'node:net';

/**
 * The largest PDU we take from a peer. We announce a far smaller maximum for P-DATA; association PDUs are
 * a few kilobytes. A length beyond this is a broken or hostile peer, refused before anything is buffered.
 */
export const MAX_INCOMING_PDU = 64 * 1024 * 1024;

/** PS3.8 9.3: A-ASSOCIATE-RQ/AC/RJ, P-DATA-TF, A-RELEASE-RQ/RP, A-ABORT. */
const PDU_TYPES = new Set([1, 2, 3, 4, 5, 6, 7]);

/**
 * Watches the PDU headers in what a peer sends (type, then a 4-byte big-endian length) and calls `refuse`
 * on an unknown type or an oversized length, before the library tries to buffer it. Only headers are
 * read; the bytes themselves go to the library untouched.
 */
export function guardPdus(socket: Socket, refuse: (why: 'type' | 'length') => void): void {
  const header = new Uint8Array(6);
  let have = 0; // header bytes gathered
  let skip = 0; // body bytes left in the current PDU
  let refused = false;
  socket.on('data', (chunk: Buffer) => {
    let at = 0;
    while (!refused && at < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      header[have++] = chunk[at++]!;
      if (have < 6) continue;
      have = 0;
      const length = ((header[2]! << 24) >>> 0) + (header[3]! << 16) + (header[4]! << 8) + header[5]!;
      if (!PDU_TYPES.has(header[0]!)) refused = true;
      else if (length > MAX_INCOMING_PDU) refused = true;
      if (refused) refuse(PDU_TYPES.has(header[0]!) ? 'length' : 'type');
      skip = length;
    }
  });
}
