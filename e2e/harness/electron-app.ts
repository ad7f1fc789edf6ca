// The electron project: the real demo app (examples/electron-demo) under a real Electron binary,
// demo sessions given through the environment variable its main process reads (never through the
// renderer API).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import type { DemoSessionSpec } from '../../examples/electron-demo/demo-sessions';
import { dist } from './repo-paths';

export interface ElectronPanel {
  page: Page;
  app: ElectronApplication;
  close(): Promise<void>;
}

export async function openElectronPanel(executablePath: string, demo: DemoSessionSpec[]): Promise<ElectronPanel> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-panel-electron-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const app = await _electron.launch({
    executablePath,
    args: [dist('examples', 'electron-demo', 'main.js')],
    env: { ...env, CODEX_HOME: path.join(home, 'codex-home'), CODEX_RUNNER_IPC_DEMO: JSON.stringify(demo) },
  });
  const page = await app.firstWindow();
  await page.setViewportSize({ width: 1200, height: 900 });
  return {
    page,
    app,
    async close() {
      await app.close();
      await fs.rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); // Windows: a runner's files may be released a moment after its exit
    },
  };
}
