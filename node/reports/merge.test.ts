import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRow } from './csv.js';
import { MergeError, mergeReports } from './merge.js';
import { readCsvFile } from './read.js';
import { type ReportEntry, reportJsonEntry, reportJsonHead, reportJsonTail } from './report-layout.js';
import type { BatchSummary } from './types.js';
import { AUDIT_COLUMNS, auditRow } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'deid-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Input {
  readonly path: string;
  readonly output: string | null;
  readonly sha?: string;
  readonly status?: string;
}

let folders = 0;
/** A shard's report and audit folders as the batch writes them, for the given inputs in that order. */
function shard(
  inputs: readonly Input[],
  head: Record<string, unknown> = {},
  crosswalk: Array<[string, string]> = [],
) {
  const base = join(dir, `shard-${++folders}`);
  const report = join(base, 'report');
  const audit = join(base, 'audit');
  mkdirSync(report, { recursive: true });
  mkdirSync(audit, { recursive: true });
  const files = inputs.map((input, i) => ({
    inputNo: i + 1,
    output: input.output,
    status: input.status ?? 'written',
    reason: null,
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUID: '1.2.840.10008.1.2.1',
    modality: 'CT',
    actionCounts: { removed: 3 },
    attributes: null,
    verification: 'passed',
    pixels: 'clean',
    regionsCleaned: null,
    outputSha256: input.sha ?? null,
  }));
  const json =
    reportJsonHead({
      tool: 'dicom-deid',
      version: '1.0.0',
      profile: 'basic',
      edition: '2025b',
      options: [],
      keyFingerprint: '0123456789abcdef',
      startedAt: `2026-01-0${folders % 9}T00:00:00.000Z`,
      ...head,
    }) +
    files.map((f, i) => reportJsonEntry(f as ReportEntry, i === 0)).join('') +
    reportJsonTail(files.length, '2026-01-09T00:00:00.000Z', {} as BatchSummary);
  writeFileSync(join(report, 'deid-report.json'), json);
  const rows = inputs.map((input, i) =>
    auditRow(
      [i + 1, input.path, 'aa', input.output ? `/o${folders}/${input.output}` : '', input.sha ?? ''].concat([
        input.status ?? 'written',
        '',
        'clean',
        '',
        '2026-01-01T00:00:00.000Z',
      ]),
    ),
  );
  writeFileSync(join(audit, 'deid-audit.csv'), auditRow(AUDIT_COLUMNS) + rows.join(''));
  for (const name of ['uid-crosswalk.csv', 'patient-id-crosswalk.csv'])
    writeFileSync(join(audit, name), csvRow(['id_old', 'id_new']) + crosswalk.map((r) => csvRow(r)).join(''));
  return { report, audit };
}

const run = (shards: ReturnType<typeof shard>[], name: string) =>
  mergeReports({
    reportDirs: shards.map((s) => s.report),
    auditDirs: shards.map((s) => s.audit),
    reportOut: join(dir, name, 'report'),
    auditOut: join(dir, name, 'audit'),
  });

