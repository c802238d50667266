import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { byAttribute, countAttribute } from '../../shared/anonymize/attribute-counts.js';
import { attributeLabel } from '../../shared/anonymize/attribute-label.js';
import { ACTION_NAMES, type ActionName, type FileReport } from '../../shared/anonymize/engine.js';
import { keyFingerprint, keyFromBytes } from '../../shared/anonymize/key.js';
import { PROFILE_EDITION } from '../../shared/profile/index.js';
import type { BatchFileRecord } from '../reports/types.js';
import { REPORT_CSV, REPORT_JSON, ReportWriter } from '../reports/writer.js';
import { OutcomePacker, OutcomeUnpacker, type PackedOutcome } from './outcome-wire.js';
import type { FileOutcome } from './process-file.js';

type Totals = ReadonlyMap<number, Partial<Record<ActionName, number>>>;

/** Counts as the engine makes them: here one count per attribute and action, of the whole total. */
function counted(totals: Totals): number[] {
  const counts: number[] = [];
  for (const [tag, actions] of totals)
    for (const [action, n] of Object.entries(actions)) countAttribute(counts, tag, action as ActionName, n);
  return counts;
}

const report = (totals: Totals): FileReport => ({
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
  attributes: counted(totals),
  datesShifted: false,
  warnings: [],
});

const written = (id: number, totals: Totals, modality = 'CT'): FileOutcome => ({
  id,
  status: 'written',
  tempPath: `/tmp/t/${id}.part`,
  relativeOutput: `ANON-X/${id}.dcm`,
  inputBytes: 100,
  inputSha256: 'a'.repeat(64),
  outputSha256: 'b'.repeat(64),
  verification: 'passed',
  report: { ...report(totals), modality },
  mapping: { patientId: ['P', 'ANON-X'], uids: [['1.2.3', '2.25.1']] },
  identity: {
    patientId: 'ANON-X',
    studyInstanceUID: '2.25.1',
    seriesInstanceUID: '2.25.2',
    sopInstanceUID: '2.25.3',
  },
  pixels: { status: 'not-at-risk', regionsCleaned: 0 },
});

// Through a real port, so the message is a structured clone as between threads.
async function across(message: PackedOutcome[]): Promise<PackedOutcome[]> {
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<PackedOutcome[]>((resolve) => port2.once('message', resolve));
  port1.postMessage(message);
  const back = await received;
  port1.close();
  return back;
}

/** The shareable report a writer makes of these outcomes, as the commit records them. */
function reportOf(outcomes: readonly FileOutcome[]): { json: string; csv: string } {
  const outDir = mkdtempSync(join(tmpdir(), 'deid-wire-'));
  const writer = ReportWriter.open(
    {
      outDir,
      profileName: 'basic',
      profileEdition: PROFILE_EDITION,
      options: [],
      toolVersion: '0.1.0',
      keyFingerprint: keyFingerprint(keyFromBytes(new Uint8Array(32).fill(3))),
      startedAt: '2026-01-02T03:04:05.678Z',
    },
    { reportDir: `${outDir}.report`, auditDir: `${outDir}.audit` },
  );
  outcomes.forEach((o, i) => {
    const record: BatchFileRecord = {
      inputNo: i + 1,
      input: `/in/${i}.dcm`,
      inputBytes: o.inputBytes,
      status: o.status,
      output: o.status === 'written' ? join(outDir, o.relativeOutput) : null,
      verification: o.verification,
      finishedAt: '2026-01-02T03:04:06.000Z',
      ...(o.status === 'written'
        ? {
            outputSha256: o.outputSha256,
            report: o.report,
            ...(o.reportPart ? { reportPart: o.reportPart } : {}),
            mapping: o.mapping,
            pixels: o.pixels,
          }
        : { reason: o.reason }),
    };
    writer.add(record);
  });
  writer.close('2026-01-02T03:04:09.000Z');
  const read = (name: string) => readFileSync(join(`${outDir}.report`, name), 'utf8');
  return { json: read(REPORT_JSON), csv: read(REPORT_CSV) };
}

