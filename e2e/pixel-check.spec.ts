import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type AppUnderTest, fileRows, openWithUltrasounds, runInto, screenshot } from './app.js';

/*
 * The inspector's pixel outcome on the real sample ultrasounds, read by real Tesseract in the reading worker:
 * slow, so one test walks the whole story (see, decide, review, run) and awaits what the screen shows.
 */

let app: AppUnderTest;
test.afterEach(async () => app?.close());
test.setTimeout(240_000);

const CHECK = { timeout: 90_000 };

const outcome = (page: Page) => page.locator('.pixel-outcome');

test('the inspector shows what the detector finds and what the batch will do; the person decides, and the run does it', async ({
  page,
}) => {
  app = await openWithUltrasounds(page);
  await fileRows(page, '0001.dcm').click();

  // The batch would clean it: the banner's name, ID and date are identity. The line names no value.
  await expect(outcome(page)).toHaveText(
    /^Image: will be cleaned \(\d+ regions? filled, \d+ text regions? found\)$/,
    CHECK,
  );

  await page.getByRole('tab', { name: 'Image' }).click();
  const identity = page.getByRole('button', {
    name: /^Detected text \d+: identifying text, will be cleaned$/,
  });
  await expect(identity.first()).toBeVisible();
  await expect(page.getByRole('list', { name: 'Detected text boxes' })).toContainText('Identifying text');

  // What was read shows on hover and on keyboard focus, on screen only.
  // The smallest box is drawn last, on top of the larger readings of the same lines.
  await identity.last().hover({ position: { x: 2, y: 2 } });
  const tip = page.getByRole('tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).not.toBeEmpty();
  await page.mouse.move(0, 0);
  await expect(tip).toHaveCount(0);
  await identity.first().focus();
  await expect(tip).toBeVisible();
  await expect(identity.first()).toHaveAttribute('aria-describedby', 'detected-tip');
  await page.getByRole('heading', { name: /Detected text/ }).scrollIntoViewIfNeeded();
  await screenshot(page, 'pixel-check-detected-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'pixel-check-detected-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // Turn one identifying region off with the keyboard: it is kept, the file checked again.
  const first = identity.first();
  const label = (await first.getAttribute('aria-label'))!;
  const number = /^Detected text (\d+):/.exec(label)![1];
  await first.focus();
  await page.keyboard.press('Enter');
  const turnedOff = page.getByRole('button', {
    name: `Detected text ${number}: identifying text, you keep it`,
  });
  await expect(turnedOff).toBeVisible(CHECK);
  await expect(turnedOff).toHaveAttribute('aria-pressed', 'false');

  // Reviewed: the file is written with the person's decisions, the rest of its text cleaned.
  await page.getByRole('checkbox', { name: /I have reviewed this file’s image text/ }).check();
  await expect(outcome(page)).toHaveText(
    /^Image: will be cleaned \(\d+ regions? filled, \d+ text regions? found\)$/,
    CHECK,
  );
  await expect(page.getByRole('list', { name: 'Pixel rules for this file' })).toContainText(
    /detected text regions? left as they are; image text reviewed by you — drawn on this file/,
  );
  await screenshot(page, 'pixel-check-reviewed-1366');

  // The list's filters know what the checks found (only 0001 has been checked).
  await expect(page.getByRole('button', { name: 'Image text found (1)' })).toBeVisible();
  await page.getByRole('button', { name: 'Reviewed (1)' }).click();
  await expect(fileRows(page)).toHaveCount(1);
  await expect(fileRows(page, '0001.dcm')).toBeVisible();
  await page.getByRole('button', { name: 'Reviewed (1)' }).click();
  await expect(fileRows(page)).toHaveCount(2);

  // The run does what the inspector said: both written, their banners cleaned.
  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  const summary = await runInto(page, app, out);
  await expect(summary.getByTestId('count-written')).toHaveText('2');
  await expect(summary.getByTestId('count-held')).toHaveText('0');
  const written = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.dcm'));
  expect(written).toHaveLength(2);
  for (const file of written) {
    const dump = spawnSync('dcmdump', ['+P', '0028,0301', join(out, file)], { encoding: 'utf8' });
    expect(dump.stdout).toContain('[NO]');
  }
});

test('the run screen counts what the detector found, checks the rest on request, and leads to the held files', async ({
  page,
}) => {
  app = await openWithUltrasounds(page);
  // One of the two left out of the run: only the other is checked.
  await fileRows(page, '0002.dcm').locator('.tree-check').click();
  await page.getByRole('button', { name: '3. Run' }).click();

  const pixels = page.getByTestId('plan-pixels');
  await expect(pixels.getByTestId('plan-pixels-unchecked')).toHaveText(
    '1 file not yet checked for image text',
  );

  // Cancelled at once: what was not read stays "not yet checked".
  await pixels.getByRole('button', { name: 'Check image text now' }).click();
  await pixels.getByRole('button', { name: 'Cancel check' }).click();
  await expect(pixels.getByRole('button', { name: 'Check image text now' })).toBeVisible(CHECK);
  await expect(pixels.getByTestId('plan-pixels-unchecked')).toBeVisible();

  await pixels.getByRole('button', { name: 'Check image text now' }).click();
  await expect(pixels.getByRole('status')).toContainText(/Checking image text: \d of 1 file$/);
  await expect(pixels).toContainText('1 file will have image text cleaned', CHECK);
  await expect(pixels.getByTestId('plan-pixels-unchecked')).toHaveCount(0);

  // Back in the run, the file left out is still to be read; checking reads it.
  await page.getByRole('button', { name: '1. Files' }).click();
  await fileRows(page, '0002.dcm').locator('.tree-check').click();
  await page.getByRole('button', { name: '3. Run' }).click();
  await expect(pixels.getByTestId('plan-pixels-unchecked')).toHaveText(
    '1 file not yet checked for image text',
  );
  await pixels.getByRole('button', { name: 'Check image text now' }).click();
  await expect(pixels).toContainText('2 files will have image text cleaned', CHECK);
  await expect(pixels.getByTestId('plan-pixels-unchecked')).toHaveCount(0);
  await screenshot(page, 'pixel-check-run-plan-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'pixel-check-run-plan-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // Without Clean pixel data nothing cleans the banners: checked again, both are held, and the way to them
  // is one click.
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Clean pixel data' }).uncheck();
  await page.getByRole('button', { name: '3. Run' }).click();
  await pixels.getByRole('button', { name: 'Check image text now' }).click();
  await expect(pixels).toContainText(/2 files will be held for review/, CHECK);
  await pixels.getByRole('button', { name: 'Review held files' }).click();
  await expect(page.getByRole('button', { name: 'Held for review (2)' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(fileRows(page)).toHaveCount(2);
});
