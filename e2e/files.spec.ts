import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CORPUS_DIR, hasCorpus } from '../test/corpus.js';
import { type AppUnderTest, drop, expectFilesRead, fileRows, openApp, screenshot } from './app.js';
import {
  CT_SAMPLE,
  copySamples,
  SAMPLE_FILES,
  SAMPLES,
  writeEditedCt,
  writeXssFile,
  XSS_NAME,
  XSS_PATIENT_ID,
} from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

test('drop a folder and loose files: rows appear grouped by patient, study and series', async ({ page }) => {
  app = await openApp(page);
  copySamples(join(app.dropRoot, 'studies'));
  copyFileSync(CT_SAMPLE, join(app.dropRoot, 'loose-ct.dcm'));
  copyFileSync(join(SAMPLES, 'README.md'), join(app.dropRoot, 'notes.txt'));

  await expect(
    page.getByRole('heading', { name: 'Remove patient identity from DICOM images' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try sample data' })).toBeVisible();
  await screenshot(page, '1-start');

  await drop(page, '[data-testid=drop-zone]', ['studies', 'loose-ct.dcm', 'notes.txt']);
  await expectFilesRead(page, SAMPLE_FILES + 2);
  // The header line says what matters, not "with identifying data" (every DICOM file has some).
  // loose-ct.dcm is a copy of a sample CT: one instance in the list twice.
  await expect(page.locator('.scan-status')).toHaveText(
    `${SAMPLE_FILES + 2} files: 2 at risk of image text, 1 not DICOM, 1 duplicate`,
  );
  // Its chip shows the extra copy alone (whichever of the two was read second).
  const duplicates = page
    .getByRole('group', { name: 'Show only files that are' })
    .getByRole('button', { name: /^Duplicates \(1\)$/ });
  await duplicates.click();
  await expect(fileRows(page)).toHaveCount(1);
  await expect(fileRows(page)).toHaveText(/^(loose-ct|0001)\.dcm/);
  await duplicates.click();
  await expect(fileRows(page)).toHaveCount(SAMPLE_FILES + 2);
  const list = page.getByRole('tree', { name: /Files, grouped/ });
  await expect(list.locator('.group-patient')).toHaveText([
    /DOE JANE M · ID MRN9567370\s*\d+ files/,
    /MÜLLER JÖRG K · ID MRN1550437\s*\d+ files/,
    /Files that are not DICOM or cannot be read\s*1 file/,
  ]);
  // Unreadable files are not filed under a patient heading.
  await expect(list.locator('.group-other .group-kind')).toHaveCount(0);
  await expect(fileRows(page, 'notes.txt')).toContainText('Not DICOM');
  // Each DICOM row says how many identifying attributes it holds.
  await expect(fileRows(page, 'loose-ct.dcm').locator('.badge-phi')).toHaveText(/^\d+$/);

  // Keyboard: the list takes focus, arrows move it (patient → study → series → file), Enter shows the file.
  await list.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('treeitem', { selected: true })).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('treeitem', { selected: true })).toHaveCount(1);
  await expect(page.locator('.inspector-title')).toHaveText(/\.dcm$/);
  await screenshot(page, '2-files');
});

test('"Open files…" and "Open folder…" add what the dialogs return', async ({ page }) => {
  app = await openApp(page);
  copySamples(join(app.dropRoot, 'studies'));
  copyFileSync(CT_SAMPLE, join(app.dropRoot, 'picked.dcm'));
  app.harness.dialogs.answer([join(app.dropRoot, 'picked.dcm')]);
  await page.getByRole('button', { name: 'Open files…' }).click();
  await expectFilesRead(page, 1);
  app.harness.dialogs.answer(join(app.dropRoot, 'studies'));
  await page.getByRole('button', { name: 'Add folder…' }).click();
  await expectFilesRead(page, SAMPLE_FILES + 1);
  // A cancelled dialog adds nothing.
  app.harness.dialogs.answer(null);
  await page.getByRole('button', { name: 'Add files…' }).click();
  await expect.poll(() => app.harness.dialogs.shown).toHaveLength(3);
  await expectFilesRead(page, SAMPLE_FILES + 1);
});

test('the inspector shows identifying data by category, the header and the image', async ({ page }) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);

  await fileRows(page, 'CT').first().click();
  const inspector = page.getByRole('region', { name: 'Selected file' });
  for (const category of [
    'Patient identity',
    'Physicians and operators',
    'Institution and address',
    'Dates and times',
    'UIDs',
    'Private attributes',
  ]) {
    await expect(inspector.getByRole('region', { name: category })).toBeVisible();
  }
  const name = inspector.locator('tr[data-keyword=PatientName]');
  await expect(name.locator('td.value')).toHaveText('DOE^JANE^M');
  await expect(name).toContainText('Pseudonym');
  await screenshot(page, '3-inspector');

  await inspector.getByRole('tab', { name: 'Full header' }).click();
  await inspector.getByLabel('Search the header').fill('StationName');
  await expect(inspector.getByRole('listitem')).toHaveCount(1);
  await expect(inspector.getByRole('listitem')).toContainText('ACME-CT01');
  await screenshot(page, '4-header');

  await inspector.getByRole('tab', { name: 'Image' }).click();
  await expect(inspector.locator('canvas')).toBeVisible();
  await inspector.getByRole('slider', { name: /Window/ }).fill('1500');
  await expect(inspector.getByText(/^Window 1[45]\d\d$/)).toBeVisible();
  await screenshot(page, '5-image');
});

