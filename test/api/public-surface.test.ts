// The public surface is a checked-in list (public-surface.txt): changing what an entry exports,
// or the kind of a name, is a visible diff in review. Built files are read (npm run build first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { declaredExports, publicSurface, REPO } from './surface';

const LISTED = path.join(REPO, 'test', 'api', 'public-surface.txt');

test('every entry of the exports map exports exactly the listed names, kinds and run-time values', () => {
  const now = publicSurface();
  if (process.env.UPDATE_SURFACE === '1') writeFileSync(LISTED, now);
  assert.equal(now, readFileSync(LISTED, 'utf8'), 'the public surface changed: if meant, regenerate test/api/public-surface.txt (UPDATE_SURFACE=1) and commit the diff');
});

test('"." stays small: 15-25 names, no internal seams', () => {
  const names = [...declaredExports(path.join(REPO, 'dist', 'src', 'main', 'index.d.ts')).keys()];
  assert.ok(names.length >= 15 && names.length <= 25, `"." exports ${names.length} names: ${names.join(', ')}`);
  for (const internal of ['createRunnerPipePair', 'materializeRunner', 'sandboxBinDir', 'runnerLauncherPid', 'configureRunnerLauncher', 'loadSandboxLogon', 'SecretText', 'runnerProtocol', 'canonicalBase64', 'v1PolicyPreset']) {
    assert.ok(!names.includes(internal), `"." exports the internal ${internal}`);
  }
});

test('the declarations reader follows re-exports and sees type-only exports', () => {
  const dir = path.join(REPO, 'dist', 'src', 'main');
  const core = declaredExports(path.join(dir, 'index.d.ts'));
  assert.deepEqual(core.get('SessionManager'), { kind: 'class', typeOnly: false });
  assert.deepEqual(core.get('Session'), { kind: 'class', typeOnly: true });
  assert.deepEqual(core.get('SessionOptions'), { kind: 'interface', typeOnly: true });
  assert.deepEqual(core.get('RunnerChoice'), { kind: 'type', typeOnly: true });
  assert.deepEqual(core.get('sandboxReadiness'), { kind: 'function', typeOnly: false });
});
