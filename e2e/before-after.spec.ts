import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  type AppUnderTest,
  drop,
  expectFilesRead,
  fileRows,
  openApp,
  screenshot,
  seriousViolations,
} from './app.js';
import { SAMPLE_FILES, writeEditedCt } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

test('before / after: the header as it is and as the run will write it, and the image, nothing written', async ({
  page,
}) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);
  await fileRows(page, 'CT').first().click();
  const inspector = page.getByRole('region', { name: 'Selected file' });
  // The pseudonym the inspector plans for the name, to find again in the copy made in memory.
  const planned = await inspector.locator('tr[data-keyword=PatientName] .preview').textContent();
  expect(planned).toMatch(/\S/);

  await inspector.getByRole('tab', { name: 'Before / after' }).click();
  const table = inspector.getByRole('table', { name: 'Header before and after de-identification' });
  const row = (keyword: string, path = '') =>
    table.getByRole('row').filter({
      has: page.locator('td.attribute', { hasText: new RegExp(`^${path}${keyword} \\(`) }),
    });
  await expect(row('PatientName').locator('td')).toHaveText([
    /^PatientName/,
    'Changed',
    'DOE^JANE^M',
    planned ?? '',
  ]);
  await expect(row('IssuerOfPatientID').locator('td')).toHaveText([
    /^IssuerOfPatientID/,
    'Removed',
    'FAKEVILLE GH',
    '—',
  ]);
  await expect(row('PatientIdentityRemoved').locator('td')).toHaveText([
    /^PatientIdentityRemoved \(0012,0062\)/,
    'Added',
    '—',
    'YES',
  ]);
  await expect(row('DeidentificationMethodCodeSequence').locator('td').nth(1)).toHaveText('Added');
  // Inside a sequence: named by its path.
  await expect(
    row('ReferencedSOPInstanceUID', 'ReferencedStudySequence #1 › ').locator('td').nth(1),
  ).toHaveText('Removed');
  await expect(inspector.getByTestId('before-after-pixels')).toHaveText('The image is copied as it is.');
  await expect(inspector.locator('.image-stage canvas').first()).toBeVisible();
  await screenshot(page, 'before-after-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'before-after-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // An ultrasound file with burned-in text and no boxes yet: the copy is made by the batch's pixel pass,
  // so the text its search finds is blacked out.
  await fileRows(page, 'US').first().click();
  await inspector.getByRole('tab', { name: 'Before / after' }).click();
  const pixelsLine = inspector.getByTestId('before-after-pixels');
  await expect(pixelsLine).toHaveText(/^\d+ regions are blacked out in the image/, { timeout: 30_000 });
  const found = Number(/^\d+/.exec((await pixelsLine.textContent()) ?? '')?.[0]);
  expect(found).toBeGreaterThan(0);
  // A box applied to its series, from this tab's image: the copy made again has it blacked out too.
  await inspector.getByRole('button', { name: 'Add box' }).click();
  await inspector.getByRole('button', { name: 'In this series' }).click();
  await expect(pixelsLine).toHaveText(`${found + 1} regions are blacked out in the image (the boxes shown).`);
  await expect(row('BurnedInAnnotation').locator('td')).toHaveText([
    /^BurnedInAnnotation/,
    'Changed',
    'YES',
    'NO',
  ]);
  // The copy the run would write, beside the original: black in the box and where the detector found
  // identifying text (its boxes, padded), every other pixel the original's.
  const copy = inspector.getByRole('img', { name: /^De-identified image, 256 × 192 pixels/ });
  await expect(inspector.getByRole('figure', { name: 'Original' }).locator('canvas')).toBeVisible();
  await expect(inspector.getByRole('figure', { name: 'De-identified' })).toContainText('De-identified');
  // Add box puts a quarter-wide, eighth-high box in the middle of the 256 × 192 image.
  const box = { x: 96, y: 84, width: 64, height: 24 };
  await expect(inspector.locator('rect[data-detected].detected-identity').first()).toBeVisible();
  const pixels = () =>
    page.evaluate((b) => {
      const PAD = 8;
      const rects = (selector: string) =>
        [...document.querySelectorAll(selector)].map((r) => {
          const at = (name: string) => Number(r.getAttribute(name));
          return { x: at('x'), y: at('y'), width: at('width'), height: at('height') };
        });
      const detected = rects('rect[data-detected]');
      const identity = rects('rect[data-detected].detected-identity');
      const within = (
        x: number,
        y: number,
        r: { x: number; y: number; width: number; height: number },
        pad = 0,
      ) => x >= r.x - pad && x < r.x + r.width + pad && y >= r.y - pad && y < r.y + r.height + pad;
      const read = (canvas: HTMLCanvasElement | null) =>
        canvas ? canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height) : null;
      const original = read(
        document.querySelector<HTMLCanvasElement>('.image-pair figure:first-child canvas'),
      );
      const copied = read(document.querySelector<HTMLCanvasElement>('canvas[data-copy=deidentified]'));
      if (!original || !copied || copied.width !== original.width) return null;
      let brightInBox = 0;
      let textInBox = 0;
      let differentOutside = 0;
      let identityBefore = 0;
      let identityAfter = 0;
      for (let i = 0; i < original.data.length; i += 4) {
        const x = (i / 4) % original.width;
        const y = Math.floor(i / 4 / original.width);
        const inBox = x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height;
        const rgb = [0, 1, 2].map((c) => copied.data[i + c]!);
        const bright = (data: Uint8ClampedArray) => [0, 1, 2].some((c) => data[i + c]! > 128);
        if (identity.some((r) => within(x, y, r))) {
          if (bright(original.data)) identityBefore++;
          if (bright(copied.data)) identityAfter++;
        }
        if (inBox) {
          if (Math.max(...rgb) > 8) brightInBox++;
          if ([0, 1, 2].some((c) => original.data[i + c]! > 8)) textInBox++;
        } else if (
          !detected.some((r) => within(x, y, r, PAD)) &&
          rgb.some((v, c) => v !== original.data[i + c])
        )
          differentOutside++;
      }
      return {
        brightInBox,
        differentOutside,
        somethingToClean: textInBox > 0,
        identityTextGone: identityBefore > 0 && identityAfter === 0,
      };
    }, box);
  await expect
    .poll(pixels, { timeout: 15_000 })
    .toEqual({ brightInBox: 0, differentOutside: 0, somethingToClean: true, identityTextGone: true });
  // Reached by the keyboard, with its alt text.
  await copy.focus();
  await expect(copy).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(copy).not.toBeFocused();
  await page.keyboard.press('Tab');
  await expect(copy).toBeFocused();
  // One zoom for both: zoomed in, the copy's frame is as large as the original's.
  await inspector.getByRole('button', { name: 'Zoom in' }).click();
  const sizes = await inspector
    .locator('.image-pair .image-frame')
    .evaluateAll((frames) => frames.map((f) => `${f.clientWidth}×${f.clientHeight}`));
  expect(sizes).toHaveLength(2);
  expect(sizes[0]).toBe(sizes[1]);
  await inspector.getByRole('button', { name: 'Fit' }).click();
  expect(await seriousViolations(page)).toEqual([]);
  await inspector.getByRole('heading', { name: 'Image' }).evaluate((heading) => heading.scrollIntoView());
  await expect(inspector.locator('.image-stage canvas').first()).toBeVisible();
  await screenshot(page, 'before-after-image-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await inspector.getByRole('heading', { name: 'Image' }).evaluate((heading) => heading.scrollIntoView());
  await screenshot(page, 'before-after-image-1093');

  // Nothing was written: no DICOM file anywhere in the test's folders (the app's data among them).
  const base = dirname(app.dropRoot);
  const written = readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.dcm'),
  );
  expect(written).toEqual([]);
});

