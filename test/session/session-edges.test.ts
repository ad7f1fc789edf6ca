// Ways a session used to hang or mislead: a destroyed output stream, a write after closeStdin, a
// runner killed mid-frame, a terminal whose stdin is closed, a consumer's listener that throws.
// Real runner, real sockets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { pipeline, Writable } from 'node:stream';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { assertNothingLeftBehind, collect, whenRunning } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('the commands are sh, yes, head and cat, and the runner is killed with SIGKILL');

const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
after(() => manager.dispose());

test('a destroyed stdout discards what follows instead of stalling the command', { skip }, async () => {
  const flood = manager.start({ command: ['sh', '-c', 'yes | head -c 5000000; echo done >&2'] });
  flood.stdout.destroy();
  let err = '';
  flood.stderr.on('data', (d: Buffer) => (err += d));
  assert.deepEqual(await flood.exited, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
  assert.equal(err, 'done\n');
  assert.equal(flood.status().traffic.stdout.bytes, 5_000_000, 'the output was still read and counted');
  await assertNothingLeftBehind(flood);

  const small = manager.start({ command: ['sh', '-c', 'echo hi; exit 4'] });
  small.stdout.destroy();
  small.stderr.destroy();
  assert.deepEqual(await small.exited, { state: 'exited', exitCode: 4, timedOut: false, endReason: 'exited' });
});

test('stream.pipeline into a destination that fails: the session still ends with the exit code', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'yes | head -c 3000000; exit 6'] });
  const failing = new Writable({ write: (_chunk, _enc, done) => done(new Error('disk full')) });
  const piped = new Promise<Error | undefined>((resolve) => pipeline(session.stdout, failing, (e) => resolve(e ?? undefined)));
  session.stderr.resume();
  assert.equal((await piped)?.message, 'disk full');
  assert.deepEqual(await session.exited, { state: 'exited', exitCode: 6, timedOut: false, endReason: 'exited' });
});

test('a write after closeStdin is an error to the caller; what came before and the close still go', { skip }, async () => {
  const session = manager.start({ command: ['cat'], stdinOpen: true });
  session.write('hello');
  session.closeStdin();
  assert.throws(() => session.write('late'), /^Error: stdin of session \S+ is already closed \(closeStdin was called\)$/);
  // Through the Writable directly, the stream's own error reaches the write's callback.
  const viaStream = await new Promise<Error | null | undefined>((resolve) => session.stdin.write('later', resolve));
  assert.match(String(viaStream), /write after end/);
  const { stdout, result } = await collect(session);
  assert.equal(stdout.toString(), 'hello');
  assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
});

test('a write after the session ended throws, as a Writable would; through the stream its callback gets the error', { skip }, async () => {
  const session = manager.start({ command: ['true'], stdinOpen: true });
  const { result } = await collect(session);
  assert.equal(result.state, 'exited');
  assert.throws(() => session.write('late'), /^Error: session \S+ has ended: its stdin takes no more input$/);
  const viaStream = await new Promise<Error | null | undefined>((resolve) => session.stdin.write('later', resolve));
  assert.match(String(viaStream), /destroyed/);
});

test('a writer waiting for drain when the session ends hears of it (an error), never waits for good', { skip }, async () => {
  const session = manager.start({ command: ['sleep', '1000'], stdinOpen: true });
  await whenRunning(session);
  // sleep reads nothing: the runner's bounded queue fills, then the pipe, then the stream.
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  let full = false;
  for (let i = 0; i < 64 && !full; i++) full = !session.write(chunk);
  assert.ok(full, 'write() asked the writer to wait for drain');
  const drained = new Promise<string>((resolve) => {
    session.stdin.once('drain', () => resolve('drain'));
    session.stdin.once('error', (err) => resolve(`error: ${err.message}`));
  });
  await session.dispose();
  assert.match(await drained, /^error: session \S+ ended before its stdin took everything written/);
  assert.throws(() => session.write('x'), /has ended/);
  await assertNothingLeftBehind(session);
});

test('a runner SIGKILLed mid-stream is reported as killed, not as bad data', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'yes "$(head -c 2000 /dev/zero | tr "\\0" x)"'] });
  await whenRunning(session);
  session.stdout.resume();
  await new Promise((r) => setTimeout(r, 300));
  process.kill(session.status().runnerPid!, 'SIGKILL');
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', /^runner pid \d+ was killed by SIGKILL (mid-stream \(stream ended inside frame \d+: got \d+ of \d+ bytes\)|before reporting the command's exit)$/);
  await assertNothingLeftBehind(session);
});

test('a tty session whose stdin is closed reads end-of-file: cat ends', { skip }, async () => {
  const session = manager.start({ command: ['cat'], tty: true });
  const { result } = await collect(session);
  assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
});

for (const which of ['stdout', 'onData'] as const) {
  test(`a consumer's throwing ${which === 'stdout' ? "stdout 'data'" : 'onData'} listener surfaces as its own uncaught exception, not as the runner's fault; the session and its command go on`, { skip: posixOnly('runs sh as the command') }, async () => {
    const script = path.join(__dirname, '..', 'fixtures', 'throwing-listener.js');
    const stdout = await new Promise<string>((resolve, reject) => execFile(process.execPath, [script, which], (err, out, errOut) => (err ? reject(new Error(errOut)) : resolve(out))));
    const report = JSON.parse(stdout) as { uncaught: string[]; seen: string; result: { state: string; exitCode: number; error?: string } };
    assert.deepEqual(report.result, { state: 'exited', exitCode: 0 });
    assert.equal(report.seen, 'one\ntwo\n');
    assert.deepEqual(report.uncaught, [`consumer bug in the ${which} listener`, `consumer bug in the ${which} listener`]);
  });
}