describe('outcomes between threads', () => {
  const outcomes: FileOutcome[] = [
    written(
      0,
      new Map([
        [0x00100010, { pseudonymized: 1 }],
        [0x00080018, { 'uid-remapped': 1 }],
        [0x00081030, { removed: 1, kept: 2 }],
      ]),
    ),
    // A modality a spreadsheet would run as a formula, and one needing CSV quotes: escaped as before.
    written(1, new Map([[0x00091001, { removed: 1 }]]), '=1+1'),
    written(2, new Map([[0x00081030, { kept: 1 }]]), 'C"T,'),
    { id: 3, status: 'failed', reason: 'x', inputBytes: 1, verification: 'not-run' },
    // The same counts as the written file before (a failure between): their text crosses once.
    written(4, new Map([[0x00081030, { kept: 1 }]])),
    // The same tags and actions in another order, then other counts: each is a JSON text of its own.
    written(5, new Map([[0x00081030, { kept: 2, removed: 1 }]])),
    written(6, new Map([[0x00081030, { removed: 1, kept: 2 }]])),
    written(7, new Map([[0x00081030, { removed: 1, kept: 3 }]])),
    written(
      8,
      new Map([
        [0x00081030, { removed: 1, kept: 3 }],
        [0x00100010, { removed: 1 }],
      ]),
    ),
    written(9, new Map([[0x00081030, { removed: 1, kept: 3 }]])),
  ];

  it('cross as rendered report parts that give the report the whole outcomes gave, byte for byte', async () => {
    const packer = new OutcomePacker();
    const packed = await across(outcomes.map((o) => packer.pack(o)));
    // The per-attribute counts no longer cross as objects, nor an attributes text the worker sent last.
    for (const o of packed) if (o.status === 'written') expect(o.report.attributes).toEqual([]);
    expect(packed.map((o) => o.status === 'written' && o.reportPart.attributes !== undefined)).toEqual([
      true,
      true,
      true,
      false,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(packed[3]).toEqual(outcomes[3]);
    const unpacker = new OutcomeUnpacker();
    const crossed = reportOf(packed.map((o) => unpacker.unpack(o)));
    expect(crossed).toEqual(reportOf(outcomes));
    // The attribute counts are in the report, in the engine's order.
    const files = (JSON.parse(crossed.json) as { files: { attributes: object }[] }).files;
    expect(Object.keys(files[0]!.attributes)).toEqual([
      '(0010,0010) PatientName',
      '(0008,0018) SOPInstanceUID',
      '(0008,1030) StudyDescription',
    ]);
    // Each entry is what JSON.stringify makes of the whole entry object, as the writer wrote it before.
    const first = outcomes[0]! as FileOutcome & { status: 'written' };
    const r = first.report;
    const entry = {
      inputNo: 1,
      output: 'ANON-X/0.dcm',
      status: 'written',
      reason: null,
      sopClassUID: r.sopClassUID,
      transferSyntaxUID: r.transferSyntaxUID,
      modality: r.modality,
      actionCounts: r.actionCounts,
      attributes: Object.fromEntries(
        [...byAttribute(r.attributes)].map(([tag, counts]) => [attributeLabel(tag), counts]),
      ),
      verification: 'passed',
      pixelVerification: 'not-run',
      pixels: 'not-at-risk',
      regionsCleaned: 0,
      outputSha256: 'b'.repeat(64),
    };
    expect(crossed.json).toContain(`"files": [\n    ${JSON.stringify(entry)},\n`);
    expect(crossed.csv.split('\r\n')[1]).toBe(
      `1,ANON-X/0.dcm,written,,${r.sopClassUID},${r.transferSyntaxUID},CT,2,0,0,0,0,0,0,0,0,3,passed,not-run,not-at-risk,0,${'b'.repeat(64)}`,
    );
    expect(crossed.csv).toContain(`,'=1+1,`);
    expect(crossed.csv).toContain(`,"C""T,",`);
  });

  it('fail a file whose attributes text never came, instead of writing its report without it', () => {
    const packer = new OutcomePacker();
    const [, second] = [outcomes[2]!, outcomes[4]!].map((o) => packer.pack(o));
    // The second refers to the first one's text; an unpacker that never saw the first cannot rebuild it.
    expect(second?.status === 'written' && 'attributes' in second.reportPart).toBe(false);
    expect(second?.status).toBe('written');
    expect(new OutcomeUnpacker().unpack(second!)).toEqual({
      id: 4,
      status: 'failed',
      reason: 'its report reached the batch incomplete (an internal error)',
      inputBytes: 100,
      verification: 'not-run',
      review: '/tmp/t/4.part',
    });
  });
});
