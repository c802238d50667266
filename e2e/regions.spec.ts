import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import type { Rect } from '../shared/pixels/regions.js';
import { type AppUnderTest, drop, expectFilesRead, fileRows, openApp, runInto, screenshot } from './app.js';
import { SAMPLES } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

const US_SERIES = join(SAMPLES, 'patient-001/us/series-01');
/** The sample ultrasound is 256 × 192; its name, ID and birth date are burned in at the top left. */
const US = { width: 256, height: 192 };
const TEXT_BOX: Rect = { x: 0, y: 0, width: 120, height: 48 };

async function openUltrasound(page: Page, file = '0001.dcm') {
  await fileRows(page, file).click();
  await page.getByRole('tab', { name: 'Image' }).click();
  await expect(page.locator('.image-frame canvas')).toBeVisible();
}

/** Screen position of an image pixel, through the overlay's own box: the boxes' coordinate system. */
async function screenPoint(page: Page, x: number, y: number) {
  const layer = (await page.locator('.region-layer').boundingBox())!;
  return { x: layer.x + (x / US.width) * layer.width, y: layer.y + (y / US.height) * layer.height };
}

async function dragImage(page: Page, from: [number, number], to: [number, number]) {
  const a = await screenPoint(page, ...from);
  const b = await screenPoint(page, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 3 });
  await page.mouse.move(b.x, b.y, { steps: 3 });
  await page.mouse.up();
}

/** The box as the editor states it to assistive technology: "Box 1: x 0, y 0, 120 × 48 pixels". */
async function boxOf(box: Locator): Promise<Rect> {
  const label = (await box.getAttribute('aria-label')) ?? '';
  const match = /x (\d+), y (\d+), (\d+) × (\d+) pixels/.exec(label);
  expect(match, label).not.toBeNull();
  const [x, y, width, height] = match!.slice(1).map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

/**
 * Where a box is drawn on screen, in image pixels: it must sit on the pixels it names at every zoom. The
 * shape's geometry is mapped to the screen (its bounding box would include the stroke).
 */
async function drawnAt(page: Page, box: Locator): Promise<Rect> {
  const layer = (await page.locator('.region-layer').boundingBox())!;
  const shown = await box.evaluate((element: SVGGraphicsElement) => {
    const matrix = element.getScreenCTM()!;
    const bounds = element.getBBox();
    const from = new DOMPoint(bounds.x, bounds.y).matrixTransform(matrix);
    const to = new DOMPoint(bounds.x + bounds.width, bounds.y + bounds.height).matrixTransform(matrix);
    return { x: from.x, y: from.y, width: to.x - from.x, height: to.y - from.y };
  });
  const sx = US.width / layer.width;
  const sy = US.height / layer.height;
  return {
    x: Math.round((shown.x - layer.x) * sx),
    y: Math.round((shown.y - layer.y) * sy),
    width: Math.round(shown.width * sx),
    height: Math.round(shown.height * sy),
  };
}

/** The largest difference between two boxes' edges, in image pixels. */
const gap = (a: Rect, b: Rect) =>
  Math.max(...(['x', 'y', 'width', 'height'] as const).map((key) => Math.abs(a[key] - b[key])));

/** Waits until the box is drawn on `expected`'s pixels: a zoom repaints over a frame or two. */
const drawnOn = (page: Page, box: Locator, expected: Rect) =>
  expect.poll(async () => gap(await drawnAt(page, box), expected)).toBeLessThanOrEqual(1);

const near = (actual: Rect, expected: Rect, slack = 1) => {
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    expect(
      Math.abs(actual[key] - expected[key]),
      `${key}: ${actual[key]} vs ${expected[key]}`,
    ).toBeLessThanOrEqual(slack);
  }
};

