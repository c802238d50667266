import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, test } from '@playwright/test';
import { type AppUnderTest, expectFilesRead, fileRows, openApp, screenshot } from './app.js';
import { SAMPLE_FILES } from './fixtures.js';

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
  await expect(inspector.locator('.image-stage canvas')).toBeVisible();
  await screenshot(page, 'before-after-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'before-after-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  // An ultrasound file with burned-in text and no boxes yet: the view says it will be held.
  await fileRows(page, 'US').first().click();
  await inspector.getByRole('tab', { name: 'Before / after' }).click();
  await expect(inspector.getByTestId('before-after-pixels')).toContainText('held for review, not written');
  // A box applied to its series, from this tab's image: the copy made again has it blacked out.
  await inspector.getByRole('button', { name: 'Add box' }).click();
  await inspector.getByRole('button', { name: 'In this series' }).click();
  await expect(inspector.getByTestId('before-after-pixels')).toHaveText(
    '1 region is blacked out in the image (the boxes shown).',
  );
  await expect(row('BurnedInAnnotation').locator('td')).toHaveText([
    /^BurnedInAnnotation/,
    'Changed',
    'YES',
    'NO',
  ]);
  await inspector.getByRole('heading', { name: 'Image' }).evaluate((heading) => heading.scrollIntoView());
  await expect(inspector.locator('.image-stage canvas')).toBeVisible();
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
