import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadOrCreateKey } from '../node/key-store.js';
import {
  createProject,
  projectPaths,
  projectsHome,
  recordRun,
  rememberLast,
} from '../node/project/project.js';
import { openSqliteCrosswalk } from '../node/project/sqlite-crosswalk.js';
import { type AppUnderTest, expectFilesRead, openApp, runInto, screenshot } from './app.js';
import { SAMPLE_FILES } from './fixtures.js';

let app: AppUnderTest;
test.afterEach(async () => app?.close());

// Made-up identifiers: the crosswalk holds what a real run would have recorded.
const ORIGINAL = 'HOSP-0042';
const PSEUDONYM = 'PSN-7F3A9C';

test('the app opens on the last project, marks its interrupted run and looks a pseudonym up, audited', async ({
  page,
}) => {
  let folder = '';
  let fingerprint = '';
  app = await openApp(page, (home) => {
    folder = join(projectsHome(home), 'Trial 7');
    const keyFile = projectPaths(folder).key;
    let project = createProject(folder, 'Trial 7', {
      profile: 'basic',
      options: [],
      keyFile,
      inputs: ['/data/in'],
      outDir: '/data/out',
    });
    fingerprint = loadOrCreateKey(keyFile).fingerprint;
    const run = {
      profile: 'basic',
      options: [],
      inputs: ['/data/in'],
      outDir: '/data/out',
      cancelled: false,
    };
    project = recordRun(project, {
      ...run,
      startedAt: '2026-11-01T09:00:00.000Z',
      finishedAt: '2026-11-01T09:05:00.000Z',
      written: 12,
      skipped: 1,
      failed: 0,
    });
    recordRun(project, {
      ...run,
      startedAt: '2026-11-02T09:00:00.000Z',
      finishedAt: '2026-11-02T10:00:00.000Z',
      interrupted: true,
      written: 0,
      skipped: 0,
      failed: 0,
    });
    const store = openSqliteCrosswalk(projectPaths(folder).crosswalk);
    store.add([{ kind: 'patient', original: ORIGINAL, pseudonym: PSEUDONYM }]);
    store.close();
    rememberLast(folder, home);
  });

  const projectButton = page.getByRole('button', { name: 'Project: Trial 7' });
  await expect(projectButton).toBeVisible();
  await projectButton.click();
  await expect(page.getByRole('heading', { name: 'Project Trial 7' })).toBeVisible();
  const facts = page.getByTestId('project-facts');
  await expect(facts).toContainText(folder);
  await expect(facts).toContainText('/data/in');
  await expect(facts).toContainText('/data/out');
  await expect(page.getByTestId('project-fingerprint')).toHaveText(fingerprint);

  const rows = page.getByRole('table', { name: 'Runs of this project, oldest first' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('Finished');
  await expect(rows.nth(1).getByRole('cell').nth(2)).toHaveText('12');
  await expect(rows.nth(2)).toContainText('Interrupted');
  await expect(rows.nth(2).getByRole('cell').nth(2)).toHaveText('—');

  // Nothing was looked up yet: no audit file.
  const lookups = projectPaths(folder).lookups;
  expect(() => readFileSync(lookups)).toThrow();

  await page.getByLabel('Pseudonym or original').fill(PSEUDONYM);
  await page.getByRole('button', { name: 'Look up' }).click();
  const answer = page.getByTestId('lookup-answers').getByRole('row').nth(1);
  await expect(answer).toHaveText(['Patient ID', ORIGINAL, PSEUDONYM].join(''));
  await screenshot(page, 'project-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'project-1093');
  await page.setViewportSize({ width: 1366, height: 768 });

  const unknown = 'PSN-NOT-THERE';
  await page.getByLabel('Pseudonym or original').fill(unknown);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('lookup-answers')).toHaveText("Not in this project's crosswalk.");

  // Both lookups were audited by the service, with their match counts.
  const audit = readFileSync(lookups, 'utf8').trim().split(/\r?\n/);
  expect(audit).toHaveLength(3);
  expect(audit[1]).toContain(PSEUDONYM);
  expect(audit[1]).toMatch(/,1,patient$/);
  expect(audit[2]).toContain(unknown);
  expect(audit[2]).toMatch(/,0,$/);
});

test('a project is created by name, and another opened from its folder; a folder without one is refused', async ({
  page,
}) => {
  let other = '';
  app = await openApp(page, (home) => {
    other = join(home, 'shared-drive', 'Trial 9');
    createProject(other, 'Trial 9', {
      profile: 'basic',
      options: [],
      keyFile: projectPaths(other).key,
      inputs: [],
      outDir: '/data/out',
    });
  });
  await page.getByRole('button', { name: 'Project', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'No project yet' })).toBeVisible();

  await page.getByLabel('New project name').fill('Ward 3');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Project Ward 3' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Project: Ward 3' })).toBeVisible();
  await expect(page.getByText('No run yet.')).toBeVisible();
  // The profile screen's key is now the new project's, made in its folder on first use.
  await page.getByRole('button', { name: '2. Profile' }).click();
  await expect(page.getByTestId('key-location')).toContainText(join('projects', 'Ward 3', 'project.key'));

  await page.getByRole('button', { name: 'Project: Ward 3' }).click();
  app.harness.dialogs.answer(app.work);
  await page.getByRole('button', { name: 'Open project folder…' }).click();
  await expect(page.getByRole('alert')).toContainText('there is no dicom-deid project in that folder');
  await expect(page.getByRole('heading', { name: 'Project Ward 3' })).toBeVisible();

  app.harness.dialogs.answer(other);
  await page.getByRole('button', { name: 'Open project folder…' }).click();
  await expect(page.getByRole('heading', { name: 'Project Trial 9' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('project-facts')).toContainText(other);
  await screenshot(page, 'project-switch-1366');
  await page.setViewportSize({ width: 1093, height: 614 });
  await screenshot(page, 'project-switch-1093');
});

