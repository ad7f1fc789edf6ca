// How a command ended: exited, killed by a signal, terminated from here, timed out, or the session
// failed; in the result, the status, --status and what a runner may claim about it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatus } from '../../src/cli/format-status';
import { toRunnerMessage } from '../../src/protocol/messages';
import { commandEnd } from '../../src/main/session/end-reason';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner, ROGUE_RUNNER } from '../helpers/fixture-paths';
import { OutputWatch } from '../helpers/output-watch';
import { posixOnly } from '../helpers/platform';
import { assertNothingLeftBehind, collect } from '../helpers/sessions';
import type { Session } from '../../src/main/session/session';

const skip = posixOnly('the commands are sh and its kill builtin; signals are POSIX');

const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
after(() => manager.dispose());

/** A runner that runs nothing and reports the exit payload it is given. */
const claimingRunner = (payload: object) => ({ exe: process.execPath, args: [ROGUE_RUNNER, 'exit-as-told', `--exit-payload=${JSON.stringify(payload)}`] });

function printed(session: Session, pattern: RegExp): Promise<RegExpMatchArray> {
  const watch = new OutputWatch();
  session.stdout.on('data', (d: Buffer) => watch.append(d));
  void session.exited.then(() => watch.end('the session ended'));
  return watch.waitFor(pattern);
}

test('the rules: a timeout and a stop asked from here come first, a failure next, then the signal', () => {
  const none = { failed: false, backstopTimedOut: false, stopRequested: false };
  assert.deepEqual(commandEnd({ ...none, exitReport: { timedOut: false } }), { endReason: 'exited' });
  assert.deepEqual(commandEnd({ ...none, exitReport: { timedOut: false, signal: 'SIGSEGV' } }), { endReason: 'signaled', signal: 'SIGSEGV' });
  assert.deepEqual(commandEnd({ ...none, exitReport: { timedOut: true, signal: 'SIGTERM' } }), { endReason: 'timed_out', signal: 'SIGTERM' });
  assert.deepEqual(commandEnd({ ...none, stopRequested: true, exitReport: { timedOut: false, signal: 'SIGKILL' } }), { endReason: 'terminated', signal: 'SIGKILL' });
  assert.deepEqual(commandEnd({ ...none, stopRequested: true, exitReport: { timedOut: false } }), { endReason: 'terminated' });
  assert.deepEqual(commandEnd({ ...none, failed: true }), { endReason: 'failed' });
  assert.deepEqual(commandEnd({ ...none, failed: true, stopRequested: true }), { endReason: 'terminated' });
  assert.deepEqual(commandEnd({ ...none, failed: true, backstopTimedOut: true }), { endReason: 'timed_out' });
  // A failed session's exit report (if any) is not used: its signal is not claimed.
  assert.deepEqual(commandEnd({ ...none, failed: true, exitReport: { timedOut: false, signal: 'SIGTERM' } }), { endReason: 'failed' });
});

test("the exit frame: codex's shape as it is, our runner's optional signal by name, anything else refused", () => {
  const exit = (payload: object) => toRunnerMessage({ version: 6, type: 'exit', payload }, 6);
  assert.deepEqual(exit({ exit_code: 1, timed_out: false }).payload, { exit_code: 1, timed_out: false });
  assert.deepEqual(exit({ exit_code: 143, timed_out: false, signal: 'SIGTERM' }).payload, { exit_code: 143, timed_out: false, signal: 'SIGTERM' });
  assert.throws(() => exit({ exit_code: 0, timed_out: false, signal: 'SIGVERYLONGNAMEXX' }), /^ProtocolError: exit: field "signal" must be a signal name such as "SIGTERM", got "SIGVERYLONGNAMEXX"$/);
  assert.throws(() => exit({ exit_code: 0, timed_out: false, signal: 9 }), /^ProtocolError: exit: field "signal" must be a signal name such as "SIGTERM", got number 9$/);
});

