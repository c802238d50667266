import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PreviousReport } from './previous-report.js';
import { type ReportEntry, reportJsonEntry } from './report-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-previous-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number, status: ReportEntry['status'] = 'written'): ReportEntry => ({
  inputNo: i,
  output: status === 'written' ? `ANON-${i % 5}/2.25.${i}/2.25.${i * 7}/2.25.${i * 13}.dcm` : null,
  status,
  reason: status === 'written' ? null : 'not a DICOM file',
  sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
  transferSyntaxUID: '1.2.840.10008.1.2.1',
  modality: 'CT',
  actionCounts: { removed: i % 9, kept: 40 },
  attributes: {
    '(0010,0010) PatientName': { pseudonymized: 1 },
    '(0008,1030) StudyDescription': { kept: 1 },
  },
  verification: 'passed',
  pixels: 'not-at-risk',
  regionsCleaned: 0,
  outputSha256: `${i}`.padStart(64, '0'),
});

/** A report as the writer lays it out: its head, one entry per line, its tail. */
function reportOf(entries: readonly ReportEntry[]): string {
  const head = '{\n  "tool": "dicom-deid",\n  "files": [';
  const tail = '\n  ],\n  "finishedAt": "2026-01-01T00:00:00.000Z",\n  "summary": {"written": 1}\n}\n';
  return head + entries.map((e, i) => reportJsonEntry(e, i === 0)).join('') + tail;
}

describe('PreviousReport', () => {
  it('gives each written output’s entry once, and the rest in the report’s order', () => {
    // About 5 MB of entries, with skipped inputs among them and an output name that needs escaping.
    const entries = Array.from({ length: 12_000 }, (_, i) => entry(i, i % 10 === 3 ? 'skipped' : 'written'));
    const odd = { ...entry(99_999), output: 'ANON-X/a "quoted" \\ name/é.dcm' };
    entries.push(odd);
    const path = join(dir, 'deid-report.json');
    writeFileSync(path, reportOf(entries));
    const report = PreviousReport.open([path])!;
    const written = entries.filter((e) => e.status === 'written');
    const taken = written.filter((e, i) => i % 3 === 0 && e !== odd);
    for (const e of taken) expect(report.take(e.output!)).toEqual(e);
    expect(report.take(odd.output)).toEqual(odd);
    expect(report.take(taken[0]!.output!)).toBeUndefined();
    expect(report.take('ANON-0/none.dcm')).toBeUndefined();
    expect([...report.rest()]).toEqual(written.filter((e, i) => i % 3 !== 0 && e !== odd));
    report.close();
  });

  it('keeps the last entry of an output the report names twice, and no entry of another status', () => {
    const path = join(dir, 'twice.json');
    const later = { ...entry(1), inputNo: 7, outputSha256: 'f'.repeat(64) };
    const notWritten = { ...entry(2), status: 'failed' as const };
    writeFileSync(path, reportOf([entry(1), entry(2), entry(3), later, notWritten]));
    const report = PreviousReport.open([path])!;
    expect(report.take(entry(2).output!)).toEqual(entry(2));
    expect([...report.rest()]).toEqual([entry(3), later]);
    report.close();
  });

  it('takes an output’s entry from the latest report that has it, and passes over a cut line', () => {
    const published = join(dir, 'published.json');
    const interrupted = join(dir, 'interrupted.json');
    const newer = { ...entry(1), verification: 'failed' as const };
    writeFileSync(published, reportOf([entry(1), entry(2)]));
    const cut = reportJsonEntry(entry(4), false).slice(0, -1);
    writeFileSync(interrupted, `${reportOf([newer, entry(3)]).split('\n  ],')[0]}${cut}`);
    const report = PreviousReport.open([published, join(dir, 'none.json'), interrupted])!;
    expect(report.take(entry(4).output!)).toBeUndefined();
    expect([...report.rest()]).toEqual([entry(2), newer, entry(3)]);
    report.close();
  });

  it('carries an entry longer than the lines fileLines gathers (16 MB), taken or not', () => {
    const path = join(dir, 'long.json');
    const long = (i: number) => ({ ...entry(i), attributes: { note: 'x'.repeat(17 * 1024 * 1024) } });
    writeFileSync(path, reportOf([entry(1), long(2), long(3), entry(4)]));
    const report = PreviousReport.open([path])!;
    expect(report.take(entry(2).output!)).toEqual(long(2));
    expect([...report.rest()]).toEqual([entry(1), long(3), entry(4)]);
    report.close();
  });

  it('passes over lines that are not written entries, and is absent without a report', () => {
    const path = join(dir, 'cut.json');
    const whole = reportJsonEntry(entry(1), true).trim();
    writeFileSync(
      path,
      `{\n  "files": [\n    ${whole.slice(0, 80)}\n    ${reportJsonEntry(entry(2), true).trim()},\n`,
    );
    const report = PreviousReport.open([path])!;
    expect(report.take(entry(1).output!)).toBeUndefined();
    expect([...report.rest()]).toEqual([entry(2)]);
    report.close();
    expect(PreviousReport.open([join(dir, 'none.json')])).toBeUndefined();
  });
});
