// An ES module consumer of the installed tarball: Node's ESM import of the CommonJS build gives
// named exports (cjs-module-lexer reads them), and import.meta.resolve follows the exports map.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SessionManager, SessionError, defaultRunnerSpec, isFinalStage } from 'codex-runner-ipc';
import { configureAppRunner, preloadPath } from 'codex-runner-ipc/electron/app-runner';
import { runnerPipesBuilderConfig, RECOMMENDED_FUSES } from 'codex-runner-ipc/electron-builder';

const ok = (what) => console.log(`ok   esm: ${what}`);

assert.equal(typeof SessionError, 'function');
assert.equal(typeof defaultRunnerSpec, 'function');
assert.equal(isFinalStage('exited'), true);
assert.equal(RECOMMENDED_FUSES.runAsNode, true);
assert.equal(typeof runnerPipesBuilderConfig, 'function');
ok('named imports from ".", "./electron/app-runner" and "./electron-builder"');

assert.equal(fileURLToPath(import.meta.resolve('codex-runner-ipc/preload')), preloadPath());
assert.ok(existsSync(fileURLToPath(import.meta.resolve('codex-runner-ipc/panel/panel.bundle.js'))));
ok('import.meta.resolve of the preload and panel entries');

const { runner, launcher } = configureAppRunner({ isPackaged: false });
const manager = new SessionManager({ defaults: { runner }, launcher });
try {
  const session = manager.start({ command: ['sh', '-c', 'read line; echo "got $line"'], stdinOpen: true });
  let stdout = '';
  session.stdout.on('data', (d) => (stdout += d));
  session.write('typed\n');
  session.closeStdin();
  const result = await session.exited;
  assert.equal(result.exitCode, 0);
  assert.equal(stdout, 'got typed\n');
} finally {
  await manager.dispose();
}
ok('a session with stdin: what was written came back on stdout');
