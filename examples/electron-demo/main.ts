// The demo app's entry (CommonJS: Playwright's Electron loader requires it). It is one user of the
// embedding API, as docs/electron.md shows it: one session manager, one panel window over it. It
// imports only what an app can: the package's "." and "./electron" entries (as source files here).
import { app } from 'electron';
import * as path from 'node:path';
import { SessionManager } from '../../src/main/index';
import { configureAppRunner, openRunnerPipesPanel, registerPanelScheme } from '../../electron/main/index';
import { startDemoSessions } from './demo-sessions';
import { launchPolicy } from './launch-policy';

registerPanelScheme();

async function main(): Promise<void> {
  // Decided before anything starts: a packaged app ignores demo sessions and has no DevTools.
  const policy = launchPolicy({ isPackaged: app.isPackaged, argv: process.argv, env: process.env });
  if (policy.refusal) {
    console.error(policy.refusal);
    return app.exit(1);
  }
  if (policy.notice) console.warn(policy.notice);
  await app.whenReady();
  const codexHome = process.env.CODEX_HOME ?? path.join(app.getPath('userData'), 'codex-home');
  const { runner, launcher } = configureAppRunner({ isPackaged: app.isPackaged });
  // The demo runs this package's runner, which cannot enforce a permission profile: it opts in
  // explicitly, and every card shows the policy as not enforced.
  // One warm runner per launch identity in use: a command starts at spawn_sent, not at a runner's start.
  const manager = new SessionManager({ defaults: { runner: { ...runner, codexHome, allowUnenforcedPolicy: true } }, launcher, warmRunners: 1 });
  // The embedding API's one call: the panel window with the IPC handlers registered for it (they
  // go when it closes, so the panel still shows the sessions ending while the app quits).
  openRunnerPipesPanel({ manager, devTools: policy.devTools });

  if (policy.demo) startDemoSessions(manager, policy.demo, { execPath: process.execPath, runAsNode: true, env: process.env, codexHome });

  let quitting = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting) return;
    // Sessions own processes and sockets: release them before the app goes.
    event.preventDefault();
    quitting = true;
    void manager.dispose().finally(() => app.quit());
  });
}

main().catch((err: unknown) => {
  console.error('codex-runner-ipc panel failed to start:', err);
  app.exit(1);
});