test("the app's run goes into the open project: its key, its history and its crosswalk", async ({ page }) => {
  let folder = '';
  app = await openApp(page, (home) => {
    folder = join(projectsHome(home), 'Audit 2026');
    createProject(folder, 'Audit 2026', {
      profile: 'basic',
      options: [],
      keyFile: projectPaths(folder).key,
      inputs: [],
      outDir: '/data/out',
    });
    rememberLast(folder, home);
  });
  await page.getByRole('button', { name: 'Try sample data' }).click();
  await expectFilesRead(page, SAMPLE_FILES);
  await page.getByRole('button', { name: '3. Run' }).click();
  const out = join(app.work, 'out');
  const summary = await runInto(page, app, out);
  const written = (await summary.getByTestId('count-written').textContent()) ?? '';
  expect(Number(written)).toBeGreaterThan(0);

  // The run used the project's key, made in the project folder on first use.
  const fingerprint = loadOrCreateKey(projectPaths(folder).key).fingerprint;
  await page.getByRole('button', { name: 'Project: Audit 2026' }).click();
  await expect(page.getByTestId('project-fingerprint')).toHaveText(fingerprint);
  const rows = page.getByRole('table', { name: 'Runs of this project, oldest first' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('Finished');
  await expect(rows.nth(1).getByRole('cell').nth(2)).toHaveText(written);

  // A written file's Patient ID, read by dcmtk, is a pseudonym the crosswalk leads back from.
  const file = readdirSync(out, { recursive: true, encoding: 'utf8' }).find((name) => name.endsWith('.dcm'));
  expect(file).toBeDefined();
  const dump = spawnSync('dcmdump', ['-q', '+P', 'PatientID', join(out, file!)], { encoding: 'utf8' });
  const pseudonym = /\[([^\]]+)\]/.exec(dump.stdout)?.[1] ?? '';
  expect(pseudonym).not.toBe('');
  await page.getByLabel('Pseudonym or original').fill(pseudonym);
  await page.getByRole('button', { name: 'Look up' }).click();
  const answer = page.getByTestId('lookup-answers').getByRole('row').nth(1);
  await expect(answer.getByRole('cell').first()).toHaveText('Patient ID');
  await expect(answer.getByRole('cell').nth(2)).toHaveText(pseudonym);
  await expect(answer.getByRole('cell').nth(1)).not.toHaveText(pseudonym);
});
