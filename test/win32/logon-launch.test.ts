// Launching the runner as the sandbox user. Wine 8's CreateProcessWithLogonW is a stub (it logs
// the arguments it got and returns FALSE without an error code), so the success path runs only on
// real Windows; here: the failure is clear and leaves no handle behind, a Session with credentials
// fails at launching_runner having released its pipes, and the process watcher works on a real process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { launchRunnerAsUser } from '../../src/main/launch/win32/logon-launch';
import { watchProcessHandle } from '../../src/main/launch/win32/process-watch';
import { setErrorMode } from '../../src/os/win32/logon-process';
import { PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE, processApi, SYNCHRONIZE } from '../../src/os/win32/process-api';
import { RunnerLaunchError } from '../../src/main/launch/launch-runner';
import { Session } from '../../src/main/session/session';
import { currentUserName } from '../../src/os/win32/sid';
import { SecretText } from '../../src/main/codex/home/secret-text';
import { processHandleCount, runningUnderWine, skipUnlessWindows as skip } from './win32-test-support';

const secret = (text: string) => SecretText.fromUtf8(Buffer.from(text, 'utf8'));

const names = { in: '\\\\.\\pipe\\codex-runner-0-in', out: '\\\\.\\pipe\\codex-runner-0-out' };

test('a logon that fails gives a RunnerLaunchError naming the call, user and code, and leaks nothing', { skip }, async () => {
  const before = processHandleCount();
  const modeBefore = setErrorMode(0);
  setErrorMode(modeBefore);
  for (let i = 0; i < 20; i++) {
    await assert.rejects(
      launchRunnerAsUser({ exe: process.execPath, args: ['-e', '1', '--'] }, names, { username: 'codex-nobody', password: secret('wrong'), cwd: process.cwd() }),
      (err: unknown) => {
        assert.ok(err instanceof RunnerLaunchError, String(err));
        const why = runningUnderWine()
          ? 'failed without setting an error code' // Wine's stub
          : 'failed: error 1326 \\(.+\\)'; // Windows: unknown user name or bad password
        assert.match(err.message, new RegExp(`^runner .*node\\.exe could not be started as codex-nobody: CreateProcessWithLogonW\\(\\.\\\\codex-nobody, .*node\\.exe\\) ${why}$`));
        return true;
      },
    );
  }
  assert.equal(processHandleCount(), before);
  assert.equal(setErrorMode(modeBefore), modeBefore, 'the error mode is restored after the call');
});

test('bad launch options are refused before any call', { skip }, async () => {
  await assert.rejects(launchRunnerAsUser({ exe: process.execPath }, names, { username: '', password: secret('x'), cwd: 'C:\\' }), /sandbox username must be a non-empty string/);
  const wiped = secret('x');
  wiped.wipe();
  await assert.rejects(launchRunnerAsUser({ exe: process.execPath }, names, { username: 'u', password: wiped, cwd: 'C:\\' }), /the sandbox password must be a SecretText that is not wiped/);
  await assert.rejects(launchRunnerAsUser({ exe: 'C:\\a"b.exe' }, names, { username: 'u', password: secret('x'), cwd: 'C:\\' }), /program path .* must be non-empty and contain no quote/);
  await assert.rejects(
    launchRunnerAsUser({ exe: process.execPath, env: { 'A=B': '1' } }, names, { username: 'u', password: secret('x'), cwd: 'C:\\' }),
    /environment variable "A=B" cannot be passed to Windows/,
  );
});

test('an aborted logon stops the wait at once with the abort reason', { skip }, async () => {
  const abort = new AbortController();
  const launching = launchRunnerAsUser({ exe: process.execPath, args: ['-e', '1', '--'] }, names, { username: 'codex-nobody', password: secret('x'), cwd: process.cwd(), signal: abort.signal });
  abort.abort(new Error('session disposed'));
  await assert.rejects(launching, /^Error: session disposed$/);
});

test('a Session with credentials that cannot log on fails at launching_runner, pipes released', { skip, timeout: 60_000 }, async () => {
  const before = processHandleCount();
  const username = currentUserName(); // resolvable, so the pipes are made for it first
  const session = new Session({ command: [process.execPath, '-e', '1'], sandbox: { username, credentials: { password: 'definitely-wrong' } } });
  await session.start();
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'launching_runner');
  assert.match(result.error!.message, new RegExp(`could not be started as ${username}: CreateProcessWithLogonW\\(`));
  assert.equal(processHandleCount(), before);
});

test('a Session for an account that does not exist fails at creating_pipes, naming the lookup', { skip, timeout: 60_000 }, async () => {
  const session = new Session({ command: [process.execPath, '-e', '1'], sandbox: { username: 'codex-nobody', credentials: { password: 'x' } } });
  await session.start();
  const result = await session.exited;
  assert.equal(result.error?.stage, 'creating_pipes');
  assert.match(result.error!.message, /^LookupAccountNameW\(codex-nobody\) failed: error 1332 \(.+\)$/);
});

test('the process watcher reports the exit code of a real process and closes its handle', { skip, timeout: 60_000 }, async () => {
  const before = processHandleCount();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => process.exit(42), 300)'], { stdio: 'ignore' });
  const closed = once(child, 'close');
  await once(child, 'spawn');
  const handle = processApi().OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE, 0, child.pid!);
  assert.ok(handle > 0, 'OpenProcess');
  const watched = watchProcessHandle(handle, child.pid!);
  assert.equal(watched.exit(), undefined);
  // The watcher deliberately does not keep a process alive: the test holds its own loop open.
  const holdOpen = setInterval(() => {}, 1000);
  assert.deepEqual(await watched.exited, { code: 42, signal: null });
  clearInterval(holdOpen);
  assert.deepEqual(watched.exit(), { code: 42, signal: null });
  assert.equal(watched.stderrTail(), '');
  await closed;
  assert.equal(processHandleCount(), before);
});

test('kill() ends a real process with exit code 1 (TerminateProcess)', { skip, timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const closed = once(child, 'close');
  await once(child, 'spawn');
  const watched = watchProcessHandle(processApi().OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE, 0, child.pid!), child.pid!);
  watched.kill();
  watched.kill(); // idempotent
  assert.deepEqual(await watched.exited, { code: 1, signal: null });
  await closed;
});