test('a command killed by a signal it did not get from us: signaled, the signal named, the code as the runner gave it', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'kill -KILL $$'] });
  const { result } = await collect(session);
  assert.deepEqual(result, { state: 'exited', exitCode: 137, timedOut: false, endReason: 'signaled', signal: 'SIGKILL' });
  const status = session.status();
  assert.equal(status.endReason, 'signaled');
  assert.equal(status.signal, 'SIGKILL');
  assert.match(formatStatus(status), /^session \S+: killed by SIGKILL \(exit code 137\)\n/);
  await assertNothingLeftBehind(session);
});

test('a shell exiting 143 by itself is exited with code 143: nothing is inferred from the code', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'exit 143'] });
  const { result } = await collect(session);
  assert.deepEqual(result, { state: 'exited', exitCode: 143, timedOut: false, endReason: 'exited' });
  assert.equal(session.status().signal, undefined);
  assert.match(formatStatus(session.status()), /^session \S+: exited with code 143\n/);
});

test('terminate: terminated, with the signal that ended the command, and the runner\'s exit code kept', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'echo ready; exec sleep 1000'] });
  await printed(session, /ready/);
  session.terminate();
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 1, timedOut: false, endReason: 'terminated', signal: 'SIGTERM' });
  assert.match(formatStatus(session.status()), /^session \S+: terminated \(exit code 1, ended by SIGTERM\)\n/);
  await assertNothingLeftBehind(session);
});

test('terminate of a command that catches SIGTERM and exits: terminated, no signal', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', "trap 'exit 5' TERM; echo ready; while :; do sleep 0.1; done"] });
  await printed(session, /ready/);
  session.terminate();
  const result = await session.exited;
  assert.equal(result.endReason, 'terminated');
  assert.equal(result.signal, undefined);
  assert.equal(result.exitCode, 1); // upstream's runners report 1 for a terminated command; so does ours
});

test('terminate before the command runs: the session fails, terminated', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'exit 0'] });
  session.terminate();
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.endReason, 'terminated');
  assert.match(formatStatus(session.status()), /^session \S+: failed during \S+ \(terminated\)\n/);
});

test('dispose of a running command: terminated; a timeout: timed_out with its signal', { skip }, async () => {
  const disposed = manager.start({ command: ['sh', '-c', 'echo ready; exec sleep 1000'] });
  await printed(disposed, /ready/);
  const result = await disposed.dispose();
  assert.equal(result.state, 'failed');
  assert.equal(result.endReason, 'terminated');

  const timed = manager.start({ command: ['sh', '-c', 'exec sleep 1000'], timeoutMs: 300 });
  assert.deepEqual(await timed.exited, { state: 'exited', exitCode: 192, timedOut: true, endReason: 'timed_out', signal: 'SIGTERM' });
  assert.match(formatStatus(timed.status()), /^session \S+: timed out \(exit code 192, ended by SIGTERM\)\n/);
});

test("codex's exit frame (no signal field): a code of 137 stays exited, nothing inferred", { skip }, async () => {
  const session = manager.start({ command: ['x'], runner: { kind: 'custom', spec: claimingRunner({ exit_code: 137, timed_out: false }) } });
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 137, timedOut: false, endReason: 'exited' }, result.error?.message);
});

test("a runner's signal is reported as it says, never acted on; a malformed one is a clear error", { skip }, async () => {
  const claimed = manager.start({ command: ['x'], runner: { kind: 'custom', spec: claimingRunner({ exit_code: 0, timed_out: false, signal: 'SIGHUP' }) } });
  assert.deepEqual(await claimed.exited, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'signaled', signal: 'SIGHUP' });

  for (const signal of ['sigterm', 'SIG', 'SIGTERM; rm -rf /', 15, null]) {
    const bad = manager.start({ command: ['x'], runner: { kind: 'custom', spec: claimingRunner({ exit_code: 0, timed_out: false, signal }) } });
    const result = await bad.exited;
    assert.equal(result.state, 'failed', `signal ${JSON.stringify(signal)}`);
    assert.equal(result.endReason, 'failed');
    assert.equal(result.signal, undefined);
    assert.match(result.error?.message ?? '', /bad data from runner: exit: field "signal" must be a signal name such as "SIGTERM", got /);
    await assertNothingLeftBehind(bad);
  }
});
