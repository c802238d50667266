import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, type ActionName, type FileReport } from '../../shared/anonymize/engine.js';
import { OutcomePacker, OutcomeUnpacker, type PackedOutcome } from './outcome-wire.js';
import type { FileOutcome } from './process-file.js';

const report = (attributes: FileReport['attributes']): FileReport => ({
  sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
  transferSyntaxUID: '1.2.840.10008.1.2.1',
  modality: 'CT',
  profileName: 'Basic',
  profileEdition: '2026d',
  options: ['cleanPixelData'],
  actionCounts: {
    ...(Object.fromEntries(ACTION_NAMES.map((a) => [a, 0])) as Record<ActionName, number>),
    removed: 2,
    kept: 3,
  },
  attributes,
  datesShifted: false,
  warnings: [],
});

const written = (id: number, attributes: FileReport['attributes']): FileOutcome => ({
  id,
  status: 'written',
  tempPath: `/tmp/t/${id}.part`,
  relativeOutput: `ANON-X/${id}.dcm`,
  inputBytes: 100,
  inputSha256: 'a'.repeat(64),
  outputSha256: 'b'.repeat(64),
  verification: 'passed',
  report: report(attributes),
  mapping: { patientId: ['P', 'ANON-X'], uids: [['1.2.3', '2.25.1']] },
  identity: {
    patientId: 'ANON-X',
    studyInstanceUID: '2.25.1',
    seriesInstanceUID: '2.25.2',
    sopInstanceUID: '2.25.3',
  },
  pixels: { status: 'not-at-risk', regionsCleaned: 0 },
});

// Through a real port, so the messages are structured clones as between threads.
async function across(messages: PackedOutcome[]): Promise<PackedOutcome[]> {
  const { port1, port2 } = new MessageChannel();
  const received: PackedOutcome[] = [];
  const all = new Promise<void>((resolve) =>
    port2.on('message', (m: PackedOutcome) => {
      received.push(m);
      if (received.length === messages.length) resolve();
    }),
  );
  for (const m of messages) port1.postMessage(m);
  await all;
  port1.close();
  return received;
}

describe('outcomes between threads', () => {
  const first = written(0, {
    '(0010,0010) PatientName': { pseudonymized: 1 },
    '(0008,0018) SOPInstanceUID': { 'uid-remapped': 1 },
    '(0008,1030) StudyDescription': { removed: 1, kept: 2 },
  });
  const second = written(1, {
    '(0008,1030) StudyDescription': { kept: 1 },
    '(0009,1001) Private': { removed: 1 },
    '(0010,0010) PatientName': { pseudonymized: 1 },
  });
  const failed: FileOutcome = {
    id: 2,
    status: 'failed',
    reason: 'x',
    inputBytes: 1,
    verification: 'not-run',
  };

  it('arrive as they left, attribute counts and their order included, with each label sent once', async () => {
    const packer = new OutcomePacker();
    const packed = [first, second, failed].map((o) => packer.pack(o));
    expect(packed[0]!.newLabels).toEqual(
      Object.keys(first.status === 'written' ? first.report.attributes : {}),
    );
    expect(packed[1]!.newLabels).toEqual(['(0009,1001) Private']);
    expect(packed[2]).toEqual({ outcome: failed });
    const unpacker = new OutcomeUnpacker();
    const back = (await across(packed)).map((m) => unpacker.unpack(m));
    expect(back).toEqual([first, second, failed]);
    // The report is written from these objects: the same JSON, key order and all.
    expect(back.map((o) => JSON.stringify(o))).toEqual([first, second, failed].map((o) => JSON.stringify(o)));
  });

  it('number labels per worker: a replacement worker starts its own table', async () => {
    const [a, b] = await across([new OutcomePacker().pack(second), new OutcomePacker().pack(first)]);
    expect(new OutcomeUnpacker().unpack(a!)).toEqual(second);
    expect(new OutcomeUnpacker().unpack(b!)).toEqual(first);
  });
});
