import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { type AppUnderTest, openApp, screenshot } from './app.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

test('image text kept: per-modality words and patterns added, removed and reset from the keyboard; bad patterns refused in plain words', async ({
  page,
}) => {
  app = await openApp(page);
  await page.getByRole('button', { name: '2. Profile' }).click();
  const section = page.getByRole('region', { name: 'Image text kept' });
  await expect(section.getByRole('combobox', { name: 'Modality' })).toHaveValue('US');
  const count = section.getByTestId('allow-count');
  await expect(count).toHaveText(/^\d+ words, 2 patterns; the default list$/);
  const words = section.getByRole('list', { name: 'Words' });
  await expect(words.getByText('GAIN', { exact: true })).toBeVisible();

  // Keyboard only: type and Enter to add; focus a chip's button and Enter to remove.
  const addWord = section.getByRole('textbox', { name: 'Add a word to Ultrasound (US)' });
  await addWord.focus();
  await page.keyboard.type('lvot');
  await page.keyboard.press('Enter');
  await expect(words.getByText('LVOT', { exact: true })).toBeVisible();
  await expect(addWord).toHaveValue('');
  await section.getByRole('button', { name: 'Remove word LIVER' }).focus();
  await page.keyboard.press('Enter');
  await expect(words.getByText('LIVER', { exact: true })).toHaveCount(0);
  await expect(count).toHaveText(/; 2 changes from the default$/);

  // Patterns that would keep identity or could run for ever are refused, said in plain words.
  const addPattern = section.getByRole('textbox', { name: 'Add a pattern to Ultrasound (US)' });
  for (const [pattern, message] of [
    ['.*', 'This pattern matches an empty token: it must ask for at least one character.'],
    ['(a+)+b', 'This pattern repeats a group that itself repeats or has alternatives'],
    ['\\d{1,2}/\\d{1,2}/\\d{4}', 'This pattern would keep a date (it matches "17/03/1984")'],
    ['[a-z]+', 'This pattern would keep a name'],
  ]) {
    await addPattern.fill(pattern!);
    await addPattern.press('Enter');
    await expect(section.getByRole('alert')).toContainText(message!);
    await expect(addPattern).toHaveAttribute('aria-invalid', 'true');
  }
  // The section with an error showing passes the accessibility scan.
  const scan = await new AxeBuilder({ page })
    .include('.allow-lists')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(scan.violations.map((v) => v.id)).toEqual([]);
  await addPattern.fill('\\d{2,3}/\\d{2,3}mmHg');
  await expect(section.getByRole('alert')).toHaveCount(0);
  await section.getByRole('button', { name: 'Add pattern' }).click();
  const patterns = section.getByRole('list', { name: /^Patterns/ });
  await expect(patterns.getByRole('listitem')).toHaveCount(3);
  await expect(patterns.getByRole('listitem').last()).toContainText('\\d{2,3}/\\d{2,3}mmHg');
  // The profile took it: no problem banner.
  await expect(page.getByRole('alert')).toHaveCount(0);
  await section.scrollIntoViewIfNeeded();
  await screenshot(page, 'profile-image-text-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await section.getByRole('heading', { name: 'Image text kept' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'profile-image-text-1093');

  // Another modality's list is its own, and untouched.
  await section.getByRole('combobox', { name: 'Modality' }).selectOption('CT');
  await expect(count).toHaveText(/; the default list$/);
  await expect(section.getByRole('list', { name: 'Words' }).getByText('KVP', { exact: true })).toBeVisible();
  await section.getByRole('combobox', { name: 'Modality' }).selectOption('US');

  // Saved with the profile, as the changes to the default list.
  const saved = join(app.work, 'echo.json');
  app.harness.dialogs.answer(saved);
  await page.getByRole('button', { name: 'Save as JSON…' }).click();
  await expect(page.getByText(`Profile saved to ${saved}.`)).toBeVisible();
  expect(JSON.parse(readFileSync(saved, 'utf8')).technicalText).toEqual({
    US: { addWords: ['LVOT'], removeWords: ['LIVER'], addPatterns: ['\\d{2,3}/\\d{2,3}mmHg'] },
  });

  // Kept across a restart, then reset to the default.
  await page.reload();
  await page.getByRole('button', { name: '2. Profile' }).click();
  await expect(section.getByRole('list', { name: 'Words' }).getByText('LVOT', { exact: true })).toBeVisible();
  await section.getByRole('button', { name: 'Reset Ultrasound (US) to the default' }).click();
  await expect(count).toHaveText(/; the default list$/);
  await expect(section.getByRole('button', { name: 'Reset Ultrasound (US) to the default' })).toBeDisabled();
  app.harness.dialogs.answer(saved);
  await page.getByRole('button', { name: 'Save as JSON…' }).click();
  await expect(page.getByText(`Profile saved to ${saved}.`)).toBeVisible();
  expect(JSON.parse(readFileSync(saved, 'utf8'))).not.toHaveProperty('technicalText');
});
