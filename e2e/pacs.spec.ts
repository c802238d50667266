import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { loadNodes } from '../electron/services/pacs/nodes.js';
import { OrthancInstance } from '../test/orthanc.js';
import { type AppUnderTest, expectFilesRead, openApp, screenshot } from './app.js';
import { SAMPLES } from './fixtures.js';

const PATIENT = join(SAMPLES, 'patient-001');
const CT = readdirSync(join(PATIENT, 'ct/series-01')).map((n) => join(PATIENT, 'ct/series-01', n));
const US = readdirSync(join(PATIENT, 'us/series-01')).map((n) => join(PATIENT, 'us/series-01', n));
const PASSWORD = 'a-secret-the-page-must-never-get-back';

let hospital: OrthancInstance;
let app: AppUnderTest;

test.beforeAll(async () => {
  // Our AE title is known to the PACS, so it answers our C-GET (no storage SCP port in the app's nodes).
  hospital = await OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { deid: ['DICOM-DEID', 1] } });
  await hospital.upload([...CT, ...US]);
});
test.afterAll(async () => hospital?.stop());
test.afterEach(async () => app?.close());

async function saveNode(page: Page, values: Record<string, string>) {
  const form = page.getByRole('form', { name: 'Node' });
  for (const [label, value] of Object.entries(values))
    await form.getByLabel(label, { exact: true }).fill(value);
  await form.getByRole('button', { name: 'Save node' }).click();
}

for (const [width, height] of [
  [1366, 768],
  [1093, 614],
] as const) {
  test(`nodes are defined and verified, studies found and retrieved into the list (${width}×${height})`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height });
    app = await openApp(page);
    const answers: string[] = [];
    page.on('response', async (response) => {
      if (response.url().includes('/ipc/pacs:')) answers.push(await response.text());
    });
    await page.getByRole('button', { name: 'PACS' }).click();

    await saveNode(page, {
      Name: 'hospital',
      'AE title': 'HOSPITAL',
      Host: '127.0.0.1',
      Port: String(hospital.dicomPort),
      'DICOMweb URL': hospital.dicomweb,
      'DICOMweb user': OrthancInstance.USER,
      Password: PASSWORD,
    });
    await saveNode(page, {
      Name: 'wrong-ae',
      'AE title': 'NOT-HOSPITAL',
      Host: '127.0.0.1',
      Port: String(hospital.dicomPort),
    });
    await expect(page.getByRole('button', { name: 'Verify wrong-ae' })).toBeVisible();

    await page.getByRole('button', { name: 'Verify hospital' }).click();
    await expect(page.getByRole('status', { name: 'hospital verification' })).toHaveText(
      'Reachable (DICOM).',
    );
    await page.getByRole('button', { name: 'Verify wrong-ae' }).click();
    await expect(page.getByRole('status', { name: 'wrong-ae verification' })).toHaveText(
      /^Not reachable: the node does not accept our AE title/,
    );

    // A bad node is refused in main by the nodes file's schema, in plain words.
    await saveNode(page, { Name: 'half', 'AE title': 'X' });
    await expect(page.getByRole('alert')).toContainText('a node needs aeTitle, host and port');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await screenshot(page, `pacs-nodes-${width}x${height}`);

    // Search: by patient ID both studies, with a date range only the CT.
    const search = page.getByRole('form', { name: 'Search' });
    await search.getByLabel('Patient ID').fill('MRN9567370');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('status', { name: 'Search result' })).toHaveText('2 studies found');
    await search.getByLabel('From').fill('2022-01-01');
    await search.getByLabel('To').fill('2022-12-31');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('status', { name: 'Search result' })).toHaveText('1 study found');
    const table = page.getByRole('table', { name: 'Studies found' });
    await expect(table).toContainText('ACC39547072');
    await expect(table).toContainText('CT');
    await page.getByRole('checkbox', { name: 'Pick study ACC39547072' }).check();
    await screenshot(page, `pacs-search-${width}x${height}`);

    await page.getByRole('button', { name: /^Retrieve 1 into the file list/ }).click();
    // The retrieved instances join the list as dropped files do.
    await expectFilesRead(page, CT.length);
    await screenshot(page, `pacs-retrieved-${width}x${height}`);

    // Staged owner-only, as the command line's pull does.
    const staging = join(app.work, '..', 'user-data', 'pacs', 'staging');
    const [folder] = readdirSync(staging);
    expect(statSync(join(staging, folder!)).mode & 0o777).toBe(0o700);
    const staged = readdirSync(join(staging, folder!));
    expect(staged.filter((n) => n.endsWith('.dcm'))).toHaveLength(CT.length);
    for (const name of staged) expect(statSync(join(staging, folder!, name)).mode & 0o077).toBe(0);

    // The nodes are a nodes file the command line reads as it is; the sign-in stays in main.
    const nodesFile = join(app.work, '..', 'user-data', 'pacs', 'nodes.json');
    const config = loadNodes(nodesFile);
    expect(config.nodes.get('hospital')).toMatchObject({
      aeTitle: 'HOSPITAL',
      port: hospital.dicomPort,
      credential: { username: OrthancInstance.USER, password: PASSWORD },
    });
    expect(readFileSync(nodesFile, 'utf8')).not.toContain(PASSWORD);
    expect(answers.length).toBeGreaterThan(3);
    for (const answer of answers) expect(answer).not.toContain(PASSWORD);
    expect(answers.some((a) => a.includes('"signIn":"basic"'))).toBe(true);
  });
}
