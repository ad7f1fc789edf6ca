// Terminals of the node-pty facade, ended every way a user ends them (exit, kill(), a signal,
// destroy(), a command that cannot start), leave no runner, command, socket or fd behind, through
// the facade's own manager and its warm runner; disposeDefaultManager() takes the warm one and the
// manager's launcher too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configureDefaultManager, defaultManager, disposeDefaultManager, spawn, type IExitEvent, type SessionPty } from '../../src/main/node-pty';
import { posixOnly } from '../helpers/platform';
import { eventually, liveDescendants, openFdCount, runnerSocketDirs, usePrivateTmpdir } from '../helpers/process-state';
import { assertNothingLeftBehind } from '../helpers/sessions';

const skip = posixOnly('counts fds and processes in /proc; sh on a POSIX terminal');
usePrivateTmpdir('node-pty-leaks');

function ended(pty: SessionPty): Promise<IExitEvent> {
  return new Promise((resolve) => pty.onExit(resolve));
}

async function untilData(pty: SessionPty, text: string): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve) => pty.onData((d) => (seen += d).includes(text) && resolve()));
}

test('terminals ended every way leave nothing; disposing the facade manager closes its warm runner and its launcher', { skip, timeout: 120_000 }, async () => {
  // One terminal first, so lazily loaded modules, the launcher and the warm runner are in the baseline.
  await ended(spawn('sh', ['-c', 'exit 0']));
  assert.ok(await eventually(() => defaultManager()?.poolStatus()[0]?.idle === 1), 'a warm runner is kept');
  const fds = openFdCount();
  const launcher = defaultManager()?.launcherPid();
  assert.ok(launcher, 'the facade\'s manager launches through its launcher');
  for (let round = 0; round < 3; round++) {
    const exits = spawn('sh', ['-c', 'echo bye; exit 2']);
    const hup = spawn('sh', ['-c', 'sleep 1000 & echo up; wait']);
    const sigkill = spawn('sh', ['-c', 'echo up; sleep 1000']);
    const destroyed = spawn('sh', ['-c', 'while :; do echo up; sleep 0.05; done']);
    const bogus = spawn('/nonexistent/program');
    const all = [exits, hup, sigkill, destroyed, bogus];
    const endings = all.map(ended); // before any can end: onExit fires once, to those listening then (node-pty too)
    await Promise.all([untilData(hup, 'up'), untilData(sigkill, 'up'), untilData(destroyed, 'up')]);
    hup.kill();
    sigkill.kill('SIGKILL');
    destroyed.destroy();
    const results = await Promise.all(endings);
    assert.deepEqual(results.map((r) => [r.exitCode, r.signal]), [[2, 0], [0, 1], [0, 9], [0, 1], [1, 0]]);
    for (const pty of all) await assertNothingLeftBehind(pty.session);
  }
  // What is left: the launcher and the one warm runner below it, the fds as before.
  assert.ok(await eventually(() => openFdCount() <= fds && defaultManager()?.poolStatus()[0]?.idle === 1), `fds ${openFdCount()} (before: ${fds})`);
  assert.equal(openFdCount(), fds);
  assert.deepEqual(runnerSocketDirs(), [], 'a connected warm runner keeps no socket directory');
  assert.deepEqual(liveDescendants().filter((pid) => pid === launcher), [launcher]);
  await disposeDefaultManager();
  assert.deepEqual(liveDescendants(), [], 'the launcher went with its manager');
  assert.deepEqual(runnerSocketDirs(), []);
  assert.ok(await eventually(() => openFdCount() < fds), 'the warm runner\'s pipes are closed');
});

test("the facade's manager goes by itself once its last terminal has been gone idleMs, its warm runner with it", { skip, timeout: 60_000 }, async () => {
  assert.throws(() => configureDefaultManager({ idleMs: 0 }), /^RangeError: idleMs must be an integer 1\.\.2147483647, got 0$/);
  configureDefaultManager({ idleMs: 500 });
  try {
    await ended(spawn('sh', ['-c', 'exit 0']));
    const manager = defaultManager();
    assert.ok(manager);
    assert.ok(manager.launcherPid(), 'its launcher is up');
    assert.ok(await eventually(() => defaultManager() === undefined), 'the manager was disposed');
    assert.ok(await eventually(() => liveDescendants().length === 0 && runnerSocketDirs().length === 0), `still below us: ${liveDescendants()}`);
    assert.ok(await eventually(() => manager.launcherPid() === undefined), 'its launcher went with it');
    assert.deepEqual(manager.poolStatus(), []);
    // The next spawn makes a new one.
    await ended(spawn('sh', ['-c', 'exit 0']));
    assert.ok(defaultManager() && defaultManager() !== manager);
  } finally {
    configureDefaultManager({ idleMs: 60_000 });
    await disposeDefaultManager();
  }
});
