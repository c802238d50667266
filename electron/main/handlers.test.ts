import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedDialogs } from '../../e2e/dialogs.js';
import type { Emit, EventName, Events, FileRow } from '../../shared/ipc/contract.js';
import { dispatch } from './dispatch.js';
import { createHandlers, type Handlers } from './handlers.js';

const SAMPLES = join(import.meta.dirname, '../../assets/samples');

let root: string;
let dialogs: ScriptedDialogs;
let handlers: Handlers;
let events: Array<{ event: EventName; payload: unknown }>;
let emit: Emit;

const make = () =>
  createHandlers({
    userData: join(root, 'user-data'),
    samplesDir: SAMPLES,
    defaultKeyPath: join(root, 'user-data', 'project.key'),
    dialogs,
    toolVersion: '0.0.0-test',
  });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'deid-handlers-'));
  dialogs = new ScriptedDialogs();
  handlers = make();
  // Each test its own log: background work of an earlier test's handlers must not answer this one's waits.
  const log: typeof events = [];
  events = log;
  emit = (event, payload) => {
    log.push({ event, payload });
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Resolves with the first pushed event of `name` that `match` accepts. */
function nextEvent<E extends EventName>(name: E, match: (payload: Events[E]) => boolean = () => true) {
  return new Promise<Events[E]>((resolve) => {
    const check = () => {
      const hit = events.find((e) => e.event === name && match(e.payload as Events[E]));
      if (hit) resolve(hit.payload as Events[E]);
      else setTimeout(check, 10);
    };
    check();
  });
}

async function loadSamples(): Promise<FileRow[]> {
  await handlers['inputs:samples']({}, emit);
  await nextEvent('files:scan', (s) => !s.scanning && s.found > 0 && s.found === s.scanned);
  const rows = new Map<number, FileRow>();
  for (const e of events)
    if (e.event === 'files:rows')
      for (const row of (e.payload as Events['files:rows']).rows) rows.set(row.id, row);
  return [...rows.values()];
}

describe('dispatch', () => {
  it('refuses unknown channels and invalid arguments before any handler runs', async () => {
    expect(await dispatch(handlers, 'fs:readFile', {}, emit)).toEqual({
      ok: false,
      error: 'unknown request',
    });
    const bad = await dispatch(handlers, 'inputs:add', { paths: [] }, emit);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^invalid request inputs:add/);
    expect((await dispatch(handlers, 'file:inspect', { id: -1 }, emit)).ok).toBe(false);
    expect((await dispatch(handlers, 'settings:get', { extra: 1 }, emit)).ok).toBe(false);
    expect(events).toEqual([]);
  });

  it('turns a handler error into a message', async () => {
    expect(await dispatch(handlers, 'file:inspect', { id: 999 }, emit)).toEqual({
      ok: false,
      error: 'this file is no longer in the list',
    });
  });
});

