// The launcher process itself (the bundled file, as the main process starts it), driven over its
// IPC channel by hand: what it says at start, how it treats bad requests, and that it takes every
// runner tree with it when its main process goes. Plus its message validation and stderr relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { toLauncherEvent, toLauncherRequest, type LauncherEvent } from '../../src/protocol/launcher-messages';
import { StderrRelay } from '../../src/launcher/stderr-relay';
import { eventually, isAlive } from '../helpers/process-state';

const skip = process.platform !== 'linux' && 'reads /proc';
const LAUNCHER = path.resolve(__dirname, '..', '..', 'runner', 'codex-runner-launcher.js');

function startLauncher(): { child: ChildProcess; events: LauncherEvent[]; next: (type: LauncherEvent['type']) => Promise<LauncherEvent>; stderr: () => string } {
  const child = spawn(process.execPath, [LAUNCHER], { stdio: ['pipe', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
  const events: LauncherEvent[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const waiters = new Set<() => void>();
  child.on('message', (m) => {
    events.push(toLauncherEvent(m));
    for (const wake of waiters) wake();
  });
  const next = (type: LauncherEvent['type']) =>
    new Promise<LauncherEvent>((resolve) => {
      const check = () => {
        const i = events.findIndex((e) => e.type === type);
        if (i < 0) return;
        waiters.delete(check);
        resolve(events.splice(i, 1)[0]!);
      };
      waiters.add(check);
      check();
    });
  return { child, events, next, stderr: () => stderr };
}

test('at start it says it is a child subreaper; bad requests are reported on its stderr and it keeps serving', { skip }, async () => {
  const launcher = startLauncher();
  try {
    assert.deepEqual(await launcher.next('ready'), { type: 'ready', pid: launcher.child.pid, subreaper: true });
    launcher.child.send({ type: 'launch', id: 1, exe: '', args: [], env: {} });
    launcher.child.send({ type: 'explode', id: 2 });
    launcher.child.send('not an object');
    launcher.child.send({ type: 'launch', id: 3, exe: 'sh', args: ['-c', 'echo hi >&2; exit 2'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const launched = await launcher.next('launched');
    assert.equal(launched.type === 'launched' && launched.id, 3);
    assert.deepEqual(await launcher.next('stderr'), { type: 'stderr', id: 3, data: Buffer.from('hi\n').toString('base64') });
    assert.deepEqual(await launcher.next('exit'), { type: 'exit', id: 3, code: 2, signal: null });
    // A second launch with an id in use is refused, not mixed up.
    launcher.child.send({ type: 'launch', id: 4, exe: 'sleep', args: ['300'], env: {} });
    await launcher.next('launched');
    launcher.child.send({ type: 'launch', id: 4, exe: 'true', args: [], env: {} });
    assert.deepEqual(await launcher.next('launch-failed'), { type: 'launch-failed', id: 4, message: 'launch id 4 is already in use' });
    launcher.child.send({ type: 'kill', id: 4 });
    assert.deepEqual(await launcher.next('exit'), { type: 'exit', id: 4, code: null, signal: 'SIGKILL' });
    assert.ok(await eventually(() => /launch 1: exe must be a non-empty string/.test(launcher.stderr())));
    assert.match(launcher.stderr(), /unknown launcher request type "explode"/);
    assert.match(launcher.stderr(), /launcher request is not an object: "not an object"/);
  } finally {
    launcher.child.kill('SIGKILL');
  }
});

for (const how of ['the IPC channel closes', 'its stdin reaches end of file'] as const) {
  test(`its main process gone (${how}): every runner tree is killed and the launcher exits`, { skip }, async () => {
    const launcher = startLauncher();
    await launcher.next('ready');
    launcher.child.send({ type: 'launch', id: 1, exe: 'sh', args: ['-c', 'setsid sleep 300 & echo $! >&2; sleep 300 & echo $! >&2; wait'], env: {} });
    const launched = (await launcher.next('launched')) as Extract<LauncherEvent, { type: 'launched' }>;
    let text = '';
    while (text.split('\n').filter(Boolean).length < 2) {
      const e = (await launcher.next('stderr')) as Extract<LauncherEvent, { type: 'stderr' }>;
      text += Buffer.from(e.data, 'base64').toString();
    }
    const pids = [launched.pid, ...text.split('\n').filter(Boolean).map(Number)];
    assert.ok(pids.every(isAlive));
    const exited = new Promise((resolve) => launcher.child.once('exit', (code) => resolve(code)));
    if (how === 'the IPC channel closes') launcher.child.disconnect();
    else launcher.child.stdin!.end();
    assert.equal(await exited, 0);
    assert.ok(await eventually(() => pids.every((p) => !isAlive(p))), `still alive: ${pids.filter(isAlive)}`);
    assert.equal(launcher.child.connected, false);
  });
}

test('started without an IPC channel it says so and exits 2', () => {
  const child = spawn(process.execPath, [LAUNCHER], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise<void>((resolve) => {
    child.once('close', (code) => {
      assert.equal(code, 2);
      assert.equal(stderr, 'codex-runner-launcher: must be started by codex-runner-ipc with an IPC channel\n');
      resolve();
    });
  });
});

test('messages are validated on both sides with errors that name the problem', () => {
  assert.deepEqual(toLauncherRequest({ type: 'launch', id: 1, exe: 'x', args: ['a'], env: { A: 'b' }, cwd: '/' }), { type: 'launch', id: 1, exe: 'x', args: ['a'], env: { A: 'b' }, cwd: '/' });
  assert.deepEqual(toLauncherRequest({ type: 'kill', id: 9 }), { type: 'kill', id: 9 });
  const badRequests: [unknown, RegExp][] = [
    [null, /^launcher request is not an object: null$/],
    [{ type: 'kill', id: 0 }, /^launcher request kill has no valid id: 0$/],
    [{ type: 'launch', id: 1, exe: 'x', args: 'a', env: {} }, /^launch 1: args must be an array of strings$/],
    [{ type: 'launch', id: 1, exe: 'x', args: [], env: { A: 1 } }, /^launch 1: env must map names to strings$/],
    [{ type: 'launch', id: 1, exe: 'x', args: [], env: {}, cwd: 5 }, /^launch 1: cwd must be a string$/],
  ];
  for (const [value, message] of badRequests) assert.throws(() => toLauncherRequest(value), { message });
  assert.deepEqual(toLauncherEvent({ type: 'exit', id: 1, code: null, signal: 'SIGKILL' }), { type: 'exit', id: 1, code: null, signal: 'SIGKILL' });
  const badEvents: [unknown, RegExp][] = [
    [{ type: 'ready', pid: -1, subreaper: true }, /^launcher event ready: needs pid and subreaper$/],
    [{ type: 'launched', id: 1 }, /^launcher event launched: needs id and pid$/],
    [{ type: 'exit', id: 1, code: 1.5, signal: null }, /^launcher event exit: code must be an integer or null$/],
    [{ type: 'stderr', id: 1, data: 5 }, /^launcher event stderr: needs id and data$/],
    [{ type: 'gossip' }, /^unknown launcher event type "gossip"$/],
  ];
  for (const [value, message] of badEvents) assert.throws(() => toLauncherEvent(value), { message });
});

test('the stderr relay sends at most once per interval, only the newest bytes, and holds back while messages are in flight', async () => {
  const sent: Buffer[] = [];
  const inFlight: (() => void)[] = [];
  const relay = new StderrRelay((data, done) => (sent.push(Buffer.from(data)), inFlight.push(done)), 16, 20, 2);
  for (let i = 0; i < 1000; i++) relay.push(Buffer.from(`line ${i}\n`));
  assert.equal(sent.length, 0, 'nothing before the interval');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.toString(), 'ine 998\nline 999\n'.slice(-16));
  relay.push(Buffer.from('a'));
  await new Promise((r) => setTimeout(r, 40));
  relay.push(Buffer.from('b'));
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(sent.length, 2, 'two in flight: the third waits');
  inFlight.shift()!();
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(sent.map(String), ['ine 998\nline 999\n'.slice(-16), 'a', 'b']);
  relay.push(Buffer.from('c'));
  relay.close(); // the last flush goes whatever is in flight
  relay.push(Buffer.from('ignored'));
  assert.deepEqual(sent.map(String).slice(3), ['c']);
});
