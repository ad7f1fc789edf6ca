import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { bundledLauncherScript, bundledRunnerScript } from '../../../src/main/launch/runner-spec';
import { launcherScript, preloadBundle, rendererDir, runnerScript } from '../../../electron/main/app-paths';

test('packaged, the runner and its launcher are extraResources under resourcesPath', () => {
  assert.equal(runnerScript({ resourcesPath: path.join('/opt', 'app', 'resources') }), path.join('/opt', 'app', 'resources', 'runner', 'codex-command-runner.js'));
  assert.equal(launcherScript({ resourcesPath: path.join('/opt', 'app', 'resources') }), path.join('/opt', 'app', 'resources', 'runner', 'codex-runner-launcher.js'));
});

test('unpacked, the paths are the built files in dist/', () => {
  assert.equal(runnerScript(null), bundledRunnerScript());
  assert.ok(existsSync(runnerScript(null)), runnerScript(null));
  assert.equal(launcherScript(null), bundledLauncherScript());
  assert.ok(existsSync(launcherScript(null)), launcherScript(null));
  assert.ok(existsSync(preloadBundle()), preloadBundle());
  assert.ok(existsSync(path.join(rendererDir(), 'index.html')));
  assert.ok(existsSync(path.join(rendererDir(), 'panel.bundle.js')));
});