test('compressed images are decoded in the reading worker and shown', async ({ page }) => {
  test.skip(!hasCorpus, 'needs the test corpus');
  app = await openApp(page);
  const files = {
    'ct1-jpeg2000.dcm': 'Enet4+dicom-test-files/data/WG04/J2KR/CT1_J2KR',
    'ct1-htj2k.dcm': 'chafey+DICOMHTJ2K/test/fixtures/htj2k/CT1_JPH',
    'us1-htj2k-colour.dcm': 'chafey+DICOMHTJ2K/test/fixtures/htj2k/US1_JPH',
    'mr3-jpeg-ls.dcm': 'Enet4+dicom-test-files/data/WG04/JLSL/MR3_JLSL',
    'mr4-jpeg-lossless.dcm': 'Enet4+dicom-test-files/data/WG04/JPLL/MR4_JPLL',
  };
  mkdirSync(join(app.dropRoot, 'compressed'));
  for (const [name, path] of Object.entries(files))
    copyFileSync(join(CORPUS_DIR, path), join(app.dropRoot, 'compressed', name));
  await drop(page, '[data-testid=drop-zone]', ['compressed']);
  await expect(fileRows(page)).toHaveCount(Object.keys(files).length);
  for (const name of Object.keys(files)) {
    await fileRows(page, name).click();
    await page.getByRole('tab', { name: 'Image' }).click();
    const canvas = page.locator('.image-stage canvas');
    await expect(canvas, name).toBeVisible();
    await expect(page.getByText('The image cannot be shown here')).toHaveCount(0);
    // Painted, not blank: the decoded pixels reached the canvas.
    await expect
      .poll(
        () =>
          canvas.evaluate((element: HTMLCanvasElement) => {
            const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
            return new Set(data.filter((_, i) => i % 4 === 0)).size;
          }),
        { message: name },
      )
      .toBeGreaterThan(16);
  }
  await screenshot(page, '7-compressed');
});

test('ultrasound files warn that text may be burned into the pixels', async ({ page }) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);
  const us = fileRows(page, 'US').first();
  await expect(us.getByText('image text')).toBeVisible();
  await us.click();
  await expect(page.getByRole('alert').filter({ hasText: 'burned into the image' })).toBeVisible();
  await page.getByRole('tab', { name: 'Image' }).click();
  await expect(page.locator('.image-stage canvas')).toBeVisible();
  await screenshot(page, '6-burned-in');
});

