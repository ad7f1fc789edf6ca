// `codex-runner-ipc sandbox setup`, parsed with the other commands (cli-args.ts): --flag=value,
// --help, usage errors (exit 2) through the real bin, and off Windows the plain statement that
// codex's setup exists only there (exit 1). Under Wine it runs codex's real helper:
// test/win32/codex-oracle/first-run.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseCliArgs } from '../../src/cli/cli-args';

const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');

test('arguments: --codex-home, --codex-install, --setup-helper (also as --flag=value); --json; --help; anything else refused', () => {
  const a = parseCliArgs(['sandbox', 'setup', '--codex-home', 'h', '--codex-install=/i/codex.exe', '--setup-helper=s.exe', '--json']);
  assert.deepEqual(a, { kind: 'sandbox-setup', args: { codexHome: 'h', codexInstall: '/i/codex.exe', setupHelper: 's.exe', json: true } });
  assert.deepEqual(parseCliArgs(['sandbox', 'setup']), { kind: 'sandbox-setup', args: { json: false } });
  assert.deepEqual(parseCliArgs(['sandbox', 'setup', '--help']), { kind: 'help' });
  assert.deepEqual(parseCliArgs(['sandbox', 'setup', '-h']), { kind: 'help' });
  assert.throws(() => parseCliArgs(['sandbox', 'setup', '--codex-home']), /--codex-home needs a value/);
  assert.throws(() => parseCliArgs(['sandbox', 'setup', '--codex-home=']), /--codex-home needs a value/);
  assert.throws(() => parseCliArgs(['sandbox', 'setup', '--json=yes']), /--json takes no value/);
  assert.throws(() => parseCliArgs(['sandbox', 'setup', '--elevate']), /unknown sandbox setup option --elevate/);
  assert.throws(() => parseCliArgs(['sandbox', 'status', '--setup-helper', 's.exe']), /unknown sandbox status option --setup-helper/);
  assert.throws(() => parseCliArgs(['sandbox', 'frobnicate']), /unknown sandbox command "frobnicate" \(status, setup\)/);
  assert.throws(() => parseCliArgs(['sandbox']), /unknown sandbox command "" \(status, setup\)/);
});

test('through the bin: a usage error exits 2 with the usage; --help exits 0; off Windows setup exits 1 saying it is Windows-only', { skip: process.platform === 'win32' && 'off Windows only' }, () => {
  const bad = spawnSync(process.execPath, [bin, 'sandbox', 'setup', '--nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown sandbox setup option --nope[\s\S]*codex-runner-ipc sandbox setup \[--codex-home DIR\]/);
  const help = spawnSync(process.execPath, [bin, 'sandbox', 'setup', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /sandbox setup: runs codex's own setup helper/);
  const run = spawnSync(process.execPath, [bin, 'sandbox', 'setup', '--codex-home=/tmp/nowhere-home'], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /codex's sandbox setup exists only on Windows \(this is linux\)/);
});
