// One `openPanel(demoSessions)` for both projects, so every spec runs unchanged against the real
// Electron app and against the Chromium harness.
import { test as base, type Browser, type Page } from '@playwright/test';
import type { DemoSessionSpec } from '../electron/main/demo-sessions';
import { launchHarnessBrowser, openHarnessPanel } from './harness/chromium-harness';
import { openElectronPanel } from './harness/electron-app';
import { findElectronBinary } from './harness/electron-binary';

export type { DemoSessionSpec };

interface Fixtures {
  openPanel: (demo?: DemoSessionSpec[]) => Promise<Page>;
}

export const test = base.extend<Fixtures, { harnessBrowser: Browser | null }>({
  harnessBrowser: [
    async ({}, use, workerInfo) => {
      if (workerInfo.project.name !== 'chromium-harness') return use(null);
      const browser = await launchHarnessBrowser();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  openPanel: async ({ harnessBrowser }, use, testInfo) => {
    const opened: { close(): Promise<void> }[] = [];
    let electronBinary: string | undefined;
    if (testInfo.project.name === 'electron') {
      const found = findElectronBinary();
      test.skip('reason' in found, 'reason' in found ? `electron project skipped: ${found.reason}` : '');
      if ('path' in found) electronBinary = found.path;
    }
    await use(async (demo = []) => {
      const panel = electronBinary ? await openElectronPanel(electronBinary, demo) : await openHarnessPanel(harnessBrowser!, demo);
      opened.push(panel);
      return panel.page;
    });
    for (const panel of opened.reverse()) await panel.close();
  },
});

export { expect } from '@playwright/test';
