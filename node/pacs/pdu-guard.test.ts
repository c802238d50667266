import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { guardPdus, MAX_INCOMING_PDU } from './pdu-guard.js';

function pdu(type: number, length: number, body = Math.min(length, 8)): Buffer {
  const b = Buffer.alloc(6 + body);
  b[0] = type;
  b.writeUInt32BE(length, 2);
  return b;
}

/** Feeds the chunks to a guard on a stand-in socket; returns what it refused, if anything. */
function feed(chunks: Buffer[]): string | undefined {
  const socket = new EventEmitter();
  let refused: string | undefined;
  guardPdus(socket as unknown as Socket, (why) => {
    refused ??= why;
  });
  for (const c of chunks) socket.emit('data', c);
  return refused;
}

describe('guardPdus', () => {
  const stream = Buffer.concat([pdu(2, 20, 20), pdu(4, 100, 100), pdu(4, 3, 3), pdu(6, 4, 4)]);

  it('lets a well-formed stream through however it is split', () => {
    for (const size of [1, 5, 6, 7, 50, stream.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(feed(chunks)).toBeUndefined();
    }
  });

  it('refuses an oversized PDU at its header, and an unknown PDU type', () => {
    expect(feed([pdu(2, 20, 20), pdu(4, MAX_INCOMING_PDU + 1)])).toBe('length');
    expect(feed([pdu(4, MAX_INCOMING_PDU, 0)])).toBeUndefined();
    expect(feed([pdu(2, 20, 20), pdu(9, 4, 4)])).toBe('type');
    expect(feed([Buffer.from('GET / HTTP/1.1\r\n')])).toBe('type');
  });
});
