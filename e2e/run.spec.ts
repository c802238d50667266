import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type AppUnderTest, drop, expectFilesRead, fileRows, openApp, screenshot } from './app.js';
import { copySamples, SAMPLE_FILES, SAMPLE_PHI, writeCopies, writeCorruptFile } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile());
}

/** Each fake identifying value of the samples, as UTF-8 and as Latin-1 (how the ISO_IR 100 files hold it). */
const PHI_BYTES = SAMPLE_PHI.flatMap((text) => [Buffer.from(text, 'utf8'), Buffer.from(text, 'latin1')]);
const leaks = (bytes: Buffer): string[] =>
  SAMPLE_PHI.filter((_text, i) => bytes.includes(PHI_BYTES[2 * i]!) || bytes.includes(PHI_BYTES[2 * i + 1]!));

async function addStudies(page: Page, names: string[]) {
  await drop(page, '[data-testid=drop-zone]', names);
}

async function chooseOutput(page: Page, folder: string) {
  app.harness.dialogs.answer(folder);
  await page.getByRole('button', { name: 'Choose output folder…' }).click();
  await expect(page.getByTestId('output-folder')).toHaveText(folder);
}

// The two ultrasound samples show identity in their banners: with Clean pixel data off nothing cleans it, so
// they are held for review, never written (with it on, the detector cleans them).
const HELD_SAMPLES = 2;
const HELD_REASON = 'Burned In Annotation (0028,0301) is YES and the pixels were not cleaned';
const WRITTEN_SAMPLES = SAMPLE_FILES - HELD_SAMPLES;

