import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineAt } from '../file-lines.js';
import { entryOnLine, ReportFileError, type ReportFrame, readReportFile } from './report-file.js';
import { type ReportEntry, reportJsonEntry, reportJsonHead, reportJsonTail } from './report-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-report-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number): ReportEntry => ({
  inputNo: i,
  output: i % 4 === 0 ? null : `ANON-1/2.25.${i}/x "quoted",\n.dcm`,
  status: i % 4 === 0 ? 'failed' : 'written',
  reason: i % 4 === 0 ? 'not a DICOM file' : null,
  sopClassUID: null,
  transferSyntaxUID: null,
  modality: null,
  actionCounts: null,
  attributes: { '(0010,0010) PatientName': { removed: 1 } },
  verification: 'passed',
  pixels: null,
  regionsCleaned: null,
  outputSha256: null,
});

const HEAD = {
  tool: 'dicom-deid',
  version: '1.0.0',
  options: ['cleanPixelData', 'retainDates'],
  keyFingerprint: 'ab',
  startedAt: '2026-01-01T00:00:00.000Z',
};
const SUMMARY = { written: 1, skipped: 0, failed: 0, held: 0, accepted: 0, verificationFailed: 0 };

let files = 0;
/** Reads `text` as a report file: its frame and its entries, each also read again at its place. */
function read(text: string): { frame: ReportFrame; entries: ReportEntry[]; again: ReportEntry[] } {
  const path = join(dir, `${++files}.json`);
  writeFileSync(path, text);
  const fd = openSync(path, 'r');
  try {
    const entries: ReportEntry[] = [];
    const places: Array<[number, number]> = [];
    const frame = readReportFile(fd, (e, start, bytes) => {
      entries.push(e);
      places.push([start, bytes]);
    });
    const again = places.map(([start, bytes]) => entryOnLine(lineAt(fd, start, bytes)!)!);
    return { frame, entries, again };
  } finally {
    closeSync(fd);
  }
}

const report = (entries: readonly ReportEntry[]) =>
  reportJsonHead(HEAD) +
  entries.map((e, i) => reportJsonEntry(e, i === 0)).join('') +
  reportJsonTail(entries.length, '2026-01-02T00:00:00.000Z', SUMMARY);

describe('readReportFile', () => {
  it('gives the entries the writer laid out, their places, and the members around them', () => {
    for (const count of [0, 1, 7]) {
      const entries = Array.from({ length: count }, (_, i) => entry(i + 1));
      const text = report(entries);
      // The layout is valid JSON, and what is read is what JSON.parse reads.
      const whole = JSON.parse(text);
      const got = read(text);
      expect(got.entries).toEqual(whole.files);
      expect(got.again).toEqual(whole.files);
      expect(got.frame).toEqual({ head: HEAD, finishedAt: whole.finishedAt });
    }
    // An entry longer than fileLines gathers (16 MB) is read all the same, at its place.
    const long = { ...entry(3), attributes: { note: 'x'.repeat(17 * 1024 * 1024) } };
    const withLong = read(report([entry(1), long, entry(2)]));
    expect(withLong.entries.map((e) => e.inputNo)).toEqual([1, 3, 2]);
    expect(withLong.again[1]).toEqual(long);
  });

  it('refuses other layouts and a report cut short, with words that hold nothing from the file', () => {
    const entries = [entry(1), entry(2)];
    const text = report(entries);
    const refused = (bad: string) => expect(() => read(bad)).toThrow(ReportFileError);
    refused(JSON.stringify(JSON.parse(text)));
    refused(JSON.stringify(JSON.parse(text), null, 4));
    refused(text.slice(0, text.indexOf('],')));
    refused(text.slice(0, -3));
    refused(text.replace('{"inputNo":2', '{"inputNo":"2"'));
    refused(text.replace('"startedAt"', '"started"'));
  });
});