test('values are shown as text, never run as markup', async ({ page }) => {
  app = await openApp(page);
  mkdirSync(join(app.dropRoot, 'xss'));
  writeXssFile(join(app.dropRoot, 'xss', 'xss.dcm'));
  await drop(page, '[data-testid=drop-zone]', ['xss']);
  // Read first: while the file is read, its patient, study and series lines appear above it and move it.
  await expectFilesRead(page, 1);
  await fileRows(page).click();
  await expect(fileRows(page)).toHaveAttribute('aria-selected', 'true');
  const name = page.locator('tr[data-keyword=PatientName] td.value');
  await expect(name).toHaveText(XSS_NAME);
  await expect(page.getByRole('cell', { name: XSS_PATIENT_ID, exact: true })).toBeVisible();
  await expect(page.locator('img')).toHaveCount(0);
  await expect(page.locator('script', { hasText: '__xss' })).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  // And the Content-Security-Policy would stop script that got into the page anyway.
  const inline = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (event) => resolve(event.violatedDirective), {
          once: true,
        });
        const script = document.createElement('script');
        script.textContent = 'window.__xss = 3';
        document.body.append(script);
      }),
  );
  expect(inline).toBe('script-src-elem');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test('raw values that are not dates are shown as "invalid date", never as a date', async ({ page }) => {
  app = await openApp(page);
  writeEditedCt(join(app.dropRoot, 'stars.dcm'), [[0x0008, 0x0020, 'DA', '***']]);
  writeEditedCt(join(app.dropRoot, 'dotted.dcm'), [[0x0008, 0x0020, 'DA', '0095.07.24']]);
  writeEditedCt(join(app.dropRoot, 'feb30.dcm'), [[0x0008, 0x0020, 'DA', '20230230']]);
  await drop(page, '[data-testid=drop-zone]', ['stars.dcm', 'dotted.dcm', 'feb30.dcm']);
  await expectFilesRead(page, 3);
  for (const name of ['stars.dcm', 'dotted.dcm', 'feb30.dcm']) {
    await expect(fileRows(page, name).locator('.file-date')).toHaveText('invalid date');
  }
  await expect(page.locator('.group-study').first()).toContainText('invalid date');
  await expect(page.getByRole('tree')).not.toContainText('0095');
  await expect(page.getByRole('tree')).not.toContainText('***');
  await screenshot(page, 'files-invalid-date-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  // At 125% scaling file names are shown whole, and the toolbar stays on one line.
  for (const name of ['stars.dcm', 'dotted.dcm', 'feb30.dcm']) {
    const cell = fileRows(page, name).locator('.file-name');
    expect(await cell.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  }
  const buttons = await page
    .locator('.toolbar > button')
    .evaluateAll((all) => all.map((button) => Math.round(button.getBoundingClientRect().top)));
  expect(new Set(buttons).size).toBe(1);
  await screenshot(page, 'files-invalid-date-1093');
});

test('filter chips, a flat view, and removing files from the list', async ({ page }) => {
  app = await openApp(page);
  copySamples(join(app.dropRoot, 'studies'));
  copyFileSync(join(SAMPLES, 'README.md'), join(app.dropRoot, 'notes.txt'));
  await drop(page, '[data-testid=drop-zone]', ['studies', 'notes.txt']);
  await expectFilesRead(page, SAMPLE_FILES + 1);
  const chip = (name: RegExp) =>
    page.getByRole('group', { name: 'Show only files that are' }).getByRole('button', { name });
  await expect(chip(/^Image text \(2\)$/)).toBeVisible();
  await expect(chip(/^Not DICOM \(1\)$/)).toBeVisible();

  // One chip: only the ultrasound files; a second one adds the file that is not DICOM.
  await chip(/^US \(2\)$/).click();
  await expect(chip(/^US/)).toHaveAttribute('aria-pressed', 'true');
  await expect(fileRows(page)).toHaveCount(2);
  await chip(/^Not DICOM/).click();
  await expect(fileRows(page)).toHaveCount(3);
  await expect(page.getByText(`Showing 3 of ${SAMPLE_FILES + 1} files.`)).toBeVisible();

  // The flat view: files by name, no patient, study or series lines.
  await page.getByRole('checkbox', { name: 'Flat list' }).check();
  await expect(page.getByRole('tree', { name: 'Files, by name' })).toBeVisible();
  await expect(page.locator('.group-line')).toHaveCount(0);
  await expect(fileRows(page)).toHaveText([/^0001\.dcm/, /^0002\.dcm/, /^notes\.txt/]);
  await screenshot(page, 'files-filtered-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'files-filtered-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // Remove what a filter shows: the file that is not DICOM leaves the list.
  await chip(/^US/).click();
  await page.getByRole('button', { name: 'Remove this file from the list' }).first().click();
  await expect(page.locator('.scan-status')).toHaveText(`${SAMPLE_FILES} files: 2 at risk of image text`);
  await expect(chip(/^Not DICOM/)).toHaveCount(0);

  // Remove the selected file.
  await page.getByRole('checkbox', { name: 'Flat list' }).uncheck();
  await fileRows(page, 'CT').first().click();
  const name = (await page.locator('.inspector-title').textContent()) ?? '';
  await page.locator('.remove-file').click();
  await expect(page.locator('.scan-status')).toHaveText(`${SAMPLE_FILES - 1} files: 2 at risk of image text`);
  await expect(page.getByText('Select a file to see what identifies the patient')).toBeVisible();
  expect(name).not.toBe('');
});