describe('mergeReports', () => {
  it('numbers inputs in walk order and counts an output two shards wrote with the same bytes once', () => {
    const a = shard([{ path: '/in/b/2.dcm', output: 'P/S/x.dcm', sha: 'f1' }], {}, [['1.2.3', '2.25.9']]);
    const b = shard(
      [
        { path: '/in/a-z/9.dcm', output: 'P/S/z.dcm', sha: 'f3' },
        { path: '/in/a/1.dcm', output: 'P/S/x.dcm', sha: 'f1' },
      ],
      {},
      [
        ['1.2.3', '2.25.9'],
        ['1.2.4', '2.25.8'],
      ],
    );
    const summary = run([a, b], 'same');
    expect(summary).toMatchObject({ written: 2, skipped: 1, duplicates: 1, shards: 2 });
    const audit = readCsvFile(join(dir, 'same', 'audit', 'deid-audit.csv'));
    // Folder by folder: /in/a before /in/a-z, although '-' sorts before '/' in a plain string sort.
    expect(audit.map((r) => [r.input_no, r.input, r.status])).toEqual([
      ['1', '/in/a/1.dcm', 'written'],
      ['2', '/in/a-z/9.dcm', 'written'],
      ['3', '/in/b/2.dcm', 'skipped'],
    ]);
    expect(audit[2]!.reason).toBe('duplicate: the same instance with the same content as input 1');
    expect(audit[2]!.output).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'same', 'report', 'deid-report.json'), 'utf8'));
    expect(
      report.files.map((f: { inputNo: number; output: string | null }) => [f.inputNo, f.output]),
    ).toEqual([
      [1, 'P/S/x.dcm'],
      [2, 'P/S/z.dcm'],
      [3, null],
    ]);
    // From the first shard's start to the last one's end.
    expect([report.startedAt, report.finishedAt]).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
    ]);
    expect(report.summary).toEqual({
      written: 2,
      skipped: 1,
      failed: 0,
      held: 0,
      accepted: 0,
      verificationFailed: 0,
    });
    expect(readFileSync(join(dir, 'same', 'audit', 'uid-crosswalk.csv'), 'utf8')).toBe(
      'id_old,id_new\r\n1.2.3,2.25.9\r\n1.2.4,2.25.8\r\n',
    );
    if (process.platform !== 'win32')
      expect(statSync(join(dir, 'same', 'audit', 'deid-audit.csv')).mode & 0o077).toBe(0);
  });

  it("keeps every audit row of an input, in its shard's order, and refuses a report laid out otherwise", () => {
    const a = shard([
      { path: '/in/b/2.dcm', output: 'P/S/y.dcm', sha: 'f2' },
      { path: '/in/b/1.dcm', output: 'P/S/x.dcm', sha: 'f1' },
    ]);
    // A later run over the same folders (a project's audit) added a row for the shard's input 2.
    appendFileSync(
      join(a.audit, 'deid-audit.csv'),
      auditRow([
        2,
        '/in/b/1.dcm',
        'aa',
        '/o/P/S/x.dcm',
        'f1',
        'skipped',
        'already written',
        'clean',
        '',
        't',
      ]),
    );
    const b = shard([{ path: '/in/a/1.dcm', output: 'P/S/z.dcm', sha: 'f3' }]);
    run([a, b], 'rows');
    const audit = readCsvFile(join(dir, 'rows', 'audit', 'deid-audit.csv'));
    expect(audit.map((r) => [r.input_no, r.input, r.status])).toEqual([
      ['1', '/in/a/1.dcm', 'written'],
      ['2', '/in/b/1.dcm', 'written'],
      ['2', '/in/b/1.dcm', 'skipped'],
      ['3', '/in/b/2.dcm', 'written'],
    ]);
    const flat = join(b.report, 'deid-report.json');
    writeFileSync(flat, JSON.stringify(JSON.parse(readFileSync(flat, 'utf8'))));
    expect(() => run([a, b], 'flat')).toThrow(
      'the deid-report.json of report folder 2 is not one dicom-deid wrote: it is not laid out as dicom-deid lays out a report',
    );
    expect(existsSync(join(dir, 'flat'))).toBe(false);
  });

  it('without the audits, numbers the inputs by output, those without one last', () => {
    const a = shard([
      { path: '/in/1.dcm', output: 'P/S/y.dcm', sha: 'f2' },
      { path: '/in/2.dcm', output: null, status: 'failed' },
    ]);
    const b = shard([
      { path: '/in/3.dcm', output: 'P/S/y.dcm', sha: 'f2' },
      { path: '/in/4.dcm', output: 'P/R/x.dcm', sha: 'f1' },
    ]);
    const summary = mergeReports({
      reportDirs: [b.report, a.report],
      reportOut: join(dir, 'bare', 'report'),
    });
    expect(summary).toMatchObject({ written: 2, skipped: 1, failed: 1, duplicates: 1, shards: 2 });
    const report = JSON.parse(readFileSync(join(dir, 'bare', 'report', 'deid-report.json'), 'utf8'));
    expect(
      report.files.map((f: { inputNo: number; output: string | null; status: string }) => [
        f.inputNo,
        f.output,
        f.status,
      ]),
    ).toEqual([
      [1, 'P/R/x.dcm', 'written'],
      // The same output from two shards: the first in the order of the folders given keeps it.
      [2, 'P/S/y.dcm', 'written'],
      [3, null, 'skipped'],
      [4, null, 'failed'],
    ]);
    expect(existsSync(join(dir, 'bare', 'audit'))).toBe(false);
  });

  it('refuses different bytes under one output name, reports of another key, and crosswalks that disagree', () => {
    const refused = (shards: ReturnType<typeof shard>[], name: string, words: string) => {
      expect(() => run(shards, name)).toThrow(MergeError);
      expect(() => run(shards, name)).toThrow(words);
      expect(existsSync(join(dir, name))).toBe(false);
    };
    const x = shard([{ path: '/in/1.dcm', output: 'P/S/x.dcm', sha: 'f1' }]);
    refused([x, shard([{ path: '/in/2.dcm', output: 'P/S/x.dcm', sha: 'f2' }])], 'split', '--shard-by study');
    // One shard saw two contents (hashed names), another a third under the plain name.
    const twins = shard([
      { path: '/in/3.dcm', output: 'P/S/x_aaaaaaaaaaaa.dcm', sha: 'aaaaaaaaaaaa01' },
      { path: '/in/4.dcm', output: 'P/S/x_bbbbbbbbbbbb.dcm', sha: 'bbbbbbbbbbbb02' },
    ]);
    refused([twins, x], 'third', '--shard-by study');
    refused([x, shard([], { keyFingerprint: 'fedcba9876543210' })], 'key', 'keyFingerprint');
    refused(
      [shard([], {}, [['1.2.3', '2.25.1']]), shard([], {}, [['1.2.3', '2.25.2']])],
      'crosswalk',
      'two pseudonyms',
    );
    // Runs over different inputs into a shard's folders (files added in between): the report keeps the
    // earlier outputs under numbers the new inputs take too.
    const reused = shard([
      { path: '/in/6.dcm', output: 'P/S/z.dcm', sha: 'f6' },
      { path: '/in/7.dcm', output: 'P/S/w.dcm', sha: 'f7' },
    ]);
    const reusedJson = join(reused.report, 'deid-report.json');
    writeFileSync(reusedJson, readFileSync(reusedJson, 'utf8').replace('"inputNo":2', '"inputNo":1'));
    refused([x, reused], 'reused', 'report folder 2 numbers two inputs 1');
    // The same in the audit: a failed input's row under a number a later run gave another input.
    const renumbered = shard([{ path: '/in/8.dcm', output: 'P/S/v.dcm', sha: 'f8' }]);
    const audit = join(renumbered.audit, 'deid-audit.csv');
    writeFileSync(
      audit,
      readFileSync(audit, 'utf8').replace(
        '\r\n',
        `\r\n${auditRow([1, '/in/7b.dcm', 'bb', '', '', 'failed'])}`,
      ),
    );
    refused([x, renumbered], 'renumbered', 'audit folder 2 numbers two inputs 1');
    // A shard still running (or one whose run died) holds its folders: its published report is not its run.
    for (const kind of ['report', 'audit'] as const) {
      const held = shard([{ path: '/in/5.dcm', output: 'P/S/y.dcm', sha: 'f5' }]);
      writeFileSync(join(held[kind], '.deid-lock'), '{}');
      refused([x, held], `held-${kind}`, `${kind} folder 2 is held by a run (.deid-lock)`);
    }
  });
});
