// Sessions end to end on Linux: real runner (the bundled file), real Unix sockets, real children.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { eventually, isAlive } from '../helpers/process-state';
import { assertNothingLeftBehind, collect, whenRunning } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('the commands are sh, cat, sleep and sha256sum, and the checks read /proc; test/win32/session-named-pipes.test.ts runs sessions over named pipes');

const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
const scratch = path.join('/tmp/tests', `e2e-${process.pid}`);
mkdirSync(scratch, { recursive: true });
after(async () => {
  await manager.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

test('64 MiB of binary output arrives intact (sha256 on both sides), stderr kept separate', { skip }, async () => {
  const file = path.join(scratch, 'payload.bin');
  const payload = randomBytes(64 * 1024 * 1024);
  writeFileSync(file, payload);
  const session = manager.start({ command: ['sh', '-c', 'cat "$1" && sha256sum "$1" >&2', 'sh', file] });
  const hash = createHash('sha256');
  let received = 0;
  const stderr: Buffer[] = [];
  session.stdout.on('data', (d: Buffer) => {
    hash.update(d);
    received += d.length;
  });
  session.stderr.on('data', (d: Buffer) => stderr.push(d));
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
  assert.equal(received, payload.length);
  const childSays = Buffer.concat(stderr).toString().split(' ')[0];
  const digest = hash.digest('hex');
  assert.equal(digest, createHash('sha256').update(payload).digest('hex'));
  assert.equal(childSays, digest);
  const status = session.status();
  assert.equal(status.traffic.stdout.bytes, payload.length);
  assert.ok(status.traffic.stdout.frames >= payload.length / (256 * 1024));
  assert.equal(status.traffic.stderr.bytes, Buffer.concat(stderr).length);
  await assertNothingLeftBehind(session);
});

test('stdout and stderr stay separate, exit code travels back, status records every stage', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'echo out; echo err >&2; exit 7'] });
  const { stdout, stderr, result } = await collect(session);
  assert.equal(stdout.toString(), 'out\n');
  assert.equal(stderr.toString(), 'err\n');
  assert.deepEqual(result, { state: 'exited', exitCode: 7, timedOut: false, endReason: 'exited' });
  const status = session.status();
  assert.deepEqual(
    status.stages.map((s) => s.stage),
    ['preparing', 'creating_pipes', 'launching_runner', 'connecting_in', 'connecting_out', 'verifying_client', 'spawn_sent', 'running', 'exited'],
  );
  assert.equal(status.pipes.in?.clientPid, status.runnerPid);
  assert.equal(status.pipes.out?.clientPid, status.runnerPid);
  assert.match(status.pipes.in?.access ?? '', /^unix socket mode 0600 uid \d+, directory mode 0700$/);
  assert.equal(status.exitCode, 7);
  assert.equal(JSON.parse(JSON.stringify(status)).id, status.id); // plain, serializable
  await assertNothingLeftBehind(session);
});

test('stdin is echoed back, and close_stdin gives the child EOF', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'cat; echo "saw EOF" >&2'], stdinOpen: true });
  session.write('line one\n');
  session.write(Buffer.from([0, 1, 2, 255]));
  session.closeStdin();
  const { stdout, stderr, result } = await collect(session);
  assert.deepEqual(stdout, Buffer.concat([Buffer.from('line one\n'), Buffer.from([0, 1, 2, 255])]));
  assert.equal(stderr.toString(), 'saw EOF\n');
  assert.equal(result.exitCode, 0);
  assert.equal(session.status().traffic.stdin.bytes, 13);
});

test('without stdinOpen the child reads EOF at once and write() says why it cannot', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'cat; echo done'] });
  assert.throws(() => session.write('x'), /stdin is not open for this session \(start it with stdinOpen: true\)/);
  const { stdout, result } = await collect(session);
  assert.equal(stdout.toString(), 'done\n');
  assert.equal(result.exitCode, 0);
});

test('terminate kills the whole tree: child and grandchild', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'sleep 1000 & echo $!; wait'] });
  const firstLine = new Promise<number>((resolve) => session.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const grandchild = await firstLine;
  assert.ok(isAlive(grandchild));
  session.terminate();
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 1, timedOut: false, endReason: 'terminated', signal: 'SIGTERM' });
  await assertNothingLeftBehind(session, [grandchild]);
});

test('a child that ignores SIGTERM is killed anyway (termination escalates to SIGKILL)', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 1; done"], timeouts: { terminateGraceMs: 10_000 } });
  await new Promise((resolve) => session.stdout.once('data', resolve));
  session.terminate();
  const result = await session.exited;
  assert.equal(result.state, 'exited');
  assert.equal(result.exitCode, 1);
  await assertNothingLeftBehind(session);
});

