import { copyFileSync, cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { loadNodes } from '../node/pacs/nodes.js';
import { OrthancInstance } from '../test/orthanc.js';
import { type AppUnderTest, drop, expectFilesRead, openApp, screenshot } from './app.js';
import { SAMPLE_PHI, SAMPLES } from './fixtures.js';

const PATIENT = join(SAMPLES, 'patient-001');
const CT = readdirSync(join(PATIENT, 'ct/series-01')).map((n) => join(PATIENT, 'ct/series-01', n));
const US = readdirSync(join(PATIENT, 'us/series-01')).map((n) => join(PATIENT, 'us/series-01', n));
const PASSWORD = 'a-secret-the-page-must-never-get-back';

let hospital: OrthancInstance;
let research: OrthancInstance;
let app: AppUnderTest;

test.beforeAll(async () => {
  // Our AE title is known to the PACS, so it answers our C-GET (no storage SCP port in the app's nodes).
  [hospital, research] = await Promise.all([
    OrthancInstance.start({ aeTitle: 'HOSPITAL', modalities: { deid: ['DICOM-DEID', 1] } }),
    OrthancInstance.start({ aeTitle: 'RESEARCH' }),
  ]);
  await hospital.upload([...CT, ...US]);
});
test.afterAll(async () => Promise.all([hospital?.stop(), research?.stop()]));
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

test('after a run, "Send to…" sends the de-identified outputs to the archive, refuses an identified file, and lists each file', async ({
  page,
}) => {
  app = await openApp(page);
  await page.getByRole('button', { name: 'PACS' }).click();
  await saveNode(page, {
    Name: 'research',
    'AE title': 'RESEARCH',
    Host: '127.0.0.1',
    Port: String(research.dicomPort),
  });
  await expect(page.getByRole('button', { name: 'Verify research' })).toBeVisible();

  cpSync(join(PATIENT, 'ct'), join(app.dropRoot, 'ct'), { recursive: true });
  await page.getByRole('button', { name: '1. Files' }).click();
  await drop(page, '[data-testid=drop-zone]', ['ct']);
  await expectFilesRead(page, CT.length);
  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  app.harness.dialogs.answer(out);
  await page.getByRole('button', { name: 'Choose output folder…' }).click();
  await expect(page.getByTestId('output-folder')).toHaveText(out);
  await page.getByRole('button', { name: 'Start' }).click();
  const summary = page.getByTestId('run-summary');
  await expect(summary.getByRole('heading', { name: 'Finished' })).toBeVisible({ timeout: 60_000 });
  await expect(summary.getByTestId('count-written')).toHaveText(String(CT.length));

  // An identified file slipped into the output folder must not leave.
  copyFileSync(CT[0]!, join(out, 'slipped-in.dcm'));
  await summary.getByRole('button', { name: 'Send the outputs' }).click();
  await expect(summary.getByRole('status', { name: 'Send result' })).toHaveText(
    `${CT.length} sent, 0 not sent, 1 refused (not de-identified)`,
  );
  const table = summary.getByRole('table', { name: 'Files sent' });
  await expect(table.getByRole('row')).toHaveCount(CT.length + 2);
  await expect(table.getByRole('row').filter({ hasText: 'slipped-in.dcm' })).toContainText('Refused');
  await expect(table.getByRole('row').filter({ hasText: 'Sent' })).toHaveCount(CT.length);
  await screenshot(page, 'pacs-send-1366x768');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'pacs-send-1093x614');

  // The archive holds every output and none of the samples' identifying values.
  const ids = await research.instanceIds();
  expect(ids).toHaveLength(CT.length);
  for (const id of ids) {
    const bytes = Buffer.from(await research.instanceFile(id));
    expect(SAMPLE_PHI.filter((phi) => bytes.includes(Buffer.from(phi, 'latin1')))).toEqual([]);
  }
});