test('a batch writes clean copies, holds the burned-in ones, a corrupt file fails alone, and the reports hold no PHI', async ({
  page,
}) => {
  app = await openApp(page);
  copySamples(join(app.dropRoot, 'studies'));
  mkdirSync(join(app.dropRoot, 'damaged'));
  writeCorruptFile(join(app.dropRoot, 'damaged', 'cut-short.dcm'));
  await addStudies(page, ['studies', 'damaged']);
  await expectFilesRead(page, SAMPLE_FILES + 1);
  await expect(page.locator('.scan-status')).toContainText('1 cannot be read');
  await expect(fileRows(page, 'cut-short.dcm')).toContainText('Cannot be read');
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Clean pixel data' }).uncheck();

  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  await chooseOutput(page, out);
  await screenshot(page, '8-run');
  await page.getByRole('button', { name: 'Start' }).click();

  const summary = page.getByTestId('run-summary');
  await expect(summary.getByRole('heading', { name: 'Finished' })).toBeVisible({ timeout: 60_000 });
  await expect(summary.getByTestId('count-written')).toHaveText(String(WRITTEN_SAMPLES));
  await expect(summary.getByTestId('count-failed')).toHaveText('1');
  await expect(summary.getByTestId('count-held')).toHaveText(String(HELD_SAMPLES));
  // Never "clean" for a run that held files whose images may show identity.
  await expect(summary.getByTestId('verification')).toHaveText(
    `Leftover-identity check: ${WRITTEN_SAMPLES} written files passed the header check; ${HELD_SAMPLES} files held for review (images may show identity).`,
  );
  await expect(summary.getByTestId('held')).toContainText(HELD_REASON);
  // Failures first, then held files, then skipped ones; each group counted by kind of reason.
  await expect(summary.locator('table.problems > tbody')).toHaveCount(2);
  await expect(summary.locator('table.problems > tbody').nth(0)).toHaveAttribute(
    'data-testid',
    'problems-failed',
  );
  const held = summary.getByTestId('problems-held');
  await expect(summary.locator('table.problems > tbody').nth(1)).toHaveAttribute(
    'data-testid',
    'problems-held',
  );
  await expect(held.locator('.problem-group')).toContainText(`Held for review: ${HELD_SAMPLES} files`);
  await expect(held.locator('.problem-group li')).toHaveText([`${HELD_SAMPLES} × ${HELD_REASON}`]);
  await expect(held.getByRole('row')).toHaveCount(HELD_SAMPLES + 1);
  // Named by their path under the folder they were added from, not by a bare file name.
  await expect(held.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(
    /^patient-00\d\/us\/series-01\/\S+\.dcm$/,
  );
  // The actions come before the details.
  const actions = (await summary.getByRole('button', { name: 'Open output folder' }).boundingBox())!;
  const table = (await summary.locator('table.problems').boundingBox())!;
  expect(actions.y).toBeLessThan(table.y);
  const problem = summary.getByRole('row').filter({ hasText: 'cut-short.dcm' });
  await expect(problem).toContainText('Failed');
  await expect(problem).toContainText(/\(7FE0,0010\).*file ends/);
  await screenshot(page, '9-summary');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, '9-summary-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // On disk: one file per DICOM input, each readable by DCMTK and free of every planted value.
  const outputs = filesUnder(out).filter((path) => path.endsWith('.dcm'));
  expect(outputs).toHaveLength(WRITTEN_SAMPLES);
  for (const output of outputs) {
    const dump = spawnSync('dcmdump', ['-q', output], { encoding: 'utf8' });
    expect(dump.status, `dcmdump ${relative(out, output)}: ${dump.stderr}`).toBe(0);
    expect(dump.stderr).toBe('');
    expect(leaks(readFileSync(output)), relative(out, output)).toEqual([]);
    expect(leaks(Buffer.from(relative(out, output)))).toEqual([]);
  }
  expect(filesUnder(out).filter((path) => path.endsWith('.part'))).toEqual([]);

  // The file list shows each outcome too.
  await page.getByRole('button', { name: '1. Files' }).click();
  await expect(fileRows(page, 'Done').first()).toBeVisible();
  await expect(fileRows(page, 'cut-short.dcm')).toContainText('Failed');
  await page.getByRole('button', { name: '3. Run' }).click();

  // Reports: shareable (no PHI) and the private audit.
  const csv = join(app.work, 'report.csv');
  app.harness.dialogs.answer(csv);
  await summary.getByRole('button', { name: 'Export report (CSV)…' }).click();
  await expect(summary.getByRole('status')).toHaveText(`Report saved to ${csv}.`);
  const csvText = readFileSync(csv, 'utf8');
  const [header, ...rows] = csvText.trim().split(/\r\n/);
  expect(header).toMatch(/^input_no,output,status,reason,sop_class_uid,transfer_syntax_uid,modality,/);
  expect(rows).toHaveLength(SAMPLE_FILES + 1);
  expect(rows.filter((row) => row.includes(',written,'))).toHaveLength(WRITTEN_SAMPLES);
  expect(rows.filter((row) => row.includes(',held,'))).toHaveLength(HELD_SAMPLES);
  expect(rows.find((row) => row.includes(',failed,'))).toMatch(/\(7FE0,0010\)/);
  expect(leaks(Buffer.from(csvText))).toEqual([]);
  expect(csvText).not.toContain(app.dropRoot);

  const json = join(app.work, 'report.json');
  app.harness.dialogs.answer(json);
  await summary.getByRole('button', { name: 'Export report (JSON)…' }).click();
  await expect(summary.getByRole('status')).toHaveText(`Report saved to ${json}.`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    files: Array<{ status: string; output: string | null }>;
    summary: { written: number };
  };
  expect(report.summary.written).toBe(WRITTEN_SAMPLES);
  expect(
    report.files
      .filter((file) => file.status === 'written')
      .every((file) => outputs.includes(join(out, file.output!))),
  ).toBe(true);
  expect(leaks(readFileSync(json))).toEqual([]);

  // The audit may not go where the data is shared from; elsewhere it arrives owner-only.
  app.harness.dialogs.answer(join(out, 'audit'));
  await summary.getByRole('button', { name: 'Export audit / crosswalk…' }).click();
  // The run plan's note about the (now filled) output folder is an alert too: pick the error.
  await expect(page.getByRole('alert').filter({ hasText: 'audit and crosswalk' })).toContainText(
    'cannot go inside the output folder',
  );
  await page.getByRole('button', { name: 'Dismiss' }).click();
  app.harness.dialogs.answer(app.work);
  await summary.getByRole('button', { name: 'Export audit / crosswalk…' }).click();
  await expect(summary.getByRole('status')).toContainText('Audit and crosswalk saved to');
  const audit = filesUnder(app.work).filter((path) => path.includes('dicom-deid-audit-'));
  expect(audit.map((path) => path.split('/').pop()).sort()).toEqual([
    'deid-audit.csv',
    'patient-id-crosswalk.csv',
    'uid-crosswalk.csv',
  ]);
  expect(readFileSync(audit.find((path) => path.endsWith('patient-id-crosswalk.csv'))!, 'utf8')).toMatch(
    /^id_old,id_new\r\nMRN/,
  );

  await summary.getByRole('button', { name: 'Open output folder' }).click();
  await expect.poll(() => app.harness.dialogs.opened).toEqual([out]);
  // The report was saved beside the output on its own, as the command line does, and opens from here.
  await expect(summary.getByTestId('report-folder')).toHaveText(`${out}.report`);
  expect(leaks(readFileSync(join(`${out}.report`, 'deid-report.csv')))).toEqual([]);
  await summary.getByRole('button', { name: 'Open report' }).click();
  await expect
    .poll(() => app.harness.dialogs.opened)
    .toEqual([out, join(`${out}.report`, 'deid-report.csv')]);
});

test('an output folder inside an input folder is refused, with the reason', async ({ page }) => {
  app = await openApp(page);
  copySamples(join(app.dropRoot, 'studies'));
  await addStudies(page, ['studies']);
  await page.getByRole('button', { name: '3. Run' }).click();
  app.harness.dialogs.answer(join(app.dropRoot, 'studies', 'out'));
  await page.getByRole('button', { name: 'Choose output folder…' }).click();
  await expect(page.getByRole('alert')).toContainText('inside a folder of input files');
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
  await screenshot(page, '10-output-refused');
});

test('ten thousand files: the list stays light, and cancel stops the batch part way with no partial file', async ({
  page,
}) => {
  app = await openApp(page);
  writeCopies(join(app.dropRoot, 'many'), 10_000);
  await addStudies(page, ['many']);
  await expectFilesRead(page, 10_000);
  // Only the rows in view are drawn, and the keyboard still reaches the last file.
  const list = page.getByRole('tree', { name: /Files, grouped/ });
  expect(await fileRows(page).count()).toBeLessThan(100);
  await list.focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('treeitem', { selected: true })).toContainText('copy-009999.dcm');
  // The first line's box takes all ten thousand out of the run and back.
  await page.keyboard.press('Home');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('run-choice')).toHaveText('0 of 10,000 files checked for the run.');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('run-choice')).toHaveText('All 10,000 files checked for the run.');

  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  await chooseOutput(page, out);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('progressbar')).toBeVisible();
  await expect(page.getByText(/^[1-9][\d,]* of 10,000 files/)).toBeVisible();
  await screenshot(page, '11-progress');
  await page.getByRole('button', { name: 'Cancel' }).click();

  const summary = page.getByTestId('run-summary');
  await expect(summary.getByRole('heading', { name: 'Stopped before the end' })).toBeVisible({
    timeout: 60_000,
  });
  const written = Number((await summary.getByTestId('count-written').textContent())?.replace(/,/g, ''));
  expect(written).toBeLessThan(10_000);
  await expect(summary).toContainText(/files were not processed/);
  const outputs = filesUnder(out);
  expect(outputs.filter((path) => path.endsWith('.dcm') && !path.includes('.deid-'))).toHaveLength(written);
  expect(outputs.filter((path) => path.endsWith('.part') || path.includes('.deid-tmp'))).toEqual([]);
});