test('timeout: the command is killed, exit code 192, timedOut true', { skip }, async () => {
  const session = manager.start({ command: ['sleep', '1000'], timeoutMs: 200 });
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 192, timedOut: true, endReason: 'timed_out', signal: 'SIGTERM' });
  assert.equal(session.status().timedOut, true);
  await assertNothingLeftBehind(session);
});

test('spawn failure: the OS reason reaches the session, and the runner is gone', { skip }, async () => {
  const session = manager.start({ command: ['/nonexistent/definitely-not-here', '--flag'] });
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'spawn_sent');
  assert.match(result.error?.message ?? '', /^runner failed during spawn_child: failed to spawn \/nonexistent\/definitely-not-here: spawn \/nonexistent\/definitely-not-here ENOENT$/);
  assert.deepEqual(session.status().failure, { stage: 'spawn_sent', message: result.error?.message });
  await assertNothingLeftBehind(session);
});

test('a cwd that does not exist is a spawn failure naming it', { skip }, async () => {
  const session = manager.start({ command: ['true'], cwd: '/nonexistent-dir-for-test' });
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.message, 'runner failed during spawn_child: failed to spawn true: working directory /nonexistent-dir-for-test does not exist');
  await assertNothingLeftBehind(session);
});

test('the runner killed mid-stream: session fails naming the signal, child tree gone', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'sleep 1000 & echo $!; while :; do echo tick; sleep 0.05; done'] });
  const grandchild = await new Promise<number>((resolve) => session.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().split('\n')[0]))));
  await whenRunning(session);
  process.kill(session.status().runnerPid!, 'SIGKILL');
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'running');
  assert.match(result.error?.message ?? '', /runner pid \d+ (was killed by SIGKILL|closed its pipe)/);
  await assertNothingLeftBehind(session, [grandchild]);
});

test('the manager lists sessions and emits changes; dispose mid-stream ends everything', { skip }, async () => {
  const m = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
  const changes: string[] = [];
  m.on('change', (id) => changes.push(id));
  const a = m.start({ command: ['sh', '-c', 'while :; do echo a; sleep 0.02; done'] });
  const b = m.start({ command: ['sh', '-c', 'sleep 1000 & echo $!; wait'] });
  const grandchild = await new Promise<number>((resolve) => b.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  await new Promise((resolve) => a.stdout.once('data', resolve));
  assert.deepEqual(m.list().map((s) => s.id), [a.id, b.id]);
  assert.ok(changes.includes(a.id) && changes.includes(b.id));
  const results = await m.dispose();
  assert.deepEqual(results.map((r) => [r.state, r.error?.stage, r.error?.message]), [
    ['failed', 'running', 'session disposed during running'],
    ['failed', 'running', 'session disposed during running'],
  ]);
  assert.throws(() => m.start({ command: ['true'] }), /session manager is disposed/);
  await assertNothingLeftBehind(a);
  await assertNothingLeftBehind(b, [grandchild]);
});

// A throwing onData or stdout 'data' listener: test/session/session-edges.test.ts (an uncaught
// exception, the session going on, as docs/api.md says; it runs in a child process of its own).

test('dispose before the session got anywhere releases everything', { skip }, async () => {
  const session = manager.start({ command: ['true'] });
  const result = await session.dispose();
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', /^session disposed during /);
  await assertNothingLeftBehind(session);
  assert.ok(await eventually(() => !isAlive(session.status().runnerPid)));
});

test('an update listener that throws at any stage fails the session there, leaving nothing behind', { skip }, async () => {
  for (const stage of ['creating_pipes', 'launching_runner', 'connecting_out', 'spawn_sent', 'running'] as const) {
    const m = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
    const session = m.start({ command: ['sleep', '1000'] });
    let thrown = false;
    session.on('update', () => {
      if (!thrown && session.state === stage) {
        thrown = true;
        throw new Error(`bug at ${stage}`);
      }
    });
    const result = await session.exited;
    assert.equal(result.state, 'failed', stage);
    assert.equal(result.error?.message, `a session 'update' listener threw: bug at ${stage}`);
    assert.equal(result.error?.stage, stage);
    await assertNothingLeftBehind(session);
    await m.dispose();
  }
});

test('an exit listener that throws becomes a process warning; the session is already released', { skip }, async () => {
  const session = manager.start({ command: ['true'] });
  session.onExit(() => {
    throw new Error('exit listener bug');
  });
  const warning = new Promise<Error>((resolve) => process.once('warning', resolve));
  const result = await session.exited;
  assert.equal(result.state, 'exited');
  const w = await warning;
  assert.equal(w.name, 'CodexRunnerIpcWarning');
  assert.match(w.message, /^a session 'exit' listener threw after session s\d+-\w+ ended: exit listener bug$/);
  await assertNothingLeftBehind(session);
});
