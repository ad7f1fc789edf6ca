// The command's whole process tree dies, whatever ends the session: terminate, dispose, timeout,
// the command's own exit, the runner's death (SIGKILL) or freeze (SIGSTOP), the main process's
// death. Every command here starts a grandchild in a session of its own (`setsid sleep`, which a
// process-group kill misses) and a plain background job, and prints their pids.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Session } from '../../src/main/session/session';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { eventually, isAlive, usePrivateTmpdir, processState } from '../helpers/process-state';
import { assertNothingLeftBehind, collect, whenRunning } from '../helpers/sessions';

// Linux: pids are checked dead through /proc, and the guarantees rest on the subreaper (macOS gets
// what test/runner/process-tree-no-subreaper.test.ts shows; Windows ends trees with jobs).
const skip = process.platform !== 'linux' && 'Linux only: the child subreaper, and /proc to see each pid dead';
const tmp = usePrivateTmpdir('tree');
const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, keepEnded: 100 });
after(() => manager.dispose());

/** A grandchild in a session of its own, a background job, both printed, then the shell waits. */
const TREE = ['sh', '-c', 'setsid sleep 300 & echo $!; sleep 300 & echo $!; wait'];

/** The first `count` lines the command prints, as pids. */
function printedPids(session: Session, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d;
      const lines = text.split('\n').filter(Boolean);
      if (lines.length >= count) {
        session.stdout.off('data', onData);
        session.stdout.resume();
        resolve(lines.slice(0, count).map(Number));
      }
    };
    session.stdout.on('data', onData);
    void session.exited.then(() => reject(new Error(`session ended after printing ${JSON.stringify(text)}`)));
  });
}


test('terminate kills a setsid grandchild and a background job', { skip }, async () => {
  const session = manager.start({ command: TREE });
  const pids = await printedPids(session, 2);
  assert.ok(pids.every(isAlive));
  session.terminate();
  assert.deepEqual(await session.exited, { state: 'exited', exitCode: 1, timedOut: false, endReason: 'terminated', signal: 'SIGTERM' });
  await assertNothingLeftBehind(session, pids);
});

test('dispose kills a setsid grandchild and a background job', { skip }, async () => {
  const session = manager.start({ command: TREE });
  const pids = await printedPids(session, 2);
  const result = await session.dispose();
  assert.equal(result.error?.message, 'session disposed during running');
  assert.equal(result.endReason, 'terminated');
  await assertNothingLeftBehind(session, pids);
});

test('timeout kills a setsid grandchild and a background job (exit 192)', { skip }, async () => {
  const session = manager.start({ command: TREE, timeoutMs: 500 });
  const pids = await printedPids(session, 2);
  assert.deepEqual(await session.exited, { state: 'exited', exitCode: 192, timedOut: true, endReason: 'timed_out', signal: 'SIGTERM' });
  await assertNothingLeftBehind(session, pids);
});

test('a tree that outlives the command: the session ends exited 0 and nothing is left behind', { skip }, async () => {
  // The shell waits until the grandchild has its own session (out of the shell's process group), then exits.
  const session = manager.start({ command: ['sh', '-c', 'setsid sleep 300 & until [ "$(ps -o sid= -p $!)" -eq $! ] 2>/dev/null; do sleep 0.01; done; echo $!'] });
  const pids = printedPids(session, 1);
  assert.deepEqual(await session.exited, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
  await assertNothingLeftBehind(session, await pids);
});

test('the runner SIGKILLed mid-session: the command and its setsid grandchild die, the session names the runner death', { skip }, async () => {
  const session = manager.start({ command: TREE });
  const pids = await printedPids(session, 2);
  await whenRunning(session);
  const { runnerPid, childPid } = session.status();
  process.kill(runnerPid!, 'SIGKILL');
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'running');
  assert.match(result.error?.message ?? '', new RegExp(`^runner pid ${runnerPid} (was killed by SIGKILL|closed its pipe)`));
  await assertNothingLeftBehind(session, [childPid!, ...pids]);
});

test('the runner frozen (SIGSTOP): dispose still ends the runner and the whole tree', { skip }, async () => {
  const session = manager.start({ command: TREE });
  const pids = await printedPids(session, 2);
  const { runnerPid, childPid } = session.status();
  process.kill(runnerPid!, 'SIGSTOP');
  assert.ok(await eventually(() => processState(runnerPid!) === 'T'), 'the runner is stopped');
  const result = await session.dispose();
  assert.equal(result.state, 'failed');
  await assertNothingLeftBehind(session, [runnerPid!, childPid!, ...pids]);
});

