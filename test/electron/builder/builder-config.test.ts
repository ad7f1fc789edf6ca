import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RECOMMENDED_FUSES, runnerPipesBuilderConfig } from '../../../electron/builder/builder-config';
import { bundledLauncherScript, bundledRunnerScript } from '../../../src/main/launch/runner-spec';

// js-yaml ships no types of its own; this is the one call used.
const yaml = require('js-yaml') as { load(text: string): unknown };
const repo = path.resolve(__dirname, '..', '..', '..', '..');

test('the fragment copies the built runner and launcher to resources/runner/, relative to the project', () => {
  const fragment = runnerPipesBuilderConfig({ projectDir: repo });
  assert.deepEqual(fragment.extraResources, [
    { from: 'dist/runner/codex-command-runner.js', to: 'runner/codex-command-runner.js' },
    { from: 'dist/runner/codex-runner-launcher.js', to: 'runner/codex-runner-launcher.js' },
  ]);
  for (const { from } of fragment.extraResources) assert.ok(existsSync(path.join(repo, from)), from);
  assert.equal(path.resolve(repo, fragment.extraResources[0]!.from), bundledRunnerScript());
  assert.equal(path.resolve(repo, fragment.extraResources[1]!.from), bundledLauncherScript());
});

test('from another project folder the paths are relative to it, with forward slashes', () => {
  const elsewhere = path.join(repo, 'some', 'app');
  const fragment = runnerPipesBuilderConfig({ projectDir: elsewhere });
  assert.equal(fragment.extraResources[0]!.from, '../../dist/runner/codex-command-runner.js');
  assert.equal(path.resolve(elsewhere, fragment.extraResources[0]!.from), bundledRunnerScript());
});

test('the fragment says what this repo\'s own app config says: unpacked koffi, no rebuild, the same fuses', () => {
  const own = yaml.load(readFileSync(path.join(repo, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  const fragment = runnerPipesBuilderConfig({ projectDir: repo });
  assert.deepEqual(fragment.asarUnpack, own.asarUnpack);
  assert.equal(fragment.npmRebuild, own.npmRebuild);
  assert.deepEqual(fragment.electronFuses, own.electronFuses);
  assert.deepEqual(fragment.extraResources, own.extraResources);
  assert.equal(RECOMMENDED_FUSES.runAsNode, true);
});

test('each call returns its own objects: an app editing its copy changes no other', () => {
  const a = runnerPipesBuilderConfig();
  a.electronFuses.enableCookieEncryption = false;
  a.asarUnpack.push('extra/**');
  const b = runnerPipesBuilderConfig();
  assert.equal(b.electronFuses.enableCookieEncryption, true);
  assert.ok(!b.asarUnpack.includes('extra/**'));
});