test('boxes are drawn, moved, resized and deleted with the mouse and the keyboard, at every zoom', async ({
  page,
}) => {
  app = await openApp(page);
  cpSync(US_SERIES, join(app.dropRoot, 'us'), { recursive: true });
  await drop(page, '[data-testid=drop-zone]', ['us']);
  await expectFilesRead(page, 2);
  await openUltrasound(page);

  // Mouse: draw over the burned-in text.
  await page.getByRole('button', { name: 'Draw boxes' }).click();
  await expect(page.getByRole('button', { name: 'Draw boxes' })).toHaveAttribute('aria-pressed', 'true');
  await dragImage(page, [4, 4], [100, 40]);
  const first = page.getByRole('button', { name: /^Box 1:/ });
  near(await boxOf(first), { x: 4, y: 4, width: 96, height: 36 });
  await drawnOn(page, first, await boxOf(first));

  // Move it by dragging its body, resize it by its bottom-right corner.
  await dragImage(page, [50, 20], [60, 30]);
  near(await boxOf(first), { x: 14, y: 14, width: 96, height: 36 });
  const moved = await boxOf(first);
  await dragImage(page, [moved.x + moved.width, moved.y + moved.height], [140, 70]);
  near(await boxOf(first), { x: moved.x, y: moved.y, width: 140 - moved.x, height: 70 - moved.y });

  // Keyboard: arrows move, Shift moves by ten, Alt resizes, Delete removes.
  await first.focus();
  const before = await boxOf(first);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Alt+ArrowRight');
  await page.keyboard.press('Alt+Shift+ArrowDown');
  expect(await boxOf(first)).toEqual({
    x: before.x - 1,
    y: before.y - 10,
    width: before.width + 1,
    height: before.height + 10,
  });

  // A second box from the button, moved only with the keyboard, then deleted.
  await page.getByRole('button', { name: 'Add box' }).click();
  const second = page.getByRole('button', { name: /^Box 2:/ });
  await expect(second).toBeFocused();
  const added = await boxOf(second);
  await page.keyboard.press('Shift+ArrowRight');
  expect((await boxOf(second)).x).toBe(added.x + 10);
  await page.keyboard.press('Delete');
  await expect(second).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Drawn boxes' }).getByRole('listitem')).toHaveCount(1);

  // Zoom: the box stays on the same image pixels.
  const kept = await boxOf(first);
  for (const step of ['Zoom in', 'Zoom in', 'Zoom out', 'Zoom out', 'Zoom out']) {
    await page.getByRole('button', { name: step }).click();
    await drawnOn(page, first, kept);
  }
  await page.getByRole('button', { name: 'Fit' }).click();
  await screenshot(page, 'regions-editor-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await drawnOn(page, first, kept);
  await screenshot(page, 'regions-editor-1093');

  // The list's delete button removes it as well.
  await page.getByRole('button', { name: 'Delete box 1' }).click();
  await expect(page.getByRole('button', { name: /^Box \d:/ })).toHaveCount(0);
});

test('boxes on a CT stay on their pixels when window and level change', async ({ page }) => {
  app = await openApp(page);
  cpSync(join(SAMPLES, 'patient-001/ct/series-01/0001.dcm'), join(app.dropRoot, 'ct.dcm'));
  await drop(page, '[data-testid=drop-zone]', ['ct.dcm']);
  await expectFilesRead(page, 1);
  await fileRows(page, 'ct.dcm').click();
  await page.getByRole('tab', { name: 'Image' }).click();
  await page.getByRole('button', { name: 'Add box' }).click();
  const box = page.getByRole('button', { name: /^Box 1:/ });
  const layer = (await page.locator('.region-layer').boundingBox())!;
  const shownBefore = (await box.boundingBox())!;
  await page.getByRole('slider', { name: /Window/ }).fill('50');
  await page.getByRole('button', { name: 'Zoom in' }).click();
  const layerAfter = (await page.locator('.region-layer').boundingBox())!;
  const shownAfter = (await box.boundingBox())!;
  // Same place relative to the image, whatever the zoom and window.
  expect((shownAfter.x - layerAfter.x) / layerAfter.width).toBeCloseTo(
    (shownBefore.x - layer.x) / layer.width,
    2,
  );
  expect(shownAfter.width / layerAfter.width).toBeCloseTo(shownBefore.width / layer.width, 2);
});

/** Decoded pixels by DCMTK (an independent decoder): a binary PPM, RGB bytes row by row. */
function decodeRgb(file: string, out: string): Buffer {
  const result = spawnSync('dcm2pnm', ['--write-raw-pnm', file, out], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const ppm = readFileSync(out);
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  expect(header).not.toBeNull();
  expect([Number(header![1]), Number(header![2])]).toEqual([US.width, US.height]);
  return ppm.subarray(header![0].length);
}

const inBox = (x: number, y: number, box: Rect) =>
  x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;

test('boxes applied to a series are cleaned in every output of it; Burned In Annotation becomes NO', async ({
  page,
}) => {
  app = await openApp(page);
  cpSync(US_SERIES, join(app.dropRoot, 'us'), { recursive: true });
  await drop(page, '[data-testid=drop-zone]', ['us']);
  await expectFilesRead(page, 2);
  await openUltrasound(page, '0001.dcm');

  await page.getByRole('button', { name: 'Add box' }).click();
  const box = page.getByRole('button', { name: /^Box 1:/ });
  await expect(box).toBeFocused();
  // Keyboard only: to the top-left corner, then sized over the text.
  for (let i = 0; i < 20; i++) await page.keyboard.press('Shift+ArrowLeft');
  for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowUp');
  const start = await boxOf(box);
  expect([start.x, start.y]).toEqual([0, 0]);
  for (let i = 0; i < TEXT_BOX.width - start.width; i++) await page.keyboard.press('Alt+ArrowRight');
  for (let i = 0; i < TEXT_BOX.height - start.height; i++) await page.keyboard.press('Alt+ArrowDown');
  expect(await boxOf(box)).toEqual(TEXT_BOX);

  await page.getByRole('button', { name: 'In this series' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: '1 box will be cleaned in every file' }),
  ).toBeVisible();
  await screenshot(page, 'regions-applied');

  // The other file of the series shows the box in the inspector before the run, and in its image.
  await fileRows(page, '0002.dcm').click();
  await page.getByRole('tab', { name: 'Identifying data' }).click();
  await expect(page.getByRole('region', { name: 'Image pixels' })).toContainText(
    '1 box cleaned — drawn on this series',
  );
  await page.getByRole('tab', { name: 'Image' }).click();
  await expect(page.locator('.region-applied')).toHaveCount(1);

  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  const summary = await runInto(page, app, out);
  await expect(summary.getByTestId('count-written')).toHaveText('2');

  const outputs = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.dcm'),
  );
  expect(outputs).toHaveLength(2);
  const inputs = readdirSync(US_SERIES).filter((name) => name.endsWith('.dcm'));
  const originals = inputs.map((name, i) => decodeRgb(join(US_SERIES, name), join(app.work, `in-${i}.ppm`)));
  for (const [i, name] of outputs.entries()) {
    const output = join(out, name);
    const dump = spawnSync('dcmdump', ['-q', '+P', '0028,0301', output], { encoding: 'utf8' });
    expect(dump.stdout).toMatch(/\(0028,0301\) CS \[NO\]/);
    const pixels = decodeRgb(output, join(app.work, `out-${i}.ppm`));
    // Which input this output came from: the one whose pixels outside the box are identical, except where
    // the text detector found identity of its own and filled it black.
    const original = originals.find((candidate) => {
      let changed = 0;
      for (let y = 0; y < US.height; y++) {
        for (let x = 0; x < US.width; x++) {
          if (inBox(x, y, TEXT_BOX)) continue;
          const at = (y * US.width + x) * 3;
          if (candidate.compare(pixels, at, at + 3, at, at + 3) === 0) continue;
          if (pixels[at] !== 0 || pixels[at + 1] !== 0 || pixels[at + 2] !== 0) return false;
          changed++;
        }
      }
      return changed < (US.width * US.height) / 20;
    });
    expect(original, `${name}: pixels outside the box are unchanged or cleaned black`).toBeDefined();
    let textPixels = 0;
    for (let y = TEXT_BOX.y; y < TEXT_BOX.y + TEXT_BOX.height; y++) {
      for (let x = TEXT_BOX.x; x < TEXT_BOX.x + TEXT_BOX.width; x++) {
        const at = (y * US.width + x) * 3;
        // The text was there (the test can fail) and is gone: every pixel of the box is black.
        if (original![at]! > 128) textPixels++;
        expect(pixels[at]! + pixels[at + 1]! + pixels[at + 2]!, `${name} at ${x},${y}`).toBe(0);
      }
    }
    expect(textPixels).toBeGreaterThan(200);
  }
});