test('a burst of 40 sessions started at once: each ends exited with its own output', { skip }, async () => {
  const sessions = Array.from({ length: 40 }, (_, i) => manager.start({ command: ['printf', '%s', `burst-${i}`] }));
  const outcomes = await Promise.all(sessions.map((s) => collect(s)));
  const wrong = outcomes
    .map((o, i) => ({ i, state: o.result.state, code: o.result.exitCode, out: o.stdout.toString(), error: o.result.error?.message }))
    .filter((o) => o.state !== 'exited' || o.code !== 0 || o.out !== `burst-${o.i}`);
  assert.deepEqual(wrong, []);
  for (const s of sessions) await assertNothingLeftBehind(s);
});

test('the main process SIGKILLed: every process of its session dies, and it leaves no socket directory (gone once the runner connected)', { skip }, async () => {
  const privateTmp = path.join(tmp, 'killed-main');
  mkdirSync(privateTmp, { mode: 0o700 });
  const fixture = path.resolve(__dirname, '..', 'fixtures', 'session-in-child.js');
  const main = spawn(process.execPath, [fixture, '2', 'sh', '-c', 'setsid sleep 307 & echo $!; sleep 100 & echo $!; wait'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TMPDIR: privateTmp },
  });
  const info = await new Promise<{ runnerPid: number; childPid: number; printed: number[]; socketDir: string; launcherPid?: number }>((resolve, reject) => {
    let text = '';
    main.stdout!.on('data', (d: Buffer) => {
      text += d;
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]!));
    });
    main.once('exit', (code) => reject(new Error(`fixture exited ${code} before reporting: ${text}`)));
  });
  const pids = [info.runnerPid, info.childPid, ...info.printed, ...(info.launcherPid ? [info.launcherPid] : [])];
  assert.ok(pids.every(isAlive), `all alive at first: ${pids.map((p) => `${p}:${isAlive(p)}`).join(' ')}`);
  // The runner connected both sockets: the directory is gone already, so a SIGKILL leaves none behind
  // (one left before the runner connected is swept by the next process: stale-socket-dirs.test.ts).
  assert.ok(await eventually(() => !existsSync(info.socketDir)), `${info.socketDir} outlived the connection`);
  main.kill('SIGKILL');
  await new Promise((resolve) => main.once('exit', resolve));
  assert.ok(await eventually(() => pids.every((p) => !isAlive(p))), `still alive: ${pids.filter(isAlive).join(', ')}`);
  assert.deepEqual(readdirSync(privateTmp), [], 'nothing left in its tmp dir');
});

test('the launcher killed mid-session: the session fails naming the launcher, the next session starts a new launcher', { skip }, async () => {
  const session = manager.start({ command: TREE });
  const pids = await printedPids(session, 2);
  const launcher = manager.launcherPid();
  assert.ok(launcher, 'sessions launch through the launcher');
  assert.equal(session.status().runnerPid !== undefined, true);
  process.kill(launcher, 'SIGKILL');
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', new RegExp(`runner pid \\d+ was lost with its launcher: the runner launcher \\(pid ${launcher}\\) was killed by SIGKILL`));
  // The runner saw its pipes close and ended its command's tree itself.
  await assertNothingLeftBehind(session, pids);
  const next = manager.start({ command: ['echo', 'again'] });
  const { stdout, result: nextResult } = await collect(next);
  assert.equal(nextResult.state, 'exited', nextResult.error?.message);
  assert.equal(stdout.toString(), 'again\n');
  assert.notEqual(manager.launcherPid(), launcher);
});

test('a frozen runner cannot keep its command past timeoutMs: the parent steps in, the whole tree dies', { skip, timeout: 30_000 }, async () => {
  const session = manager.start({ command: TREE, timeoutMs: 400 });
  const pids = await printedPids(session, 2);
  process.kill(session.status().runnerPid!, 'SIGSTOP'); // it can no longer enforce its timeout
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.timedOut, true);
  assert.match(result.error?.message ?? '', /^runner pid \d+ did not report the command's exit 5000 ms after its 400 ms timeout \(runner is stopped\); killed the runner and its processes$/);
  assert.equal(session.status().timedOut, true);
  await assertNothingLeftBehind(session, pids);
});
