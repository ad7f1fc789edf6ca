// codex's sandbox setup under Wine, with the real Win32 calls and codex's real helper from the
// install as npm lays it out (scripts/wine/codex-install.sh): the elevation check, the
// ShellExecuteExW launch and wait (verb "open": Wine has no UAC, so "runas" itself is unverified
// here), setupSandbox on a fresh home ending with the helper's own setup_error.json code (the one
// codex.exe's own elevated attempt writes on this machine: Wine has no local groups), and sessions
// on that home failing with SandboxNotReadyError before anything is launched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isProcessElevated } from '../../src/os/win32/elevation';
import { shellApi, shellExecute, SHELLEXECUTEINFOW_SIZE } from '../../src/os/win32/elevated-launch';
import { quoteWindowsArg } from '../../src/os/win32/windows-command-line';
import { SandboxNotReadyError } from '../../src/main/codex/sandbox-setup/sandbox-not-ready-error';
import { runSandboxSetup, setupSandbox, windowsSetupPlatform, type SetupStage } from '../../src/main/codex/sandbox-setup/setup-sandbox';
import { SETUP_LOCK_FILE } from '../../src/main/codex/sandbox-setup/setup-lock';
import { SessionManager } from '../../src/main/session/session-manager';
import { npmCodexInstall } from '../helpers/codex-install';
import { readyHome } from './codex-oracle/homes';
import { processHandleCount, runningUnderWine, skipUnlessWindows } from './win32-test-support';

const skip = skipUnlessWindows;
/** Verb "runas": Wine starts the program without a prompt; on Windows it would ask (UAC), so only here. */
const skipUnlessWine = skip || (runningUnderWine() ? false : 'under Wine only: on Windows "runas" shows the UAC prompt');

function freshHome(t: { after(fn: () => void): void }): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'sandbox-setup-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  mkdirSync(home);
  return home;
}

test('the elevation check: CheckTokenMembership on BUILTIN\\Administrators (Wine runs as an administrator)', { skip }, () => {
  assert.equal(isProcessElevated(), true);
});

test('ShellExecuteExW through koffi .async: SHELLEXECUTEINFOW is 112 bytes, the process is waited for off the main thread, its exit code read, its handle closed', { skip }, async () => {
  assert.equal(shellApi().shellExecuteInfoSize, SHELLEXECUTEINFOW_SIZE);
  const before = processHandleCount();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  const started = await shellExecute({ verb: 'open', file: process.execPath, parameters: ['-e', quoteWindowsArg('setTimeout(() => process.exit(7), 300)')].join(' ') });
  const code = await started.exited;
  clearInterval(ticker);
  assert.equal(code, 7);
  assert.ok(ticks > 5, `the event loop ran while the process ran (${ticks} ticks)`);
  assert.equal(processHandleCount(), before, 'the process handle was closed');
  // A launch failure is a Win32Error with the call's code (Windows: 2; Wine, trying to show its
  // error dialog without a display: 1400), and leaves no handle behind.
  await assert.rejects(shellExecute({ verb: 'open', file: path.join(os.tmpdir(), 'no-such-program.exe'), parameters: '' }), (err: Error & { code?: number }) => {
    assert.match(err.message, /^ShellExecuteExW\(open, .*no-such-program\.exe\) failed: error \d+/);
    assert.ok(typeof err.code === 'number' && err.code !== 0, err.message);
    return true;
  });
  assert.equal(processHandleCount(), before);
});

test("setupSandbox on a fresh home runs codex's real helper from the npm install and ends with its own setup_error.json code", { skip, timeout: 120_000 }, async (t) => {
  const install = npmCodexInstall();
  const home = freshHome(t);
  const stages: SetupStage[] = [];
  const result = await setupSandbox({ codexHome: home, codexInstall: install.codexExe, onProgress: (s) => stages.push(s) });
  assert.equal(result.outcome, 'failed', JSON.stringify(result));
  // What codex.exe's own `sandbox -c windows.sandbox="elevated"` writes on this machine.
  assert.equal(result.code, 'helper_users_group_create_failed');
  assert.match(result.message!, /failed to create local group CodexSandboxUsers: LookupAccountNameW failed for CodexSandboxUsers: 1332/);
  assert.notEqual(result.readiness.state, 'ready');
  assert.deepEqual(stages, ['starting_helper', 'running_helper'], 'elevated: the helper ran directly');
  assert.equal(existsSync(path.join(home, SETUP_LOCK_FILE)), false);
});