test('before / after: a long value cleaned after the cut shows as changed, and whole on hover or focus', async ({
  page,
}) => {
  app = await openApp(page);
  // Image Comments of 230 characters, then the patient's name, which Clean descriptions removes.
  const comments = `${'x'.repeat(230)} DOE^JANE^M`;
  writeEditedCt(join(app.dropRoot, 'long.dcm'), [[0x0020, 0x4000, 'LT', comments]]);
  await page.getByRole('button', { name: '2. Profile' }).click();
  await page.getByRole('switch', { name: 'Clean descriptions' }).check();
  await page.getByRole('button', { name: '1. Files' }).click();
  await drop(page, '[data-testid=drop-zone]', ['long.dcm']);
  await expectFilesRead(page, 1);
  await fileRows(page).click();
  const inspector = page.getByRole('region', { name: 'Selected file' });
  await inspector.getByRole('tab', { name: 'Before / after' }).click();
  const row = inspector.getByRole('row').filter({
    has: page.locator('td.attribute', { hasText: /^ImageComments \(/ }),
  });
  await expect(row.locator('td.change')).toHaveText('Changed');
  // Both sides look alike up to the cut, marked by the ellipsis.
  const before = row.locator('td.before button');
  const after = row.locator('td.after button');
  await expect(before).toHaveText(`${'x'.repeat(199)}…`);
  await expect(after).toHaveText(`${'x'.repeat(199)}…`);
  // The whole values: on keyboard focus, and on hover.
  const beforeTip = row.locator('td.before [role=tooltip]');
  const afterTip = row.locator('td.after [role=tooltip]');
  await expect(beforeTip).toBeHidden();
  await before.focus();
  await expect(beforeTip).toBeVisible();
  await expect(beforeTip).toHaveText(comments);
  await expect(before).toHaveAccessibleDescription(comments);
  await after.hover();
  await expect(afterTip).toBeVisible();
  await expect(afterTip).toHaveText(new RegExp(`^${'x'.repeat(230)} `));
  await expect(afterTip).not.toContainText('DOE');
  // Shown by the keyboard focus for the pictures, scrolled into view.
  await page.mouse.move(0, 0);
  await after.focus();
  await afterTip.scrollIntoViewIfNeeded();
  await screenshot(page, 'before-after-cut-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await afterTip.scrollIntoViewIfNeeded();
  await screenshot(page, 'before-after-cut-1093');
  expect(await seriousViolations(page)).toEqual([]);
});
