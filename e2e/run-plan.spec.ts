import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type AppUnderTest, expectFilesRead, fileRows, openApp, runInto, screenshot } from './app.js';
import { SAMPLE_FILES } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

test('the run screen states the profile, weakening options, key, outcomes and a non-empty output folder', async ({
  page,
}) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);

  // A weakening option, switched on in the profile.
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Keep real dates' }).check();

  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'earlier.dcm'), 'not ours');
  app.harness.dialogs.answer(out);
  await page.getByRole('button', { name: 'Choose output folder…' }).click();

  const plan = page.getByTestId('run-plan');
  await expect(plan.getByRole('listitem').filter({ hasText: 'Keep real dates' })).toContainText(
    'weakens privacy',
  );
  await expect(plan.getByRole('listitem').filter({ hasText: 'Shift dates' })).toHaveCount(0);
  // The two ultrasound files declare burned-in text and nothing covers it yet: they will be held.
  await expect(page.getByTestId('plan-files')).toHaveText(
    `${SAMPLE_FILES - 2} files will be written, 2 held for review (text burned into the image, no boxes drawn and not accepted).`,
  );
  await expect(page.getByTestId('plan-output-warning')).toContainText('not empty: it holds 1 item');
  await screenshot(page, 'run-plan-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'run-plan-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // Accepting the ultrasound series as it is: nothing is held any more.
  await page.getByRole('button', { name: '1. Files' }).click();
  await fileRows(page, 'US').first().click();
  await page.getByRole('tab', { name: 'Image' }).click();
  await page.getByRole('checkbox', { name: 'I have looked: send this series as is' }).check();
  await expect(
    page.getByRole('status').filter({ hasText: 'sent with its pixels as they are' }),
  ).toBeVisible();
  await page.getByRole('button', { name: '3. Run' }).click();
  await expect(page.getByTestId('plan-files')).toHaveText(`${SAMPLE_FILES} files will be written.`);

  // Inspecting made the project key: the run names it by the fingerprint the profile screen shows.
  const shown = (await page.getByTestId('plan-fingerprint').textContent()) ?? '';
  expect(shown).toMatch(/\S{8,}/);
  await page.getByRole('button', { name: '2. Profile' }).click();
  await expect(page.getByTestId('key-fingerprint')).toHaveText(shown);
});

test('the run screen says whether an earlier run into the output folder used this profile and key', async ({
  page,
}) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);
  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  await runInto(page, app, out);

  // Another profile (real dates kept): the batch would refuse the folder, and the plan says so first.
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Keep real dates' }).check();
  await page.getByRole('button', { name: '3. Run' }).click();
  const warning = page.getByTestId('plan-output-warning');
  await expect(warning).toContainText('with another profile or key: a run here would mix the two');
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
  await warning.scrollIntoViewIfNeeded();
  await screenshot(page, 'run-plan-other-profile-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await warning.scrollIntoViewIfNeeded();
  await screenshot(page, 'run-plan-other-profile-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // The same profile again: the run goes on where the earlier one left off.
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Keep real dates' }).uncheck();
  await page.getByRole('button', { name: '3. Run' }).click();
  await expect(warning).toContainText('with this profile and key: the files it already wrote are skipped');
  await expect(page.getByRole('button', { name: 'Start' })).toBeEnabled();
});
