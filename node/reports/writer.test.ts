import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anonymize } from '../../shared/anonymize/engine.js';
import { keyFingerprint, keyFromBytes } from '../../shared/anonymize/key.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import { getPreset, PROFILE_EDITION } from '../../shared/profile/index.js';
import { part10, str } from '../../test/part10.js';
import { readCrosswalk } from '../crosswalk.js';
import { reportLocations } from './locations.js';
import { readCrosswalkCsv, readCsvFile } from './read.js';
import { renderReportPart } from './report-layout.js';
import type { BatchContext, BatchFileRecord } from './types.js';
import {
  AUDIT_CSV,
  PATIENT_ID_CROSSWALK,
  REPORT_CSV,
  REPORT_JSON,
  ReportWriter,
  shareableReason,
  UID_CROSSWALK,
} from './writer.js';

const root = mkdtempSync(join(tmpdir(), 'deid-reports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const posix = process.platform !== 'win32';
const mode = (path: string) => statSync(path).mode & 0o777;

const KEY = keyFromBytes(new Uint8Array(32).fill(7));
const ORG = '1.2.826.0.1.3680043.9.7777';
const STUDY = `${ORG}.1`;
const SERIES = `${ORG}.2`;
const INPUTS = '/data/SMITH^JOHN';
/** Every identifying string planted in the inputs: none may reach the shareable report. */
const PHI = ['SMITH', 'JOHN', 'JONES', 'PAT-77', '4711', ORG, '/data', root];

function anonymized(patientId: string, name: string, sop: string) {
  const bytes = part10([
    str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2'),
    str(0x00080018, 'UI', sop),
    str(0x00080060, 'CS', 'CT'),
    str(0x00100010, 'PN', name),
    str(0x00100020, 'LO', patientId),
    str(0x0020000d, 'UI', STUDY),
    str(0x0020000e, 'UI', SERIES),
  ]);
  return anonymize(parseDicom(new MemorySource(bytes)), {
    profile: getPreset('basic'),
    key: KEY,
    toolVersion: '0.1.0',
  });
}

const context = (outDir: string): BatchContext => ({
  outDir,
  profileName: 'basic',
  profileEdition: PROFILE_EDITION,
  options: [],
  toolVersion: '0.1.0',
  keyFingerprint: keyFingerprint(KEY),
  startedAt: '2026-01-02T03:04:05.678Z',
});

function records(outDir: string): BatchFileRecord[] {
  type Unnumbered = Omit<BatchFileRecord, 'inputNo'>;
  const written = (input: string, patientId: string, name: string, sop: string): Unnumbered => {
    const r = anonymized(patientId, name, sop);
    const id = r.identity;
    return {
      input,
      inputBytes: 1000,
      inputSha256: 'a'.repeat(64),
      status: 'written',
      output: join(outDir, id.patientId, id.studyInstanceUID, `${id.sopInstanceUID}.dcm`),
      outputSha256: 'b'.repeat(64),
      report: r.report,
      mapping: r.mapping,
      verification: 'passed',
      finishedAt: '2026-01-02T03:04:06.000Z',
    };
  };
  const quarantined = written(`${INPUTS}/kept-comment.dcm`, 'PAT-77', 'SMITH^JOHN', `${ORG}.3.9`);
  const unnumbered: Unnumbered[] = [
    written(`${INPUTS}/1.dcm`, 'PAT-77', 'SMITH^JOHN', `${ORG}.3.1`),
    written(`${INPUTS}/2.dcm`, 'PAT-77', 'SMITH^JOHN', `${ORG}.3.2`),
    written('/data/JONES/1.dcm', 'JONES, "Q"', 'JONES^Q', `${ORG}.3.3`),
    written('/data/-4711/1.dcm', '-4711', 'DOE', `${ORG}.3.4`),
    {
      ...quarantined,
      status: 'failed',
      reason: '(0020,4000) ImageComments still holds a removed identifier',
      output: null,
      outputSha256: undefined,
      verification: 'failed',
    },
    {
      input: `${INPUTS}/broken.dcm`,
      inputBytes: 10,
      status: 'failed',
      reason: `EACCES: permission denied, open '${INPUTS}/broken.dcm'`,
      output: null,
      verification: 'not-run',
      finishedAt: '2026-01-02T03:04:07.000Z',
    },
    {
      input: `${INPUTS}/notes.txt`,
      inputBytes: 10,
      status: 'skipped',
      reason: '=HYPERLINK("not DICOM")',
      output: null,
      verification: 'not-run',
      finishedAt: '2026-01-02T03:04:08.000Z',
    },
  ];
  // Numbered as the walk would list them.
  return unnumbered.map((r, i) => ({ ...r, inputNo: i + 1 }));
}

describe('ReportWriter', () => {
  const outDir = join(root, 'batch', 'out');
  const auditDir = join(root, 'private', 'audit');
  const writer = ReportWriter.open(context(outDir), { auditDir });
  const { reportDir } = writer.locations;
  const all = records(outDir);
  for (const r of all) writer.add(r);
  const partsBeforeClose = readdirSync(reportDir).sort();
  const summary = writer.close('2026-01-02T03:05:00.000Z');

  it('publishes the shareable report only when complete', () => {
    expect(partsBeforeClose).toEqual([`${REPORT_CSV}.part`, `${REPORT_JSON}.part`]);
    expect(readdirSync(reportDir).sort()).toEqual([REPORT_CSV, REPORT_JSON]);
    expect(reportDir).toBe(`${outDir}.report`);
    expect(() => writer.add(all[0]!)).toThrow(/closed/);
  });

  it('puts no PHI in the shareable report', () => {
    for (const name of [REPORT_JSON, REPORT_CSV]) {
      const text = readFileSync(join(reportDir, name), 'utf8');
      for (const phi of PHI) expect(text, `${name} holds ${phi}`).not.toContain(phi);
    }
  });

  it('writes the JSON document with the batch facts and one entry per input', () => {
    const doc = JSON.parse(readFileSync(join(reportDir, REPORT_JSON), 'utf8'));
    expect(doc).toMatchObject({
      tool: 'dicom-deid',
      version: '0.1.0',
      profile: 'basic',
      edition: PROFILE_EDITION,
      options: [],
      keyFingerprint: keyFingerprint(KEY),
      startedAt: '2026-01-02T03:04:05.678Z',
      finishedAt: '2026-01-02T03:05:00.000Z',
      summary: { written: 4, skipped: 1, failed: 2, held: 0, accepted: 0, verificationFailed: 1 },
    });
    expect(summary).toEqual(doc.summary);
    expect(doc.files).toHaveLength(all.length);
    const first = doc.files[0];
    expect(first.output).toMatch(/^ANON-[A-Z0-9]+\/2\.25\.\d+\/2\.25\.\d+\.dcm$/);
    expect(first).toMatchObject({
      inputNo: 1,
      status: 'written',
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      transferSyntaxUID: '1.2.840.10008.1.2.1',
      modality: 'CT',
      verification: 'passed',
      outputSha256: 'b'.repeat(64),
    });
    expect(first.actionCounts['uid-remapped']).toBeGreaterThan(0);
    expect(first.attributes['(0010,0010) PatientName']).toBeDefined();
    expect(doc.files[5]).toMatchObject({ output: null, reason: "EACCES: permission denied, open '<input>'" });
  });

  it('writes the CSV with skipped and failed inputs as numbered rows without paths', () => {
    const rows = readCsvFile(join(reportDir, REPORT_CSV));
    expect(Object.keys(rows[0]!)).toEqual([
      'input_no',
      'output',
      'status',
      'reason',
      'sop_class_uid',
      'transfer_syntax_uid',
      'modality',
      'removed',
      'emptied',
      'dummy',
      'replaced',
      'pseudonymized',
      'uid_remapped',
      'date_shifted',
      'cleaned',
      'hashed',
      'kept',
      'verification',
      'pixel_verification',
      'pixels',
      'regions_cleaned',
      'output_sha256',
    ]);
    expect(rows.map((r) => r.input_no)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(rows[6]).toMatchObject({ output: '', status: 'skipped', reason: `'=HYPERLINK("not DICOM")` });
    expect(Number(rows[0]!.pseudonymized) + Number(rows[0]!.replaced)).toBeGreaterThan(0);
  });

  it('keeps the private audit owner-only, mapping input numbers to paths', () => {
    if (posix) {
      expect(mode(auditDir)).toBe(0o700);
      expect(mode(join(root, 'private'))).toBe(0o700);
      for (const name of [AUDIT_CSV, UID_CROSSWALK, PATIENT_ID_CROSSWALK])
        expect(mode(join(auditDir, name))).toBe(0o600);
    }
    const audit = readCsvFile(join(auditDir, AUDIT_CSV));
    expect(audit[5]).toEqual({
      input_no: '6',
      input: `${INPUTS}/broken.dcm`,
      input_sha256: '',
      output: '',
      output_sha256: '',
      status: 'failed',
      reason: `EACCES: permission denied, open '${INPUTS}/broken.dcm'`,
      pixels: '',
      quarantine: '',
      timestamp: '2026-01-02T03:04:07.000Z',
    });
    expect(audit[0]).toMatchObject({
      input: `${INPUTS}/1.dcm`,
      output: all[0]!.output,
      input_sha256: 'a'.repeat(64),
    });
    expect(audit[6]!.reason).toBe(`'=HYPERLINK("not DICOM")`);
  });

  it('writes MIDI-B crosswalks with each original once, exactly, and only for files in the output', () => {
    const uids = readCrosswalkCsv(join(auditDir, UID_CROSSWALK));
    const olds = uids.map(([o]) => o);
    expect(new Set(olds).size).toBe(olds.length);
    expect(olds).toEqual(expect.arrayContaining([STUDY, SERIES, `${ORG}.3.1`, `${ORG}.3.4`]));
    expect(olds).not.toContain(`${ORG}.3.9`);
    const expected = new Map(all.flatMap((r) => (r.status === 'written' ? r.mapping!.uids : [])));
    expect(new Map(uids)).toEqual(expected);

    const patients = readCrosswalkCsv(join(auditDir, PATIENT_ID_CROSSWALK));
    expect(patients.map(([o]) => o)).toEqual(['PAT-77', 'JONES, "Q"', '-4711']);
    expect(patients[0]![1]).toBe(all[0]!.mapping!.patientId[1]);
    expect(readCrosswalk(join(auditDir, PATIENT_ID_CROSSWALK))).toEqual(new Map(patients));
  });

  it('writes a valid empty report', () => {
    const empty = ReportWriter.open(context(join(root, 'empty', 'out')), {
      auditDir: join(root, 'empty', 'audit'),
    });
    expect(empty.close()).toEqual({
      written: 0,
      skipped: 0,
      failed: 0,
      held: 0,
      accepted: 0,
      verificationFailed: 0,
    });
    expect(JSON.parse(readFileSync(join(empty.locations.reportDir, REPORT_JSON), 'utf8')).files).toEqual([]);
  });
});

describe('ReportWriter across runs', () => {
  it('appends to the audit and crosswalks, drops a line a crash cut short, and repeats no identifier', () => {
    const outDir = join(root, 'again', 'out');
    const auditDir = join(root, 'again', 'audit');
    const all = records(outDir);
    const first = ReportWriter.open(context(outDir), { auditDir });
    first.add(all[0]!);
    first.add(all[5]!);
    first.close();
    // A kill in the middle of a line: the next run drops the partial line and writes whole ones.
    appendFileSync(join(auditDir, AUDIT_CSV), '3,/data/SMITH^JOHN/cut');
    const second = ReportWriter.open(context(outDir), { auditDir });
    for (const r of all) second.add(r);
    second.close();
    const audit = readCsvFile(join(auditDir, AUDIT_CSV));
    // Each input keeps its own number in both runs; the failed one is tried, and recorded, again.
    expect(audit.map((r) => r.input_no)).toEqual(['1', '6', '2', '3', '4', '5', '6', '7']);
    expect(audit.some((r) => r.input?.endsWith('/cut'))).toBe(false);
    // The written output the first run recorded keeps its one line.
    expect(audit.filter((r) => r.output === all[0]!.output)).toHaveLength(1);
    const uids = readCrosswalkCsv(join(auditDir, UID_CROSSWALK)).map(([o]) => o);
    expect(new Set(uids).size).toBe(uids.length);
    if (posix) expect(mode(join(auditDir, AUDIT_CSV))).toBe(0o600);
  });

  it('counts an accepted file as written yet at risk, and records in the private audit who accepted it', () => {
    const outDir = join(root, 'accepted', 'out');
    const auditDir = join(root, 'accepted', 'audit');
    const [written] = records(outDir);
    const writer = ReportWriter.open(context(outDir), { auditDir });
    const rule = 'accepted by the profile rule "ultrasound series reviewed on site"';
    writer.add({ ...written!, pixels: { status: 'accepted', reason: rule, regionsCleaned: 0 } });
    expect(writer.close()).toMatchObject({ written: 1, accepted: 1, held: 0 });
    expect(readCsvFile(join(auditDir, AUDIT_CSV))[0]!.pixels).toBe(`accepted: ${rule}`);
    const [row] = readCsvFile(join(writer.locations.reportDir, REPORT_CSV));
    expect(row).toMatchObject({ status: 'written', pixels: 'accepted', regions_cleaned: '0' });
    // Who accepted it is for the site's records: the shareable report says only that it was.
    expect(readFileSync(join(writer.locations.reportDir, REPORT_JSON), 'utf8')).not.toContain('ultrasound');
  });

  it('names a moved output anew in an entry longer than the lines fileLines gathers (16 MB)', () => {
    const outDir = join(root, 'long', 'out');
    const [first, second] = records(outDir);
    const writer = ReportWriter.open(context(outDir), { auditDir: join(root, 'long', 'audit') });
    // A file with hundreds of thousands of distinct attributes: its entry is one line of 17 MB.
    const attributes = JSON.stringify({ note: 'x'.repeat(17 * 1024 * 1024) });
    writer.add({ ...first!, reportPart: renderReportPart(first!.report, attributes) });
    writer.add(second!);
    const moved = `${first!.output!.slice(0, -4)}_0123456789ab.dcm`;
    writer.moved(first!.output!, moved, first!.outputSha256!);
    writer.close();
    const report = JSON.parse(readFileSync(join(writer.locations.reportDir, REPORT_JSON), 'utf8'));
    expect(report.files.map((f: { output: string }) => join(outDir, f.output))).toEqual([
      moved,
      second!.output,
    ]);
    expect(report.files[0].attributes).toEqual(JSON.parse(attributes));
  });

  it('publishes as failed the inputs whose outputs the run stopped before moving into place', () => {
    const outDir = join(root, 'unplaced', 'out');
    const auditDir = join(root, 'unplaced', 'audit');
    const all = records(outDir);
    const [first, second, third, fourth] = all;
    // An output a rule accepted, never placed, is not counted as written at risk either.
    all[1] = { ...second!, pixels: { status: 'accepted', reason: 'a rule', regionsCleaned: 0 } };
    const writer = ReportWriter.open(context(outDir), { auditDir });
    for (const r of all) writer.add(r);
    const reason = 'the run stopped before its output was moved into place';
    writer.notPlaced(all[1], reason);
    writer.notPlaced(fourth!, reason);
    // A moved output is named anew in the same rewrite.
    const moved = `${third!.output!.slice(0, -4)}_0123456789ab.dcm`;
    writer.moved(third!.output!, moved, third!.outputSha256!, third!.inputNo);
    const summary = writer.close();
    expect(summary).toMatchObject({ written: 2, failed: 4, skipped: 1, accepted: 0 });
    const { reportDir } = writer.locations;
    const report = JSON.parse(readFileSync(join(reportDir, REPORT_JSON), 'utf8'));
    expect(report.summary).toEqual(summary);
    const failedEntry = (inputNo: number) => ({
      inputNo,
      output: null,
      status: 'failed',
      reason,
      sopClassUID: null,
      transferSyntaxUID: null,
      modality: null,
      actionCounts: null,
      attributes: null,
      verification: 'passed',
      pixelVerification: 'not-run',
      pixels: null,
      regionsCleaned: null,
      outputSha256: null,
    });
    expect(report.files[1]).toEqual({ ...failedEntry(2), pixels: 'accepted', regionsCleaned: 0 });
    expect(report.files[3]).toEqual(failedEntry(4));
    expect(report.files.map((f: { status: string }) => f.status)).toEqual([
      'written',
      'failed',
      'written',
      'failed',
      'failed',
      'failed',
      'skipped',
    ]);
    expect(join(outDir, report.files[0].output)).toBe(first!.output);
    expect(join(outDir, report.files[2].output)).toBe(moved);
    const rows = readCsvFile(join(reportDir, REPORT_CSV));
    expect(rows.map((r) => [r.input_no, r.status, r.output])).toEqual(
      report.files.map((f: { inputNo: number; status: string; output: string | null }) => [
        String(f.inputNo),
        f.status,
        f.output ?? '',
      ]),
    );
    expect([rows[1]!.reason, rows[3]!.reason]).toEqual([reason, reason]);
    expect(rows[1]!.removed).toBe('');
    // The private audit keeps the written rows: a resumed run writes those outputs, with their bytes, under them.
    expect(readCsvFile(join(auditDir, AUDIT_CSV)).map((r) => r.status)).toEqual(all.map((r) => r.status));
  });

  it('refuses an audit another version wrote, leaving it as it is', () => {
    const auditDir = join(root, 'old', 'audit');
    mkdirSync(auditDir, { recursive: true });
    writeFileSync(join(auditDir, AUDIT_CSV), 'input_no,input,output\r\n1,/x,/y\r\n');
    expect(() => ReportWriter.open(context(join(root, 'old', 'out')), { auditDir })).toThrow(
      /the audit in the audit folder has other columns/,
    );
    expect(readFileSync(join(auditDir, AUDIT_CSV), 'utf8')).toBe('input_no,input,output\r\n1,/x,/y\r\n');
  });
});

describe('report locations', () => {
  it('defaults to <out>.report and ~/.dicom-deid/audit/<start time>', () => {
    expect(reportLocations('/x/out', '2026-01-02T03:04:05.678Z', {}, '/home/u')).toEqual({
      reportDir: '/x/out.report',
      auditDir: join('/home/u', '.dicom-deid', 'audit', '2026-01-02T03-04-05.678Z'),
    });
  });

  it('refuses an audit folder inside the output or report folder, also through a symlink', () => {
    const out = join(root, 'loc', 'out');
    mkdirSync(out, { recursive: true });
    expect(() => reportLocations(out, 't', { auditDir: join(out, 'audit') })).toThrow(
      /inside the output folder/,
    );
    expect(() => reportLocations(out, 't', { auditDir: out })).toThrow(/inside the output folder/);
    expect(() => reportLocations(out, 't', { reportDir: '/r', auditDir: '/r/a' })).toThrow(
      /inside the report folder/,
    );
    symlinkSync(out, join(root, 'loc', 'link'));
    expect(() => reportLocations(out, 't', { auditDir: join(root, 'loc', 'link', 'a') })).toThrow(/inside/);
    expect(reportLocations(out, 't', { auditDir: join(root, 'loc', 'out-audit') }).auditDir).toBe(
      join(root, 'loc', 'out-audit'),
    );
    expect(existsSync(join(out, 'audit'))).toBe(false);
  });
});

describe('shareableReason', () => {
  it('drops paths and the input file name, keeping tags', () => {
    const input = '/data/SMITH^JOHN/SMITH_J.dcm';
    expect(shareableReason(`ENOENT: no such file or directory, open '${input}'`, input)).toBe(
      "ENOENT: no such file or directory, open '<input>'",
    );
    expect(shareableReason('cannot read SMITH_J.dcm: truncated at byte 12', input)).toBe(
      'cannot read <input>: truncated at byte 12',
    );
    expect(shareableReason('EACCES C:\\Users\\smith\\x.dcm (0010,0010)', 'C:\\in\\1')).toBe(
      'EACCES <path> (0010,0010)',
    );
    expect(shareableReason('(0010,0010) PatientName at byte 1', '/in/1')).toBe(
      '(0010,0010) PatientName at byte 1',
    );
    expect(shareableReason('(0010,0010) at byte 12 declares 1000 bytes', '/in/0010')).toBe(
      '(0010,0010) at byte 12 declares 1000 bytes',
    );
    expect(shareableReason('(0010,0010) at byte 12 declares 1000 bytes', '/in/1000')).toBe(
      '(0010,0010) at byte 12 declares 1000 bytes',
    );
    expect(shareableReason('failed: 1.2.826.3.dcm is truncated', '/in/1.2.826.3.dcm')).toBe(
      'failed: <input> is truncated',
    );
    expect(shareableReason("EIO: i/o error, read '/mnt/a b/SMITH x'", '/in/1')).toBe(
      "EIO: i/o error, read '<path>'",
    );
  });
});
