// A whole Session whose runner runs as another account, which Wine cannot do (its
// CreateProcessWithLogonW is a stub): the pipes made for user A, the project's runner materialized
// into <codexHome>/.sandbox-bin and launched as A through CreateProcessWithLogonW, A verified as the
// pipes' client, `whoami` run by that runner printing A. A wrong password fails at launching_runner
// with Windows' own text for error 1326.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundledRunnerScript, type RunnerSpec } from '../../../src/main/launch/runner-spec';
import { pipeSddl } from '../../../src/os/win32/named-pipe-pair';
import { describeWin32Error } from '../../../src/os/win32/win32-error';
import { Session, type SessionResult } from '../../../src/main/session/session';
import type { SessionConfig } from '../../../src/main/session/session-options';
import { randomPassword, type LocalUser } from './local-users';
import type { Stage } from './staging';
import { useThrowawayAccounts } from './throwaway-accounts';
import { windowsWithAccounts } from './windows-only';

const skip = windowsWithAccounts('the runner launched as another account with CreateProcessWithLogonW', "implements CreateProcessWithLogonW as a stub that always fails");
const WHOAMI = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'whoami.exe');

const accounts = useThrowawayAccounts(['s'], skip);

/**
 * The project's runner, run by the staged copy of node.exe (A may not read this machine's own), the
 * script materialized into the codex home (which A may read: the stage's DACL grants it).
 */
function runnerAsStaged(s: Stage): RunnerSpec {
  const script = bundledRunnerScript();
  return { exe: s.nodeExe, args: [script], materialize: script, kind: 'bundled' };
}

async function runAs(user: LocalUser, password: string, s: Stage, extra: Partial<SessionConfig> = {}): Promise<{ session: Session; result: SessionResult; stdout: string; stderr: string }> {
  const session = new Session({
    command: [WHOAMI],
    cwd: s.root,
    codexHome: s.codexHome,
    runner: runnerAsStaged(s),
    sandbox: { username: user.name, credentials: { password } },
    allowUnenforcedPolicy: true,
    // The first logon of a new account creates its profile: seconds, not milliseconds.
    connectTimeoutMs: 120_000,
    spawnReadyTimeoutMs: 60_000,
    ...extra,
  });
  let stdout = '';
  let stderr = '';
  session.stdout.on('data', (d: Buffer) => (stdout += d));
  session.stderr.on('data', (d: Buffer) => (stderr += d));
  await session.start();
  return { session, result: await session.exited, stdout, stderr };
}

test("a Session's runner runs as user A: whoami says A, the pipes admit only A's SID, A's runner is the verified client", { skip, timeout: 300_000 }, async () => {
  const { users: [a], stage: s } = accounts();
  const { session, result, stdout, stderr } = await runAs(a, a.password, s);
  assert.equal(result.error?.message, undefined, `session failed; stderr: ${stderr}`);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0]);
  // whoami prints <computer>\<user>, lower case.
  assert.ok(stdout.trim().toLowerCase().endsWith(`\\${a.name.toLowerCase()}`), `whoami printed ${JSON.stringify(stdout)}, not ...\\${a.name}`);
  const status = session.status();
  assert.equal(status.pipes.in?.access, pipeSddl(a.sid));
  assert.equal(status.pipes.out?.access, pipeSddl(a.sid));
  assert.equal(status.pipes.in?.clientPid, status.runnerPid);
  assert.equal(status.pipes.out?.clientPid, status.runnerPid);
  // The runner A ran is the copy in the codex home (materialization logs it), not the file beside
  // this package, which A may not be able to read.
  const copy = path.join(s.codexHome, '.sandbox-bin', path.basename(bundledRunnerScript()));
  assert.ok(existsSync(copy), `${copy} exists`);
  const log = readFileSync(path.join(s.codexHome, '.sandbox', 'sandbox.log'), 'utf8');
  assert.ok(log.includes(`-> ${copy}`) || log.includes(`reused ${copy}`), log);
  assert.deepEqual(
    status.stages.map((x) => x.stage),
    ['preparing', 'creating_pipes', 'launching_runner', 'connecting_in', 'connecting_out', 'verifying_client', 'spawn_sent', 'running', 'exited'],
  );
});

test('a wrong password fails the session at launching_runner with error 1326 and its text, pipes released', { skip, timeout: 300_000 }, async () => {
  const { users: [a], stage: s } = accounts();
  const { session, result } = await runAs(a, randomPassword(), s);
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'launching_runner');
  const text = describeWin32Error(1326);
  assert.ok(result.error!.message.endsWith(`failed: error 1326 (${text})`), result.error!.message);
  assert.match(result.error!.message, new RegExp(`could not be started as ${a.name}: CreateProcessWithLogonW\\(\\.\\\\${a.name}, `));
  assert.equal(session.status().runnerPid, undefined, 'no runner was started');
});
