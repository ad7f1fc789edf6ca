// codex's real runner (0.171.0) under Wine: a missing cwd is named as the missing directory, not
// as "runner ... not found" (codex's runner starts in the command's cwd, so the launch itself
// failed with ENOENT); and timeoutMs 0, which codex's runner takes as "time out at once" (exit 192),
// is refused before anything starts. Through the CLI and the session API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { RunnerStarter } from '../../../src/main/launch/launch-runner';
import { SessionManager } from '../../../src/main/session/session-manager';
import { capSidFile } from '../../../src/main/codex/sandbox-prep/cap-sid-file';
import { codexRelease } from '../../helpers/codex-releases';
import { runCli } from '../../helpers/run-cli';
import { skipUnlessWindows as skip } from '../win32-test-support';
import { realCodexHome, realRunnerOptions } from './real-runner-options';


test("codex 0.171.0: run --runner codex --cwd <missing> exits 125 naming the directory, not the runner", { skip, timeout: 120_000 }, async (t) => {
  const codex = realCodexHome(codexRelease('0.171.0'));
  t.after(() => codex.remove());
  const missing = path.join(codex.work, 'no-such-dir');
  const { code, stderr } = await runCli(['run', '--runner', 'codex', '--codex-home', codex.home, '--sandbox', 'current', '--no-sandbox-refresh', '--cwd', missing, '--', 'cmd.exe', '/d', '/c', 'echo hi']);
  assert.equal(code, 125, stderr);
  assert.ok(stderr.includes(`working directory ${missing} does not exist`), stderr);
  assert.ok(!/not found/.test(stderr), stderr);
  assert.equal(existsSync(capSidFile(codex.home)), false, 'no SID was made for a directory that is not there');
});

test("codex 0.171.0: a session with a missing cwd fails in preparing naming it; one whose cwd goes after the check is told apart at launch", { skip, timeout: 120_000 }, async (t) => {
  const codex = realCodexHome(codexRelease('0.171.0'));
  t.after(() => codex.remove());
  const manager = new SessionManager({ defaults: realRunnerOptions(codex) });
  t.after(() => manager.dispose());
  const missing = path.join(codex.work, 'no-such-dir');
  const session = manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], cwd: missing });
  const result = await session.exited;
  assert.deepEqual([result.state, result.error?.stage, result.error?.message], ['failed', 'preparing', `working directory ${missing} does not exist`]);
  assert.equal(session.status().runnerPid, undefined);
  // The launch itself (the direct spawn on Windows) with codex's runner in a cwd that is gone.
  const runners = new RunnerStarter();
  t.after(() => runners.dispose());
  await assert.rejects(runners.launch({ exe: codex.runner, kind: 'codex' }, { in: '\\\\.\\pipe\\none-in', out: '\\\\.\\pipe\\none-out' }, missing), {
    name: 'RunnerLaunchError',
    message: `runner ${codex.runner} could not be started: its working directory ${missing} does not exist`,
  });
});

test("codex 0.171.0: timeoutMs 0 is refused before anything starts (codex's runner would end the command at once)", { skip, timeout: 120_000 }, async (t) => {
  const codex = realCodexHome(codexRelease('0.171.0'));
  t.after(() => codex.remove());
  const manager = new SessionManager({ defaults: realRunnerOptions(codex) });
  t.after(() => manager.dispose());
  assert.throws(() => manager.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], timeoutMs: 0 }), {
    name: 'TypeError',
    message: 'session option "timeoutMs" must be an integer 1..2147483647, or null (or left out) for no timeout, got number 0',
  });
  assert.deepEqual(manager.list(), []);
  // The meaning left: a positive timeout, enforced by codex's runner (192, timedOut).
  const session = manager.start({ command: ['cmd.exe', '/d', '/c', 'ping -n 30 127.0.0.1 >NUL'], timeoutMs: 1500 });
  session.stdout.resume();
  session.stderr.resume();
  const result = await session.exited;
  assert.deepEqual([result.state, result.exitCode, result.timedOut], ['exited', 192, true], result.error?.message);
});
