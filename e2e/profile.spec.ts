import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type AppUnderTest, expectFilesRead, fileRows, openApp, screenshot } from './app.js';
import { SAMPLE_FILES } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

async function inspectFirstCt(page: Page) {
  await page.getByRole('button', { name: '1. Files' }).click();
  await fileRows(page, 'CT').first().click();
}

const actionOf = (page: Page, keyword: string) => page.locator(`tr[data-keyword=${keyword}] td`).nth(2);

test('switching an option changes what the inspector says will happen', async ({ page }) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);
  await inspectFirstCt(page);
  await expect(actionOf(page, 'PatientSex')).toHaveText(/^Empty/);
  await expect(actionOf(page, 'StudyDate')).toHaveText(/^Empty|^Replace/);

  await page.getByRole('button', { name: '2. Profile' }).click();
  const characteristics = page.getByRole('switch', { name: 'Keep patient characteristics' });
  await expect(characteristics).not.toBeChecked();
  await characteristics.check();
  // The date-shift range is shown only with the option that uses it.
  await expect(page.getByRole('spinbutton', { name: 'From (days)' })).toHaveCount(0);
  await page.getByRole('switch', { name: 'Shift dates' }).check();
  await expect(page.getByRole('spinbutton', { name: 'From (days)' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshot(page, '7-profile');

  await inspectFirstCt(page);
  await expect(actionOf(page, 'PatientSex')).toHaveText('Keep');
  await expect(actionOf(page, 'StudyDate')).toHaveText(/^Shift date → \d{8}$/);
  await expect(actionOf(page, 'StudyDate')).not.toContainText('20220701');

  // Keeping real dates and shifting them cannot both hold: choosing one turns the other off.
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Keep real dates' }).check();
  await expect(page.getByRole('switch', { name: 'Shift dates' })).not.toBeChecked();

  // The profile survives a restart of the app (settings in the user-data folder).
  await page.reload();
  await page.getByRole('button', { name: '2. Profile' }).click();
  await expect(page.getByRole('switch', { name: 'Keep real dates' })).toBeChecked();
  await expect(page.getByRole('switch', { name: 'Keep patient characteristics' })).toBeChecked();
});

test('custom rules with keyword suggestions, saved and loaded as profile files', async ({ page }) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);
  await inspectFirstCt(page);
  await expect(actionOf(page, 'StationName')).toHaveText(/^Remove|^Replace/);

  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('button', { name: 'Add a rule' }).click();
  const keyword = page.getByRole('combobox', { name: 'Rule 1: keyword' });
  await keyword.fill('StationN');
  await expect(page.locator('datalist option[value=StationName]')).toHaveCount(1);
  await keyword.fill('StationName');
  await page.getByRole('combobox', { name: 'Rule 1: action' }).selectOption('replace');
  await page.getByRole('textbox', { name: 'Rule 1: new value' }).fill('SCANNER-A');
  await expect(page.getByRole('alert')).toHaveCount(0);

  await inspectFirstCt(page);
  await expect(actionOf(page, 'StationName')).toHaveText('Replace → SCANNER-A');

  // Save, then load a file with a mistake: the problem is named with its place in the file.
  await page.getByRole('button', { name: '2. Profile' }).click();
  const saved = join(app.work, 'site-profile.json');
  app.harness.dialogs.answer(saved);
  await page.getByRole('button', { name: 'Save as JSON…' }).click();
  await expect(page.getByText(`Profile saved to ${saved}.`)).toBeVisible();
  const file = JSON.parse(readFileSync(saved, 'utf8')) as { rules: unknown[] };
  expect(file.rules).toEqual([{ keyword: 'StationName', action: 'replace', value: 'SCANNER-A' }]);

  const broken = join(app.work, 'broken.yaml');
  writeFileSync(broken, 'name: Broken\nrules:\n  - keyword: NoSuchKeyword\n    action: remove\n');
  app.harness.dialogs.answer(broken);
  await page.getByRole('button', { name: 'Load profile file…' }).click();
  await expect(page.getByRole('alert')).toContainText('broken.yaml: rules[0].keyword:');

  // An unfinished rule is shown as a problem while the last good profile stays in force.
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await expect(page.getByRole('alert')).toContainText('rules[1]');
  await screenshot(page, '7b-profile-rules');
});

test('presets are named plainly, and a half-filled rule left on one preset is no error on another', async ({
  page,
}) => {
  app = await openApp(page);
  await page.getByRole('button', { name: '2. Profile' }).click();
  const preset = page.getByRole('combobox', { name: 'Start from' });
  await expect(preset.getByRole('option')).toHaveText([
    'Basic: remove identity, new UIDs',
    'Research: keep age and sex, shift dates',
    'Relinkable: keep original UIDs',
  ]);
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await page.getByRole('combobox', { name: 'Rule 1: keyword' }).fill('StationName');
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await expect(page.getByRole('alert')).toContainText('rules[1]');

  await preset.selectOption('research');
  await expect(page.getByRole('status').filter({ hasText: '1 unfinished rule was left out.' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Profile name' })).toHaveValue(
    'Research: keep age and sex, shift dates',
  );
  // The finished rule goes with the profile to the new preset.
  await expect(page.getByRole('combobox', { name: 'Rule 1: keyword' })).toHaveValue('StationName');
  await expect(page.getByRole('combobox', { name: 'Rule 2: keyword' })).toHaveCount(0);
  await screenshot(page, 'profile-preset-switch-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'profile-preset-switch-1093');
});

test('the project key: created on first use, exported, replaced only on confirmation', async ({ page }) => {
  app = await openApp(page);
  await page.getByRole('button', { name: '2. Profile' }).click();
  const fingerprint = page.getByTestId('key-fingerprint');
  await expect(fingerprint).toContainText('No key yet');
  await page.getByRole('button', { name: 'Create a new key' }).click();
  await expect(fingerprint).toHaveText(/^[0-9a-f]{16}$/);
  const first = await fingerprint.textContent();

  const exported = join(app.work, 'shared.key');
  app.harness.dialogs.answer(exported);
  await page.getByRole('button', { name: 'Export the key…' }).click();
  await expect(page.getByText(`Key saved to ${exported}`)).toBeVisible();
  expect(readFileSync(exported, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);

  await page.getByRole('button', { name: 'Create a new key' }).click();
  await page.getByRole('button', { name: 'Keep the current key' }).click();
  await expect(fingerprint).toHaveText(first!);
  await page.getByRole('button', { name: 'Create a new key' }).click();
  await page.getByRole('button', { name: 'Replace the key' }).click();
  await expect(fingerprint).not.toHaveText(first!);

  app.harness.dialogs.answer(exported);
  await page.getByRole('button', { name: 'Import a key…' }).click();
  await expect(fingerprint).toHaveText(first!);
});
