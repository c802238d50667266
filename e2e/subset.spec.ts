import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type AppUnderTest, drop, expectFilesRead, fileRows, openApp, runInto, screenshot } from './app.js';
import { copySamples, SAMPLE_FILES } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

/** The pixel data of each file as dcmdump prints it in full, hashed: what identifies a copy whatever its new header. */
const pixelHashes = (files: readonly string[]): string[] =>
  files
    .map((file) =>
      createHash('sha256')
        .update(execFileSync('dcmdump', ['+L', '+P', '7fe0,0010', file], { encoding: 'utf8' }))
        .digest('hex'),
    )
    .sort();

const filesUnder = (folder: string) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

const group = (page: Page, kind: string, text: string) =>
  page
    .getByRole('treeitem')
    .and(page.locator(`.group-${kind}`))
    .filter({ hasText: text });

test('check one series and one file, run: the output holds exactly those', async ({ page }) => {
  app = await openApp(page);
  const studies = join(app.dropRoot, 'studies');
  copySamples(studies);
  await drop(page, '[data-testid=drop-zone]', ['studies']);
  await expectFilesRead(page, SAMPLE_FILES);
  const choice = page.getByTestId('run-choice');
  await expect(choice).toHaveText(`All ${SAMPLE_FILES} files checked for the run.`);
  await page.getByRole('button', { name: 'Uncheck all' }).click();
  await expect(choice).toHaveText(`0 of ${SAMPLE_FILES} files checked for the run.`);

  // A series by its box: its files are checked, its study and patient are partly checked.
  const ct = group(page, 'series', 'CT series 1');
  await ct.locator('.tree-check').click();
  await expect(ct).toHaveAttribute('aria-checked', 'true');
  await expect(group(page, 'patient', 'DOE JANE M')).toHaveAttribute('aria-checked', 'mixed');
  await expect(choice).toHaveText(`4 of ${SAMPLE_FILES} files checked for the run.`);

  // Collapse the first patient, then one file of the other by keyboard: arrows move, Space checks.
  const doe = group(page, 'patient', 'DOE JANE M');
  await doe.locator('.tree-toggle').click();
  await expect(doe).toHaveAttribute('aria-expanded', 'false');
  await expect(fileRows(page, 'CT')).toHaveCount(0);
  const tree = page.getByRole('tree', { name: /Files, grouped/ });
  await tree.focus();
  await page.keyboard.press('Home');
  // MÜLLER → study → series → 0001.dcm → 0002.dcm
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  const mr2 = fileRows(page, '0002.dcm');
  await expect(mr2).toHaveAttribute('aria-checked', 'true');
  await expect(mr2).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('.inspector-title')).toHaveText('0002.dcm');
  await expect(group(page, 'series', 'MR series 1')).toHaveAttribute('aria-checked', 'mixed');
  await expect(choice).toHaveText(`5 of ${SAMPLE_FILES} files checked for the run.`);
  // Left on a file goes to its series; Left again closes it.
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(group(page, 'series', 'MR series 1')).toHaveAttribute('aria-expanded', 'false');
  await page.keyboard.press('ArrowRight');
  await expect(fileRows(page, '0002.dcm')).toHaveCount(1);
  await screenshot(page, 'files-subset-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'files-subset-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // The choice survives filtering.
  await page
    .getByRole('group', { name: 'Show only files that are' })
    .getByRole('button', { name: /^US/ })
    .click();
  await expect(fileRows(page)).toHaveCount(0);
  await expect(choice).toHaveText(`5 of ${SAMPLE_FILES} files checked for the run.`);
  await page.getByRole('button', { name: 'Show all' }).click();
  await doe.locator('.tree-toggle').click();
  await expect(fileRows(page, 'CT')).toHaveCount(4);
  for (const row of await fileRows(page, 'CT').all())
    await expect(row).toHaveAttribute('aria-checked', 'true');
  // A click leaves the focus with the tree: the keyboard goes on from the clicked row.
  await fileRows(page, 'CT').first().click();
  await expect(tree).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('treeitem', { selected: true })).toHaveText(/^0002\.dcm\s*CT/);

  await page.getByRole('button', { name: '3. Run' }).click();
  await expect(page.getByText(`5 of ${SAMPLE_FILES} files in the list checked for this run.`)).toBeVisible();
  await expect(page.getByTestId('plan-files')).toHaveText('5 files will be written.');
  const out = join(app.work, 'out');
  const summary = await runInto(page, app, out);
  await expect(summary.getByTestId('count-written')).toHaveText('5');
  const written = filesUnder(out);
  expect(written).toHaveLength(5);
  const chosen = [
    ...['0001', '0002', '0003', '0004'].map((n) => join(studies, 'patient-001/ct/series-01', `${n}.dcm`)),
    join(studies, 'patient-002/mr/series-01/0002.dcm'),
  ];
  expect(pixelHashes(written)).toEqual(pixelHashes(chosen));
});
