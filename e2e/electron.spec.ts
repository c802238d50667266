import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { expectFilesRead } from './app.js';
import { SAMPLE_FILES } from './fixtures.js';
import { ROOT } from './harness.js';

// The same lookup `npm start` uses, which never triggers Electron's download.
const { electronPackageDir, findElectron } = (await import(
  pathToFileURL(join(ROOT, 'scripts/start-electron.mjs')).href
)) as {
  electronPackageDir(): string | undefined;
  findElectron(packageDir: string | undefined): string | undefined;
};
const executable = findElectron(electronPackageDir());
const SKIPPED = 'Electron runtime not installed on this machine: real-app launch skipped';

test('the real app starts locked down and reads the sample data', async () => {
  if (!executable) {
    // The list reporter shows a skip without its reason; this line puts the reason in the run's output.
    console.log(SKIPPED);
    test.skip(true, SKIPPED);
  }
  const app = await electron.launch({
    executablePath: executable!,
    // Chromium refuses to run its sandbox as root (CI containers); the renderer sandbox stays on.
    args: [join(ROOT, 'dist/electron/main.cjs'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
  });
  try {
    const appWindow = await app.firstWindow();
    await expect(
      appWindow.getByRole('heading', { name: 'Remove patient identity from DICOM images' }),
    ).toBeVisible();
    expect(appWindow.url()).toBe('app://deid/index.html');

    // The page has the narrow API and nothing of Node or Electron (context isolation, sandbox).
    const globals = await appWindow.evaluate(() => ({
      deid: typeof window.deid,
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(globals).toEqual({ deid: 'object', require: 'undefined', process: 'undefined' });

    // Navigation away and new windows are refused.
    await appWindow.evaluate(() => {
      window.open('https://example.org');
      window.location.href = 'https://example.org';
    });
    await expect.poll(() => app.windows().length).toBe(1);
    expect(appWindow.url()).toBe('app://deid/index.html');

    await appWindow.getByRole('button', { name: 'Try sample data' }).click();
    await expectFilesRead(appWindow, SAMPLE_FILES);
    await appWindow.screenshot({ path: join(ROOT, 'e2e/artifacts/electron-files.png') });
  } finally {
    await app.close();
  }
});
