// `codex-runner-ipc sandbox setup` through the real bin: usage errors (exit 2), and off Windows the
// plain statement that codex's setup exists only there (exit 1). Under Wine it runs codex's real
// helper: test/win32/sandbox-setup.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseSandboxSetupArgs } from '../../src/cli/sandbox-setup-command';

const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');

test('arguments: --codex-home, --codex-install, --setup-helper made absolute; --json; anything else refused', () => {
  const a = parseSandboxSetupArgs(['--codex-home', 'h', '--codex-install', '/i/codex.exe', '--setup-helper', 's.exe', '--json']);
  assert.deepEqual(a, { codexHome: path.resolve('h'), codexInstall: '/i/codex.exe', setupHelper: path.resolve('s.exe'), json: true });
  assert.throws(() => parseSandboxSetupArgs(['--codex-home']), /--codex-home needs a value/);
  assert.throws(() => parseSandboxSetupArgs(['--elevate']), /unknown option "--elevate"/);
});

test('through the bin: a usage error exits 2 with the usage; off Windows setup exits 1 saying it is Windows-only', { skip: process.platform === 'win32' && 'off Windows only' }, () => {
  const bad = spawnSync(process.execPath, [bin, 'sandbox', 'setup', '--nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option "--nope"[\s\S]*usage: codex-runner-ipc sandbox setup/);
  const run = spawnSync(process.execPath, [bin, 'sandbox', 'setup', '--codex-home', '/tmp/nowhere-home'], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /codex's sandbox setup exists only on Windows \(this is linux\)/);
});
