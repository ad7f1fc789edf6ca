// A CommonJS consumer of the installed tarball: every entry of the exports map, and a real session.
// Prints one "ok" line per check; throws (exit 1) at the first that fails.
const assert = require('node:assert/strict');
const { existsSync } = require('node:fs');
const path = require('node:path');
const core = require('codex-runner-ipc');
const { SessionManager } = core;
const { runnerPipesBuilderConfig } = require('codex-runner-ipc/electron-builder');

const ok = (what) => console.log(`ok   cjs: ${what}`);
const installed = path.dirname(require.resolve('codex-runner-ipc/package.json'));

async function main() {
  // The whole list, kinds included, is test/api/public-surface.txt; here: what an app calls is there, internals are not.
  for (const name of ['SessionManager', 'SessionError', 'SandboxNotReadyError', 'CodexHomeError', 'CodexInstallError', 'sandboxReadiness', 'setupSandbox', 'findCodexRunner', 'findCodexInstall']) {
    assert.equal(typeof core[name], 'function', name);
  }
  for (const name of ['runnerProtocol', 'createRunnerPipePair', 'materializeRunner', 'runnerLauncherPid', 'loadSandboxLogon', 'SecretText']) assert.equal(core[name], undefined, name);
  ok('require("codex-runner-ipc") gives the session API, the errors, readiness, setup and runner discovery; no internals');

  // "./electron" needs Electron to load (it imports `electron`): resolved here, not required.
  assert.equal(require.resolve('codex-runner-ipc/electron'), path.join(installed, 'dist', 'electron', 'main', 'index.js'));
  // The panel's preload and files are found by openRunnerPipesPanel inside the package, never imported by the app.
  for (const file of ['dist/electron/preload/preload.bundle.js', 'dist/renderer/index.html', 'dist/renderer/panel.css', 'dist/renderer/panel.bundle.js']) {
    assert.ok(existsSync(path.join(installed, file)), file);
  }
  ok('"./electron" resolves to the built entry; the panel\'s preload and files are in the package');

  for (const deep of ['codex-runner-ipc/dist/src/main/index.js', 'codex-runner-ipc/electron/app-runner', 'codex-runner-ipc/preload', 'codex-runner-ipc/panel/index.html']) {
    assert.throws(() => require(deep), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }, deep);
  }
  ok('deep imports outside the exports map are refused (ERR_PACKAGE_PATH_NOT_EXPORTED), the panel\'s files included');

  const fragment = runnerPipesBuilderConfig();
  for (const { from } of fragment.extraResources) assert.ok(existsSync(from), from);
  assert.deepEqual(fragment.extraResources.map((r) => r.to), ['runner/codex-command-runner.js', 'runner/codex-runner-launcher.js']);
  ok(`runnerPipesBuilderConfig() copies ${fragment.extraResources.map((r) => r.from).join(', ')} (they exist)`);

  // Unpacked, an app's runner (configureAppRunner) is the installed package's own: the default.
  const runnerFile = path.join(installed, 'dist', 'runner', 'codex-command-runner.js');
  assert.ok(existsSync(path.join(installed, 'dist', 'runner', 'codex-runner-launcher.js')));
  const manager = new SessionManager();
  try {
    const session = manager.start({
      command: ['sh', '-c', 'echo "out $CONSUMER_SET[$CONSUMER_UNSET]"; echo err >&2; exit 3'],
      env: { ...process.env, CONSUMER_SET: 'yes', CONSUMER_UNSET: undefined },
    });
    const chunks = { stdout: '', stderr: '' };
    session.onData((data, stream) => (chunks[stream] += data));
    const result = await session.exited;
    assert.equal(result.state, 'exited');
    assert.equal(result.exitCode, 3);
    assert.deepEqual(chunks, { stdout: 'out yes[]\n', stderr: 'err\n' });
    assert.equal(session.status().runner?.file, runnerFile);
  } finally {
    await manager.dispose();
  }
  ok('a session through the installed copy of the runner exits 3 with its stdout and stderr; env: {...process.env, X: undefined} leaves X out');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
