// A CommonJS consumer of the installed tarball: every entry of the exports map, and a real session.
// Prints one "ok" line per check; throws (exit 1) at the first that fails.
const assert = require('node:assert/strict');
const { existsSync } = require('node:fs');
const path = require('node:path');
const { SessionManager, BUILTIN_PERMISSIONS, PROTOCOL_VERSIONS, runnerProtocol } = require('codex-runner-ipc');
const { configureAppRunner, preloadPath, panelDir, launcherScript } = require('codex-runner-ipc/electron/app-runner');
const { runnerPipesBuilderConfig } = require('codex-runner-ipc/electron-builder');

const ok = (what) => console.log(`ok   cjs: ${what}`);
const installed = path.dirname(require.resolve('codex-runner-ipc/package.json'));

async function main() {
  assert.deepEqual(BUILTIN_PERMISSIONS, ['read-only', 'workspace-write', 'full-access']);
  assert.equal(PROTOCOL_VERSIONS[0], 6);
  assert.equal(typeof runnerProtocol.FrameDecoder, 'function');
  ok('require("codex-runner-ipc") gives the session API, the permission and version names, runnerProtocol');

  for (const entry of ['codex-runner-ipc/preload', 'codex-runner-ipc/panel/index.html', 'codex-runner-ipc/panel/panel.css', 'codex-runner-ipc/panel/panel.bundle.js']) {
    assert.ok(existsSync(require.resolve(entry)), entry);
  }
  assert.equal(require.resolve('codex-runner-ipc/preload'), preloadPath());
  assert.ok(existsSync(path.join(panelDir(), 'index.html')));
  ok('the preload and panel entries resolve to files, the same ones preloadPath()/panelDir() give');

  assert.throws(() => require('codex-runner-ipc/dist/src/main/index.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  ok('deep imports outside the exports map are refused (ERR_PACKAGE_PATH_NOT_EXPORTED)');

  const fragment = runnerPipesBuilderConfig();
  for (const { from } of fragment.extraResources) assert.ok(existsSync(from), from);
  assert.deepEqual(fragment.extraResources.map((r) => r.to), ['runner/codex-command-runner.js', 'runner/codex-runner-launcher.js']);
  ok(`runnerPipesBuilderConfig() copies ${fragment.extraResources.map((r) => r.from).join(', ')} (they exist)`);

  const { runner, launcher } = configureAppRunner({ isPackaged: false });
  assert.equal(runner.args[0], path.join(installed, 'dist', 'runner', 'codex-command-runner.js'));
  assert.ok(existsSync(launcherScript(null)));
  assert.equal(launcher.script, launcherScript(null));
  const manager = new SessionManager({ defaults: { runner }, launcher });
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
    assert.equal(session.status().runner?.file, runner.args[0]);
  } finally {
    await manager.dispose();
  }
  ok('a session through configureAppRunner()\'s runner (the installed copy) exits 3 with its stdout and stderr; env: {...process.env, X: undefined} leaves X out');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
