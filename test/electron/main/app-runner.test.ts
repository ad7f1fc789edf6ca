import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { configureAppRunner, panelDir, preloadPath } from '../../../electron/main/app-runner';
import { bundledLauncherScript, bundledRunnerScript } from '../../../src/main/launch/runner-spec';
import { preloadBundle, rendererDir } from '../../../electron/main/app-paths';

test('unpacked, the app runs the built runner and its launcher', () => {
  const { runner, launcher } = configureAppRunner({ isPackaged: false });
  assert.equal(runner.kind, 'custom');
  const { spec } = runner;
  assert.equal(spec.args?.[0], bundledRunnerScript());
  assert.deepEqual(launcher, { script: bundledLauncherScript() });
  assert.equal(spec.materialize, bundledRunnerScript());
  assert.equal(spec.kind, 'bundled');
  assert.equal(preloadPath(), preloadBundle());
  assert.equal(panelDir(), rendererDir());
});

test('packaged, the runner is resources/runner/codex-command-runner.js, its launcher beside it', () => {
  const resources = path.join(path.sep, 'opt', 'app', 'resources');
  const { runner: { spec }, launcher } = configureAppRunner({ isPackaged: true, resourcesPath: resources });
  assert.equal(spec.args?.[0], path.join(resources, 'runner', 'codex-command-runner.js'));
  assert.equal(spec.materialize, spec.args?.[0]);
  assert.deepEqual(launcher, { script: path.join(resources, 'runner', 'codex-runner-launcher.js') });
});

test('packaged without a resources folder (not in Electron, none given) is refused, saying what to pass', () => {
  assert.equal((process as { resourcesPath?: string }).resourcesPath, undefined);
  assert.throws(() => configureAppRunner({ isPackaged: true }), { name: 'TypeError', message: /a packaged app needs its resources folder: pass resourcesPath/ });
});
