import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileRow } from '../shared/ipc/contract.js';
import { getPreset, parseProfileFile } from '../shared/profile/index.js';
import { fileRow } from '../test/file-row.js';
import { countOutcomes, describeProfile, outputContents, planPixels } from './app-plan.js';
import type { RegionFacts } from './app-regions.js';

const row = fileRow;
const facts = (series: string): RegionFacts => ({
  sopInstanceUID: '1.2',
  seriesInstanceUID: series,
  manufacturer: 'ACME',
  modelName: '',
  sopClassUID: '',
  modality: 'US',
  photometricInterpretation: 'RGB',
  rows: 192,
  columns: 256,
});

describe('run plan', () => {
  it('counts files at image-text risk as held unless a rule with boxes or an acceptance covers them', () => {
    const rows = [
      row(1, { burnedIn: 'likely' }),
      row(2, { burnedIn: 'likely' }),
      row(3, { burnedIn: 'possible' }),
      row(4, {}),
      row(5, { status: 'not-dicom', phiCount: null }),
      row(6, { status: 'unreadable', phiCount: null }),
      row(7, { status: 'failed' }),
    ];
    const seriesOf = (r: FileRow) => facts(r.id === 1 ? '1.2.3' : '9.9.9');
    expect(countOutcomes(rows, seriesOf, [])).toEqual({ write: 2, held: 2, notWritten: 3 });
    const box = { x: 0, y: 0, width: 10, height: 10 };
    expect(
      countOutcomes(rows, seriesOf, [{ match: { seriesInstanceUID: '1.2.3' }, regions: [box] }]),
    ).toEqual({ write: 3, held: 1, notWritten: 3 });
    expect(
      countOutcomes(rows, seriesOf, [{ match: { manufacturer: 'acme' }, regions: [], accept: true }]),
    ).toEqual({ write: 4, held: 0, notWritten: 3 });
    // A rule with neither boxes nor acceptance covers nothing.
    expect(countOutcomes(rows, seriesOf, [{ match: { manufacturer: 'ACME' }, regions: [] }]).held).toBe(2);
  });

  it('marks the options that let identifying data through, not those that hide it', () => {
    const profile = parseProfileFile(
      JSON.stringify({ name: 'Mine', options: ['retainLongFullDates', 'cleanDescriptors'] }),
      'p.json',
    );
    const { options } = describeProfile(profile);
    expect(options).toContainEqual({ label: 'Keep real dates', weakens: true });
    expect(options).toContainEqual({ label: 'Clean descriptions', weakens: false });
    expect(describeProfile(getPreset('basic')).options.filter((o) => o.weakens)).toEqual([]);
    const noPixels = parseProfileFile(
      JSON.stringify({ name: 'No pixels', withoutOptions: ['cleanPixelData'] }),
      'p.json',
    );
    expect(describeProfile(noPixels).options).toContainEqual({
      label: 'Image text is not cleaned (Clean Pixel Data is off)',
      weakens: true,
    });
  });
});

describe('output contents', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'deid-plan-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('counts what is there, and passes on whether an earlier run wrote there', () => {
    expect(outputContents(join(folder, 'missing'), 'none')).toEqual({
      path: join(folder, 'missing'),
      entries: 0,
      earlierRun: 'none',
    });
    writeFileSync(join(folder, 'a.dcm'), '');
    mkdirSync(join(folder, 'series'));
    expect(outputContents(folder, 'other')).toEqual({ path: folder, entries: 2, earlierRun: 'other' });
  });
});

describe('the pixel plan', () => {
  it('counts what the checks said of the files at risk, and those not checked yet', () => {
    const rows = [
      row(1, { burnedIn: 'likely' }),
      row(2, { burnedIn: 'likely' }),
      row(3, { burnedIn: 'possible' }),
      row(4, { burnedIn: 'possible' }),
      row(5, { burnedIn: 'possible' }),
      row(6, { burnedIn: 'possible' }),
      row(7, {}),
      row(8, { burnedIn: 'likely', status: 'unreadable' }),
    ];
    const undecided = '1 pieces of burned-in text beside a label could not be read';
    const checks = new Map([
      [1, { status: 'held' as const, reason: undecided }],
      [2, { status: 'held' as const, reason: undecided }],
      [3, { status: 'cleaned' as const }],
      [4, { status: 'not-at-risk' as const }],
      [
        5,
        {
          status: 'held' as const,
          reason: 'Burned In Annotation (0028,0301) is YES and the pixels were not cleaned',
        },
      ],
      // A check of a file not at risk (7) or not readable (8) is no part of the plan.
      [7, { status: 'cleaned' as const }],
      [8, { status: 'held' as const, reason: 'x' }],
    ]);
    expect(planPixels(rows, (r) => checks.get(r.id))).toEqual({
      cleaned: 1,
      held: 3,
      accepted: 0,
      untouched: 1,
      unchecked: 1,
      heldReasons: [
        { reason: undecided, files: 2 },
        { reason: 'Burned In Annotation (0028,0301) is YES and the pixels were not cleaned', files: 1 },
      ],
    });
  });

  it('lets the checks decide the held count of the files they checked', () => {
    const rows = [
      row(1, { burnedIn: 'likely' }),
      row(2, { burnedIn: 'likely' }),
      row(3, { burnedIn: 'possible' }),
    ];
    const checks = new Map([
      [1, { status: 'cleaned' as const }],
      [3, { status: 'held' as const }],
    ]);
    // 1: cleaned by the check; 2: not checked, its header says it is held; 3: the check holds it.
    expect(
      countOutcomes(
        rows,
        () => undefined,
        [],
        (r) => checks.get(r.id),
      ),
    ).toEqual({
      write: 1,
      held: 2,
      notWritten: 0,
    });
  });

  it('is null when no file is at risk', () => {
    expect(planPixels([row(1, {})], () => undefined)).toBeNull();
  });
});
