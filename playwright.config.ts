// One config, two projects running the same specs (e2e/): the real Electron app where an Electron
// binary is installed, and the Chromium harness (real renderer, preload, handlers, sessions; only
// Electron's IPC transport stood in for) everywhere: Debian's Chromium on Linux, Edge on Windows.
import { defineConfig } from '@playwright/test';
import { findElectronBinary } from './e2e/harness/electron-binary';
import { findHarnessBrowser } from './e2e/harness/harness-browser';

// Print the skip reasons once (the config is also loaded in every worker).
for (const [project, found] of [['electron', findElectronBinary()], ['chromium-harness', findHarnessBrowser()]] as const) {
  if ('reason' in found && !process.env.TEST_WORKER_INDEX) console.log(`[${project} project] skipped: ${found.reason}`);
}

export default defineConfig({
  testDir: 'e2e',
  // Sessions start real processes; the machines are small. One worker, no retries hiding flakes.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // list: what scripts/test.mjs reads the counts from; html: the report CI keeps (never opened here).
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  outputDir: 'test-results/e2e',
  projects: [
    { name: 'chromium-harness' },
    { name: 'electron' },
  ],
});
