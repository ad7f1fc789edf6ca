// The codex install the set-up lays out as `npm install -g @openai/codex` does on Windows: npm's own
// shim (codex.cmd) runs the main package's bin/codex.js with node, which finds the platform package
// by its alias (require.resolve('@openai/codex-win32-x64/package.json')) and starts codex.exe from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { npmCodexInstall } from '../../helpers/codex-install';
import { runningUnderWine, skipUnlessWindows as skip } from '../win32-test-support';
import { runWithCodexHome } from './codex-exe';

test('codex.exe from the platform package prints its release', { skip }, async () => {
  const install = npmCodexInstall();
  const home = mkdtempSync(path.join(tmpdir(), 'codex-oracle-version-'));
  try {
    const run = await runWithCodexHome(install.codexExe, ['--version'], home);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `codex-cli ${install.release}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('bin/codex.js, as npm\'s shims run it with node, finds the platform package by its alias and runs its codex.exe', { skip }, async () => {
  const install = npmCodexInstall();
  const pkg = JSON.parse(readFileSync(path.join(install.mainPackage, 'package.json'), 'utf8')) as { bin: Record<string, string>; optionalDependencies: Record<string, string> };
  assert.equal(pkg.bin.codex, 'bin/codex.js');
  assert.equal(pkg.optionalDependencies['@openai/codex-win32-x64'], `npm:@openai/codex@${install.release}-win32-x64`);
  // npm's cmd-shim: the .cmd runs node (beside it, else on PATH) on the package's bin, with the arguments.
  assert.match(readFileSync(install.shims.cmd, 'utf8'), /"%_prog%" {2}"%dp0%\\node_modules\\@openai\\codex\\bin\\codex\.js" %\*\r\n$/);
  const home = mkdtempSync(path.join(tmpdir(), 'codex-oracle-shim-'));
  try {
    const run = await runWithCodexHome(process.execPath, [install.codexJs, '--version'], home);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `codex-cli ${install.release}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

// Wine's cmd.exe ends a batch at `goto` to a missing label instead of running the `|| ...` after it,
// which npm's .cmd shims rely on (measured: `codex.cmd --version` prints nothing there). Windows only.
const underWine = process.platform === 'win32' && runningUnderWine();
test('the `codex` command on PATH through npm\'s codex.cmd prints the same release', { skip: skip || (underWine && "Windows only: Wine's cmd.exe does not run the `goto ... || ...` line of npm's shims") }, async () => {
  const install = npmCodexInstall();
  const home = mkdtempSync(path.join(tmpdir(), 'codex-oracle-cmd-'));
  try {
    const pathKey = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
    const run = await runWithCodexHome(process.env.ComSpec ?? 'cmd.exe', ['/d', '/c', 'codex', '--version'], home, {
      [pathKey]: [install.prefix, path.dirname(process.execPath), process.env[pathKey] ?? ''].join(path.delimiter),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `codex-cli ${install.release}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
