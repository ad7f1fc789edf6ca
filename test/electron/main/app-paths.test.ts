import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { bundledRunnerScript } from '../../../src/launch/runner-spec';
import { preloadBundle, rendererDir, runnerScript } from '../../../electron/main/app-paths';

test('packaged, the runner is the extraResource under resourcesPath', () => {
  assert.equal(runnerScript({ resourcesPath: path.join('/opt', 'app', 'resources') }), path.join('/opt', 'app', 'resources', 'runner', 'codex-command-runner.js'));
});

test('unpacked, the paths are the built files in dist/', () => {
  assert.equal(runnerScript(null), bundledRunnerScript());
  assert.ok(existsSync(runnerScript(null)), runnerScript(null));
  assert.ok(existsSync(preloadBundle()), preloadBundle());
  assert.ok(existsSync(path.join(rendererDir(), 'index.html')));
  assert.ok(existsSync(path.join(rendererDir(), 'panel.bundle.js')));
});
