// One config, two projects running the same specs (e2e/): the real Electron app where an Electron
// binary is installed, and the Chromium harness (real renderer, preload, handlers, sessions; only
// Electron's IPC transport stood in for) everywhere.
import { defineConfig } from '@playwright/test';
import { findElectronBinary } from './e2e/harness/electron-binary';

const electronBinary = findElectronBinary();
// Print the skip reason once (the config is also loaded in every worker).
if ('reason' in electronBinary && !process.env.TEST_WORKER_INDEX) console.log(`[electron project] skipped: ${electronBinary.reason}`);

export default defineConfig({
  testDir: 'e2e',
  // Sessions start real processes; the machines are small. One worker, no retries hiding flakes.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  projects: [
    { name: 'chromium-harness' },
    { name: 'electron' },
  ],
});