describe('handlers', () => {
  it('reads the samples in the background and pushes a row per file', async () => {
    const rows = await loadSamples();
    expect(rows.filter((row) => row.status === 'scanned')).toHaveLength(10);
    // Only the studies: the README and the list of planted values beside them are not inputs.
    expect(rows).toHaveLength(10);
    const ct = rows.find((row) => row.modality === 'CT')!;
    expect(ct.patient).toBe('DOE JANE M · ID MRN9567370');
    expect(ct.phiCount).toBeGreaterThan(10);
  });

  it('inspects a file: findings by category with values and planned actions, header and image', async () => {
    const ct = (await loadSamples()).find((row) => row.modality === 'CT')!;
    const inspection = await handlers['file:inspect']({ id: ct.id }, emit);
    const identity = inspection.groups.find((group) => group.category === 'patient-identity')!;
    const name = identity.findings.find((finding) => finding.keyword === 'PatientName')!;
    expect(name).toMatchObject({ value: 'DOE^JANE^M', action: 'pseudonymized' });
    expect(name.preview).not.toContain('DOE');
    expect(
      inspection.header.some((line) => line.keyword === 'StationName' && line.value === 'ACME-CT01'),
    ).toBe(true);
    expect(inspection.image).toMatchObject({ rows: 64, columns: 64, frames: 1 });
    const frame = await handlers['file:image']({ id: ct.id, frame: 0 }, emit);
    expect(frame).toMatchObject({ kind: 'grey', width: 64, height: 64 });
  });

  it('keeps the last valid profile while a draft has problems, and remembers a valid one', async () => {
    const { draft } = await handlers['profile:get']({}, emit);
    const bad = await handlers['profile:set'](
      { draft: { ...draft, rules: [{ keyword: 'NoSuchThing', action: 'remove' }] } },
      emit,
    );
    expect(bad.issues.join('\n')).toMatch(/rules\[0\]\.keyword/);
    const good = await handlers['profile:set'](
      { draft: { ...draft, options: ['retainPatientCharacteristics'] } },
      emit,
    );
    expect(good.issues).toEqual([]);
    expect((await make()['profile:get']({}, emit)).draft.options).toEqual(['retainPatientCharacteristics']);
  });

  it('takes the image-text allow lists with the profile, refuses a bad pattern by its place, and remembers them', async () => {
    const { draft } = await handlers['profile:get']({}, emit);
    const bad = await handlers['profile:set'](
      { draft: { ...draft, technicalText: { US: { addPatterns: ['\\d{2}:\\d{2}'] } } } },
      emit,
    );
    expect(bad.issues).toEqual([
      'technicalText.US.addPatterns[0]: would keep a time (it matches "10:42"): make it ask for what only technical text has',
    ]);
    const technicalText = { US: { addWords: ['LVOT'], removeWords: ['LIVER'] } };
    const good = await handlers['profile:set']({ draft: { ...draft, technicalText } }, emit);
    expect(good.issues).toEqual([]);
    expect((await make()['profile:get']({}, emit)).draft.technicalText).toEqual(technicalText);
  });

  it('switching off an option of the base preset leaves a profile on the basic preset', async () => {
    const { draft } = await handlers['profile:set'](
      {
        draft: {
          name: 'Mine',
          base: 'research',
          options: ['retainPatientCharacteristics'],
          dateShift: { minDays: -400, maxDays: -10 },
          rules: [],
        },
      },
      emit,
    );
    expect(draft).toMatchObject({ base: 'basic', options: ['retainPatientCharacteristics'] });
  });

  it('switching off Clean Pixel Data keeps the preset and is remembered', async () => {
    const draft = {
      name: 'No pixels',
      base: 'relinkable' as const,
      options: ['retainUIDs' as const],
      dateShift: { minDays: -400, maxDays: -10 },
      rules: [],
    };
    const set = await handlers['profile:set']({ draft }, emit);
    expect(set.issues).toEqual([]);
    expect(set.draft).toMatchObject({ base: 'relinkable', options: ['retainUIDs'] });
    expect((await make()['profile:get']({}, emit)).draft.options).toEqual(['retainUIDs']);
  });

  it('refuses an output folder inside an input folder and remembers an accepted one', async () => {
    const inputs = join(root, 'inputs');
    mkdirSync(inputs);
    await handlers['inputs:add']({ paths: [inputs] }, emit);
    dialogs.answer(join(inputs, 'out'));
    expect((await handlers['output:choose']({}, emit))?.refused).toMatch(/inside a folder of input files/);
    expect((await handlers['settings:get']({}, emit)).outputFolder).toBeUndefined();
    dialogs.answer(join(root, 'out'));
    expect(await handlers['output:choose']({}, emit)).toEqual({ path: join(root, 'out') });
    expect((await make()['settings:get']({}, emit)).outputFolder).toBe(join(root, 'out'));
  });

  it('runs a batch, pushing progress and a summary, then exports the report', async () => {
    await loadSamples();
    expect(await handlers['batch:start']({ verify: true }, emit)).toEqual({
      refused: 'Choose an output folder first.',
    });
    dialogs.answer(join(root, 'out'));
    await handlers['output:choose']({}, emit);
    expect(await handlers['batch:start']({ verify: true }, emit)).toEqual({});
    const summary = await nextEvent('batch:done');
    // The two ultrasound files declare burned-in text: the detector finds their banners and cleans them.
    expect(summary).toMatchObject({
      outcome: 'finished',
      written: 10,
      held: 0,
      skipped: 0,
      failed: 0,
      verification: { checked: 10, clean: 10 },
    });
    expect(events.some((e) => e.event === 'batch:progress')).toBe(true);

    const report = join(root, 'report.json');
    dialogs.answer(report);
    await handlers['report:export']({ format: 'json' }, emit);
    expect(JSON.parse(readFileSync(report, 'utf8')).summary).toMatchObject({ written: 10 });
    expect(existsSync(join(root, 'out'))).toBe(true);
  });
  it('runs only the checked files: the plan and the summary count them, and nothing else is written', async () => {
    const rows = await loadSamples();
    const ct = rows.filter((row) => row.modality === 'CT');
    const mr = rows.filter((row) => row.modality === 'MR');
    expect(ct.length).toBeGreaterThan(0);
    expect(mr.length).toBeGreaterThan(0);
    const ids = [...ct.map((row) => row.id), mr[0]!.id];
    dialogs.answer(join(root, 'out'));
    await handlers['output:choose']({}, emit);
    expect((await handlers['run:plan']({ ids }, emit)).files).toEqual({
      write: ids.length,
      held: 0,
      notWritten: 0,
    });
    expect((await handlers['run:plan']({}, emit)).files.write + 2).toBe(rows.length);
    expect(await handlers['batch:start']({ verify: true, ids: [] }, emit)).toEqual({
      refused: 'No file is checked in the list: check the files to de-identify.',
    });
    expect(await handlers['batch:start']({ verify: true, ids }, emit)).toEqual({});
    const summary = await nextEvent('batch:done');
    expect(summary).toMatchObject({ outcome: 'finished', total: ids.length, written: ids.length, held: 0 });
    // Read back by dcmdump: the outputs are the checked CT files and one MR file, nothing more.
    const outputs = readdirSync(join(root, 'out'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    const modalities = outputs
      .map(
        (file) =>
          /\[(\w+)\]/.exec(execFileSync('dcmdump', ['+P', 'Modality', file], { encoding: 'utf8' }))?.[1],
      )
      .sort();
    expect(modalities).toEqual([...ct.map(() => 'CT'), 'MR']);
  });

  it('refuses a subset that is not a list of file ids', async () => {
    for (const ids of [[-1], [1.5], ['1']]) {
      const answer = await dispatch(handlers, 'batch:start', { verify: true, ids }, emit);
      expect(answer.ok).toBe(false);
    }
  });
});

describe('file:compare', () => {
  it('answers the before / after of a file in the list, and refuses one that is not', async () => {
    const rows = await loadSamples();
    const ct = rows.find((row) => row.modality === 'CT')!;
    const answer = await dispatch(handlers, 'file:compare', { id: ct.id }, emit);
    expect(answer.ok).toBe(true);
    const comparison = (answer as { value: Awaited<ReturnType<Handlers['file:compare']>> }).value;
    expect(comparison.id).toBe(ct.id);
    expect(comparison.changes.find((change) => change.keyword === 'PatientName')).toMatchObject({
      change: 'changed',
      before: 'DOE^JANE^M',
    });
    // With the key the inspector uses: the copy's pseudonym is the one it plans.
    const inspection = await handlers['file:inspect']({ id: ct.id }, emit);
    const planned = inspection.groups
      .flatMap((group) => group.findings)
      .find((f) => f.keyword === 'PatientName');
    expect(comparison.changes.find((change) => change.keyword === 'PatientName')?.after).toBe(
      planned?.preview,
    );
    expect(await dispatch(handlers, 'file:compare', { id: 99_999 }, emit)).toMatchObject({ ok: false });
  });
});

describe('file:regions', () => {
  const box = { x: 0, y: 0, width: 120, height: 48 };

  it('applies boxes to a series: every file of it shows them, other files do not, and they persist', async () => {
    const rows = await loadSamples();
    const us = rows.filter((row) => row.modality === 'US');
    const ct = rows.find((row) => row.modality === 'CT')!;
    expect(us).toHaveLength(2);
    const answer = await dispatch(
      handlers,
      'file:regions',
      { id: us[0]!.id, scope: 'series', regions: [box], accept: false },
      emit,
    );
    expect(answer).toEqual({
      ok: true,
      value: {
        pixelRules: [{ scope: 'series', label: 'drawn on this series', regions: [box], accept: false }],
      },
    });
    expect((await handlers['file:inspect']({ id: us[1]!.id }, emit)).pixelRules).toHaveLength(1);
    expect((await handlers['file:inspect']({ id: ct.id }, emit)).pixelRules).toEqual([]);
    // The settings keep the rule (with the original series UID, which never leaves the machine).
    const saved = JSON.parse(readFileSync(join(root, 'user-data', 'settings.json'), 'utf8'));
    expect(saved.pixelRules).toHaveLength(1);
    expect(Object.keys(saved.pixelRules[0].match)).toEqual(['seriesInstanceUID']);
  });

  it('a device template matches on manufacturer and size and is labelled without a UID', async () => {
    const rows = await loadSamples();
    const us = rows.find((row) => row.modality === 'US')!;
    const inspection = await handlers['file:inspect']({ id: us.id }, emit);
    expect(inspection.device).toMatch(/^ACME Imaging.*256 × 192$/);
    const { pixelRules } = await handlers['file:regions'](
      { id: us.id, scope: 'device', regions: [box], accept: false },
      emit,
    );
    expect(pixelRules[0]!.label).toBe(`device template: ${inspection.device}`);
  });

  it('a saved profile carries device templates but never a rule naming an original UID', async () => {
    const rows = await loadSamples();
    const us = rows.find((row) => row.modality === 'US')!;
    await handlers['file:regions']({ id: us.id, scope: 'device', regions: [box], accept: false }, emit);
    await handlers['file:regions']({ id: us.id, scope: 'series', regions: [box], accept: false }, emit);
    const saved = join(root, 'profile.json');
    dialogs.answer(saved);
    await handlers['profile:save']({ format: 'json' }, emit);
    const text = readFileSync(saved, 'utf8');
    const file = JSON.parse(text) as { pixelRules: Array<{ match: Record<string, unknown> }> };
    expect(file.pixelRules.map((rule) => Object.keys(rule.match).sort())).toEqual([
      ['columns', 'manufacturer', 'rows'],
    ]);
    expect(text).not.toMatch(/InstanceUID/);
    // The saved file loads back as a profile with the template.
    dialogs.answer(saved);
    const loaded = await handlers['profile:open']({}, emit);
    expect(loaded?.issues).toEqual([]);
  });

  it('an acceptance without boxes is kept; clearing both removes the rule', async () => {
    const rows = await loadSamples();
    const us = rows.find((row) => row.modality === 'US')!;
    const accepted = await handlers['file:regions'](
      { id: us.id, scope: 'file', regions: [], accept: true },
      emit,
    );
    expect(accepted.pixelRules).toEqual([
      { scope: 'file', label: 'drawn on this file', regions: [], accept: true },
    ]);
    const cleared = await handlers['file:regions'](
      { id: us.id, scope: 'file', regions: [], accept: false },
      emit,
    );
    expect(cleared.pixelRules).toEqual([]);
  });

  it('refuses boxes outside the image and malformed geometry', async () => {
    const rows = await loadSamples();
    const us = rows.find((row) => row.modality === 'US')!;
    const outside = await dispatch(
      handlers,
      'file:regions',
      { id: us.id, scope: 'file', regions: [{ x: 200, y: 0, width: 57, height: 10 }], accept: false },
      emit,
    );
    expect(outside).toEqual({ ok: false, error: 'box 1 reaches outside the 256 × 192 image' });
    for (const regions of [
      [{ x: -1, y: 0, width: 5, height: 5 }],
      [{ x: 0, y: 0, width: 0, height: 5 }],
      [{ x: 0.5, y: 0, width: 5, height: 5 }],
    ]) {
      const answer = await dispatch(
        handlers,
        'file:regions',
        { id: us.id, scope: 'file', regions, accept: false },
        emit,
      );
      expect(answer.ok).toBe(false);
    }
    const tooMany = Array.from({ length: 65 }, () => box);
    expect(
      (
        await dispatch(
          handlers,
          'file:regions',
          { id: us.id, scope: 'file', regions: tooMany, accept: false },
          emit,
        )
      ).ok,
    ).toBe(false);
  });
});

describe('file:review', () => {
  const box = { x: 0, y: 0, width: 120, height: 48 };
  const kept = { x: 0, y: 2, width: 97, height: 14 };

  it('keeps detected regions and the review beside the boxes drawn on the file; each edit keeps the others', async () => {
    const rows = await loadSamples();
    const us = rows.find((row) => row.modality === 'US')!;
    await handlers['file:regions']({ id: us.id, scope: 'file', regions: [box], accept: false }, emit);
    const reviewed = await handlers['file:review']({ id: us.id, keep: [kept], reviewed: true }, emit);
    expect(reviewed.pixelRules).toEqual([
      {
        scope: 'file',
        label: 'drawn on this file',
        regions: [box],
        accept: false,
        keep: [kept],
        reviewed: true,
      },
    ]);
    // Redrawing the boxes leaves the person's decisions on the detected text as they were.
    const redrawn = await handlers['file:regions'](
      { id: us.id, scope: 'file', regions: [], accept: false },
      emit,
    );
    expect(redrawn.pixelRules).toEqual([
      {
        scope: 'file',
        label: 'drawn on this file',
        regions: [],
        accept: false,
        keep: [kept],
        reviewed: true,
      },
    ]);
    // Undoing every decision removes the rule.
    const undone = await handlers['file:review']({ id: us.id, keep: [], reviewed: false }, emit);
    expect(undone.pixelRules).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, 'user-data', 'settings.json'), 'utf8')).pixelRules).toEqual([]);
  });

  it('refuses a kept region outside the image, in words that name no value', async () => {
    const rows = await loadSamples();
    const us = rows.find((row) => row.modality === 'US')!;
    const answer = await dispatch(
      handlers,
      'file:review',
      { id: us.id, keep: [{ x: 250, y: 0, width: 20, height: 10 }], reviewed: false },
      emit,
    );
    expect(answer).toEqual({ ok: false, error: 'box 1 reaches outside the 256 × 192 image' });
  });
});
