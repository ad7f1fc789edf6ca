// The main process never acts on what a runner claims. A runner that reports process 1 as its
// command, or somebody else's process, and then fails: nothing but the runner the session launched
// (and the processes below it) is ever signalled.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { inspect } from 'node:util';
import { SessionManager } from '../../src/main/session/session-manager';
import { rogueRunner } from '../helpers/fixture-paths';
import { isAlive } from '../helpers/process-state';
import { assertNothingLeftBehind } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const manager = new SessionManager({ defaults: { timeouts: { connectMs: 5000, spawnReadyMs: 5000 }, advanced: { protocolVersion: 6 } } });
after(() => manager.dispose());

test('a runner claiming process 1 is refused by validation; nothing is signalled', async () => {
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('claims-pid-one') } });
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.message, 'bad data from runner: spawn_ready: field "process_id" must be an integer 2..4294967295, got number 1');
  assert.equal(session.status().childPid, undefined);
  await assertNothingLeftBehind(session);
});

test("a runner claiming somebody else's process, then dying: that process lives on", { skip: posixOnly('the victim is sleep') }, async () => {
  const victim = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
  try {
    const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: { ...rogueRunner('claims-victim'), env: { ROGUE_VICTIM: String(victim.pid) } } } });
    const result = await session.exited;
    assert.equal(result.state, 'failed');
    assert.match(result.error?.message ?? '', /^runner pid \d+ exited with code 13 before reporting the command's exit$/);
    assert.equal(session.status().childPid, victim.pid, 'shown as the runner said');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(isAlive(victim.pid), true, 'the claimed pid was never signalled');
  } finally {
    victim.kill('SIGKILL');
  }
});

test('a password is not kept once the launch is over: not in the status, the error, the events, or the session object', { skip: posixOnly('on Linux no logon can happen, so the launch fails; on Windows the account is looked up first (test/win32/logon-launch.test.ts)') }, async () => {
  const password = 'hunter2-do-not-keep';
  const events: unknown[] = [];
  const session = manager.start({ command: ['true'], sandbox: { username: 'someone', credentials: { password } } });
  session.on('update', () => events.push(session.status()));
  const result = await session.exited;
  // On Linux a logon cannot happen at all; the session fails at the launch, where Windows would log on.
  assert.equal(result.error?.stage, 'launching_runner');
  assert.equal(result.error?.message, 'a sandbox logon (CreateProcessWithLogonW) exists only on Windows');
  const everything = [JSON.stringify(session.status()), JSON.stringify(events), result.error?.message, inspect(session, { depth: 10, showHidden: true }), inspect(manager, { depth: 6 })].join('\n');
  assert.equal(everything.includes(password), false);
});
