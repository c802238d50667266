import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  type AppUnderTest,
  expectFilesRead,
  fileRows,
  openApp,
  screenshot,
  seriousViolations,
} from './app.js';
import { SAMPLE_FILES } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

test('every screen passes an automated accessibility scan with no serious violation', async ({ page }) => {
  app = await openApp(page);
  const screens: Array<[string, () => Promise<void>]> = [
    ['start', async () => {}],
    [
      'files, identifying data',
      async () => {
        await page.getByRole('button', { name: 'Try sample data' }).click();
        await expectFilesRead(page, SAMPLE_FILES);
        await fileRows(page, 'US').first().click();
        await expect(page.locator('.inspector-title')).toBeVisible();
      },
    ],
    ['files, full header', () => page.getByRole('tab', { name: 'Full header' }).click()],
    [
      'files, image with a box',
      async () => {
        await page.getByRole('tab', { name: 'Image' }).click();
        // The detector's boxes, legend and list are scanned too, once the pixel check has answered.
        await expect(page.getByRole('button', { name: /^Detected text 1:/ })).toBeVisible({
          timeout: 90_000,
        });
        await page.getByRole('button', { name: 'Add box' }).click();
        await expect(page.getByRole('button', { name: /^Box 1:/ })).toBeFocused();
      },
    ],
    [
      'files, before / after',
      async () => {
        await page.getByRole('tab', { name: 'Before / after' }).click();
        await expect(page.getByRole('table', { name: /Header before and after/ })).toBeVisible();
      },
    ],
    [
      'files, some unchecked for the run and a group collapsed',
      async () => {
        await page.locator('.group-series .tree-check').first().click();
        await page.locator('.group-patient .tree-toggle').first().click();
        await expect(page.getByTestId('run-choice')).toContainText(`of ${SAMPLE_FILES} files checked`);
      },
    ],
    [
      'profile',
      async () => {
        await page.getByRole('button', { name: '2. Profile' }).click();
        await expect(page.getByRole('heading', { name: /profile/i }).first()).toBeVisible();
      },
    ],
    [
      'pacs',
      async () => {
        await page.getByRole('button', { name: 'PACS' }).click();
        await expect(page.getByRole('heading', { name: 'Import from PACS' })).toBeVisible();
      },
    ],
    [
      'run',
      async () => {
        await page.getByRole('button', { name: '3. Run' }).click();
        app.harness.dialogs.answer(join(app.work, 'out'));
        await page.getByRole('button', { name: 'Choose output folder…' }).click();
        await expect(page.getByTestId('output-folder')).toBeVisible();
      },
    ],
    [
      'run summary',
      async () => {
        await page.getByRole('button', { name: 'Start' }).click();
        await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
      },
    ],
    [
      'project, none yet',
      async () => {
        await page.getByRole('button', { name: 'Project', exact: true }).click();
        await expect(page.getByRole('heading', { name: 'No project yet' })).toBeVisible();
      },
    ],
    [
      'project, with a lookup answered',
      async () => {
        await page.getByLabel('New project name').fill('Scan');
        await page.getByRole('button', { name: 'Create project' }).click();
        await page.getByLabel('Pseudonym or original').fill('nothing');
        await page.getByRole('button', { name: 'Look up' }).click();
        await expect(page.getByTestId('lookup-answers')).not.toBeEmpty();
      },
    ],
  ];
  const found: Record<string, unknown> = {};
  for (const [name, reach] of screens) {
    await reach();
    const violations = await seriousViolations(page);
    if (violations.length > 0) found[name] = violations;
  }
  await screenshot(page, 'a11y-run-summary');
  expect(found).toEqual({});
});