test('not elevated: the same setup through ShellExecuteExW "runas" (Wine starts it without UAC) runs the real helper, waits for it and reads its code', { skip: skipUnlessWine, timeout: 120_000 }, async (t) => {
  const install = npmCodexInstall();
  const home = freshHome(t);
  const stages: SetupStage[] = [];
  const platform = { ...(await windowsSetupPlatform()), isElevated: () => false };
  const before = processHandleCount();
  const result = await runSandboxSetup({ codexHome: home, codexInstall: install.codexExe, onProgress: (s) => stages.push(s) }, platform);
  assert.deepEqual(stages, ['requesting_elevation', 'running_helper']);
  assert.deepEqual([result.outcome, result.code], ['failed', 'helper_users_group_create_failed'], JSON.stringify(result));
  assert.equal(processHandleCount(), before, "the helper's process handle was closed");
});

test('a session with runner codex on that home fails with SandboxNotReadyError before anything is launched; opted in, it runs setup first and carries its result', { skip, timeout: 120_000 }, async (t) => {
  const install = npmCodexInstall();
  const home = freshHome(t);
  const work = path.join(path.dirname(home), 'work');
  mkdirSync(work);
  const manager = new SessionManager();
  t.after(() => manager.dispose());

  const plain = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], runner: { kind: 'codex', codexHome: home }, cwd: work });
  const result = await plain.exited;
  assert.equal(result.state, 'failed');
  assert.ok(result.error instanceof SandboxNotReadyError, `${result.error?.name}: ${result.error?.message}`);
  assert.equal(result.error.code, 'sandbox_not_ready');
  assert.equal(result.error.readiness.state, 'not_configured');
  assert.match(result.error.message, /sandbox setup/);
  const stages = plain.status().stages.map((s) => s.stage);
  assert.deepEqual(stages, ['preparing', 'failed'], 'nothing was launched, no setup ran');
  assert.equal(existsSync(path.join(home, '.sandbox')), false, 'and nothing was written');

  const opted = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], runner: { kind: 'codex', codexHome: home, codexInstall: install.codexExe, autoSetupSandbox: true }, cwd: work });
  const after = await opted.exited;
  assert.ok(after.error instanceof SandboxNotReadyError, `${after.error?.name}: ${after.error?.message}`);
  assert.equal(after.error.setup?.code, 'helper_users_group_create_failed');
  assert.ok(opted.status().stages.some((s) => s.stage === 'setting_up_sandbox'));
  assert.ok(!opted.status().stages.some((s) => s.stage === 'launching_runner'));
});

test('the CLI: codex-runner-ipc sandbox setup --codex-install runs the real helper, prints its result as JSON and exits 1', { skip, timeout: 120_000 }, async (t) => {
  const { spawn } = await import('node:child_process');
  const install = npmCodexInstall();
  const home = freshHome(t);
  const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');
  const child = spawn(process.execPath, [bin, 'sandbox', 'setup', '--codex-home', home, '--codex-install', install.codexExe, '--json'], { windowsHide: true });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, stdout);
  const printed = JSON.parse(stdout) as { outcome: string; code: string; readiness: { state: string } };
  assert.deepEqual([printed.outcome, printed.code], ['failed', 'helper_users_group_create_failed']);
});

test('opted in, on a home whose sandbox accounts do not exist (account_missing): the users file is deleted before setup runs, as codex does', { skip, timeout: 120_000 }, async (t) => {
  const install = npmCodexInstall();
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'sandbox-setup-accounts-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const made = await readyHome(root, 'home', { accounts: { offline: 'CodexNoSuchOffline', online: 'CodexNoSuchOnline' } });
  const work = path.join(root, 'work');
  mkdirSync(work);
  const manager = new SessionManager();
  t.after(() => manager.dispose());
  const session = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], runner: { kind: 'codex', codexHome: made.home, codexInstall: install.codexExe, autoSetupSandbox: true }, cwd: work });
  const result = await session.exited;
  assert.ok(result.error instanceof SandboxNotReadyError, `${result.error?.name}: ${result.error?.message}`);
  assert.equal(result.error.setup?.code, 'helper_users_group_create_failed');
  assert.equal(existsSync(made.usersFile), false, 'the users file went before the setup');
});
