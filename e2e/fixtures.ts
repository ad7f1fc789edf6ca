// One `openPanel(demoSessions)` for both projects, so every spec runs unchanged against the real
// Electron app and against the Chromium harness.
import { test as base, type Browser, type Page } from '@playwright/test';
import type { DemoSessionSpec } from '../examples/electron-demo/demo-sessions';
import { launchHarnessBrowser, openHarnessPanel } from './harness/chromium-harness';
import { openElectronPanel } from './harness/electron-app';
import { findElectronBinary } from './harness/electron-binary';
import { findHarnessBrowser } from './harness/harness-browser';

export type { DemoSessionSpec };

interface Fixtures {
  openPanel: (demo?: DemoSessionSpec[]) => Promise<Page>;
}

export const test = base.extend<Fixtures, { harnessBrowser: Browser | null }>({
  harnessBrowser: [
    async ({}, use, workerInfo) => {
      if (workerInfo.project.name !== 'chromium-harness') return use(null);
      const found = findHarnessBrowser();
      if ('reason' in found) return use(null); // each test skips itself, saying why
      const browser = await launchHarnessBrowser(found.path);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  openPanel: async ({ harnessBrowser }, use, testInfo) => {
    const opened: { close(): Promise<void> }[] = [];
    let electronBinary: string | undefined;
    const project = testInfo.project.name;
    const found = project === 'electron' ? findElectronBinary() : findHarnessBrowser();
    if ('reason' in found) {
      // In CI a project that belongs on this OS must run: the harness everywhere, Electron on Windows
      // (where setup.sh fetches its binary). A quiet skip there would hide what the job is for.
      if (process.env.CI === 'true' && (project === 'chromium-harness' || process.platform === 'win32')) throw new Error(`${project} project cannot run in CI: ${found.reason}`);
      test.skip(true, `${project} project skipped: ${found.reason}`);
    }
    if (project === 'electron' && 'path' in found) electronBinary = found.path;
    await use(async (demo = []) => {
      const panel = electronBinary ? await openElectronPanel(electronBinary, demo) : await openHarnessPanel(harnessBrowser!, demo);
      opened.push(panel);
      return panel.page;
    });
    for (const panel of opened.reverse()) await panel.close();
  },
});

export { expect } from '@playwright/test';
