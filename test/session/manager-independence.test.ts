// Two SessionManagers in one process share nothing: each has its own runner launcher (ended by its
// own dispose()), its own remembered protocol versions, its own sandbox refreshes and its own
// runner copies. Real managers, real launchers and runners, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { sandboxBinDir } from '../../src/main/launch/materialize-runner';
import { SessionManager } from '../../src/main/session/session-manager';
import { configureDefaultManager } from '../../src/main/node-pty/default-manager';
import { BUNDLED_RUNNER, realRunner } from '../helpers/fixture-paths';
import { eventually, isAlive, parentPid } from '../helpers/process-state';
import { collect, whenRunning } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('reads the launchers from /proc and runs sh as the command');

function scratch(t: { after(fn: () => void): void }): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'codex-independent-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** Both managers, disposed at the end whatever happened (a second dispose is harmless). */
function twoManagers(t: { after(fn: () => Promise<unknown>): void }, options: ConstructorParameters<typeof SessionManager>[0] = {}): [SessionManager, SessionManager] {
  const a = new SessionManager(options);
  const b = new SessionManager(options);
  t.after(() => Promise.all([a.dispose(), b.dispose()]));
  return [a, b];
}

test('each manager has its own launcher; disposing one ends its launcher and leaves the other, and its session, running', { skip }, async (t) => {
  const [a, b] = twoManagers(t, { defaults: { runner: { kind: 'custom', spec: realRunner() } } });
  const running = b.start({ command: ['sh', '-c', 'read line; echo "got $line"'], stdinOpen: true });
  await whenRunning(running);
  assert.equal((await a.start({ command: ['true'] }).exited).state, 'exited');
  const launcherA = a.launcherPid()!;
  const launcherB = b.launcherPid()!;
  assert.ok(launcherA && launcherB && launcherA !== launcherB, `a launcher each: ${launcherA}, ${launcherB}`);
  assert.deepEqual([parentPid(launcherA), parentPid(launcherB)], [process.pid, process.pid], 'both are our children');
  assert.equal(parentPid(running.status().runnerPid!), launcherB, "b's runner was started by b's launcher");

  await a.dispose();
  assert.equal(isAlive(launcherA), false, "a's launcher has exited when a.dispose() returns");
  assert.equal(a.launcherPid(), undefined);
  assert.ok(isAlive(launcherB), "b's launcher is untouched");
  running.stdin.end('still here\n');
  const { stdout, result } = await collect(running);
  assert.deepEqual([result.state, result.exitCode, stdout.toString()], ['exited', 0, 'got still here\n'], result.error?.message);
  const next = await collect(b.start({ command: ['echo', 'b goes on'] }));
  assert.equal(next.stdout.toString(), 'b goes on\n');
  assert.equal(b.launcherPid(), launcherB, 'through the same launcher');

  await b.dispose();
  assert.ok(await eventually(() => !isAlive(launcherB)), "b's launcher ended with b");
});

test('a protocol version remembered by one manager is not used by another: each searches once for itself', { skip }, async (t) => {
  const file = path.join(scratch(t), 'runner-copy.js');
  copyFileSync(BUNDLED_RUNNER, file);
  const pinned2 = { exe: process.execPath, args: [file, '--protocol=2'] };
  const [a, b] = twoManagers(t);
  const protocolOf = async (manager: SessionManager) => {
    const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: pinned2 } });
    const result = await session.exited;
    assert.equal(result.state, 'exited', result.error?.message);
    return session.status().protocol;
  };
  const found = await protocolOf(a);
  assert.equal(found?.version, 2);
  assert.equal(found?.chosen, 'detected');
  assert.deepEqual(found?.refused.map((r) => r.version), [6]);
  assert.deepEqual(await protocolOf(a), { version: 2, chosen: 'remembered', refused: [] }, 'a remembers what it found');
  const elsewhere = await protocolOf(b);
  assert.deepEqual([elsewhere?.version, elsewhere?.chosen, elsewhere?.refused.map((r) => r.version)], [2, 'detected', [6]], 'b knows nothing of what a found');
  assert.deepEqual(await protocolOf(b), { version: 2, chosen: 'remembered', refused: [] }, 'b learned it by itself');
});

test("sandbox refreshes and runner copies are a manager's own: the other manager runs and checks its own", { skip }, async (t) => {
  const root = scratch(t);
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(sandboxBinDir(home), { recursive: true });
  mkdirSync(work);
  // A stand-in for codex's setup helper (a Windows binary) recording each run, with the marker its payload shape is read from.
  const runs = path.join(root, 'runs');
  const helper = path.join(sandboxBinDir(home), SETUP_HELPER_FILE);
  writeFileSync(helper, `#!/bin/sh\n# struct Payload with 17 elements\necho "$1" >> '${runs}'\n`);
  chmodSync(helper, 0o755);
  const log = path.join(home, '.sandbox', 'sandbox.log');
  const copyLines = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('helper copy:')).map((l) => l.replace(/^\S+ /, '')) : []);
  const helperRuns = () => (existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n').length : 0);
  const spec = { exe: process.execPath, args: [BUNDLED_RUNNER], kind: 'codex' as const, materialize: BUNDLED_RUNNER };
  const copy = path.join(sandboxBinDir(home), path.basename(BUNDLED_RUNNER));
  const [a, b] = twoManagers(t, { defaults: { runner: { kind: 'codex', codexHome: home, spec } } });
  const refreshOf = async (manager: SessionManager) => {
    const session = manager.start({ command: ['true'], cwd: work });
    const result = await session.exited;
    assert.equal(result.state, 'exited', result.error?.message);
    assert.equal(session.status().runner?.file, BUNDLED_RUNNER);
    return session.status().sandboxPrep?.refresh;
  };

  assert.equal(await refreshOf(a), 'ran');
  assert.deepEqual(copyLines(), [`helper copy: copied ${BUNDLED_RUNNER} -> ${copy}`]);
  assert.equal(await refreshOf(a), 'skipped', 'a ran this refresh already');
  assert.equal(copyLines().length, 1, 'and checked its copy already');
  assert.equal(helperRuns(), 1);

  assert.equal(await refreshOf(b), 'ran', 'b runs the refresh for itself');
  assert.equal(helperRuns(), 2);
  assert.deepEqual(copyLines().slice(1), [`helper copy: reused ${copy}`], 'b checks the copy for itself (fresh: reused)');
  assert.equal(await refreshOf(b), 'skipped');
  assert.equal(copyLines().length, 2);
});

test("a manager's launcher options are checked when it is made, and so are the node-pty facade's", () => {
  assert.throws(() => new SessionManager({ launcher: { script: '' } }), /^TypeError: runner launcher script must be a non-empty path, got ""$/);
  assert.throws(() => new SessionManager({ launcher: null as unknown as object }), /^TypeError: runner launcher options must be an object, got null$/);
  assert.throws(() => configureDefaultManager({ launcher: { answerTimeoutMs: 0 } }), /^TypeError: runner launcher answerTimeoutMs must be an integer 1\.\.2147483647, got 0$/);
});
