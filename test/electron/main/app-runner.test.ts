import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { configureAppRunner, panelDir, preloadPath } from '../../../electron/main/app-runner';
import { configureRunnerLauncher } from '../../../src/main/launch/launch-runner';
import { bundledLauncherScript, bundledRunnerScript } from '../../../src/main/launch/runner-spec';
import { preloadBundle, rendererDir } from '../../../electron/main/app-paths';

test('unpacked, the app runs the built runner', () => {
  const spec = configureAppRunner({ isPackaged: false });
  assert.equal(spec.args?.[0], bundledRunnerScript());
  assert.equal(spec.materialize, bundledRunnerScript());
  assert.equal(spec.kind, 'bundled');
  assert.equal(preloadPath(), preloadBundle());
  assert.equal(panelDir(), rendererDir());
});

test('packaged, the runner is resources/runner/codex-command-runner.js', () => {
  const resources = path.join(path.sep, 'opt', 'app', 'resources');
  try {
    const spec = configureAppRunner({ isPackaged: true, resourcesPath: resources });
    assert.equal(spec.args?.[0], path.join(resources, 'runner', 'codex-command-runner.js'));
    assert.equal(spec.materialize, spec.args?.[0]);
  } finally {
    // The launcher setting is process-wide: this file's other tests launch nothing, but leave it as found.
    configureRunnerLauncher({ script: bundledLauncherScript() });
  }
});

test('packaged without a resources folder (not in Electron, none given) is refused, saying what to pass', () => {
  assert.equal((process as { resourcesPath?: string }).resourcesPath, undefined);
  assert.throws(() => configureAppRunner({ isPackaged: true }), { name: 'TypeError', message: /a packaged app needs its resources folder: pass resourcesPath/ });
});
