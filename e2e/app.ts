/** Starting the app in the browser harness, and the gestures the specs share. */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { SAMPLES } from './fixtures.js';
import { type Harness, ROOT, startHarness } from './harness.js';

export interface AppUnderTest {
  readonly harness: Harness;
  /** Files and folders the test may drop, by name. */
  readonly dropRoot: string;
  /** Scratch space outside the drop folder (output folders, exports). */
  readonly work: string;
  close(): Promise<void>;
}

/** `prepare` runs on the app's user-data folder (also its home for projects) before the page loads. */
export async function openApp(page: Page, prepare?: (userData: string) => void): Promise<AppUnderTest> {
  const base = mkdtempSync(join(tmpdir(), 'deid-e2e-'));
  const dropRoot = join(base, 'drop');
  const work = join(base, 'work');
  mkdirSync(dropRoot);
  mkdirSync(work);
  prepare?.(join(base, 'user-data'));
  const harness = await startHarness({ userData: join(base, 'user-data'), dropRoot });
  page.on('dialog', (dialog) => {
    throw new Error(`the page opened a dialog: ${dialog.message()}`);
  });
  await page.addInitScript({ content: harness.initScript });
  await page.goto(harness.url);
  return {
    harness,
    dropRoot,
    work,
    async close() {
      await harness.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The sample ultrasound series: two files with a name, an ID and a birth date burned into their pixels. */
export const US_SERIES = join(SAMPLES, 'patient-001/us/series-01');

/** Opens the app with the sample ultrasound series dropped on it and both files read. */
export async function openWithUltrasounds(page: Page): Promise<AppUnderTest> {
  const app = await openApp(page);
  cpSync(US_SERIES, join(app.dropRoot, 'us'), { recursive: true });
  await drop(page, '[data-testid=drop-zone]', ['us']);
  await expectFilesRead(page, 2);
  return app;
}

/** Drops entries of the drop folder on `target`, as Electron would hand their paths to the preload. */
export async function drop(page: Page, target: string, names: readonly string[]) {
  await page.locator(target).evaluate((element, files) => {
    const data = new DataTransfer();
    for (const name of files) data.items.add(new File([''], name));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      element.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, names);
}

/** Waits until the list has read `count` files, all of them: the status line counts rows out of view too. */
export async function expectFilesRead(page: Page, count: number) {
  const files = `${count.toLocaleString('en')} file${count === 1 ? '' : 's'}`;
  await expect(page.getByRole('status').filter({ hasText: new RegExp(`^${files}(:|$)`) })).toBeVisible({
    timeout: 60_000,
  });
}

/** The file list's file rows (not its patient, study and series lines), those showing `text` if given. */
export function fileRows(page: Page, text?: string): Locator {
  const rows = page.getByRole('treeitem').and(page.locator('.file-line'));
  return text === undefined ? rows : rows.filter({ hasText: text });
}

/** Saves a screenshot of the current screen as e2e/artifacts/<name>.png. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: join(ROOT, 'e2e/artifacts', `${name}.png`) });
}

/** From the run screen: chooses `out` as the output folder, starts, and waits for the run's summary. */
export async function runInto(page: Page, app: AppUnderTest, out: string): Promise<Locator> {
  app.harness.dialogs.answer(out);
  await page.getByRole('button', { name: 'Choose output folder…' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  const summary = page.getByTestId('run-summary');
  await expect(summary.getByRole('heading', { name: 'Finished' })).toBeVisible({ timeout: 60_000 });
  return summary;
}

/** Every serious or critical violation axe finds on the page as it stands, with where it is. */
export async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      help: violation.help,
      where: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
    }));
}
