// Sessions whose runner launcher is SIGSTOPped (Linux): every end (dispose, terminate, the
// command's own exit, the connect bound) comes within the session's own bounds. The launcher's
// answer timeout is set out of reach here, so only those bounds can end a wait.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionManager } from '../../src/main/session/session-manager';
import type { Session } from '../../src/main/session/session';
import { collect, whenRunning } from '../helpers/sessions';
import { eventually, isAlive, processState } from '../helpers/process-state';

const skip = process.platform !== 'linux' && 'reads /proc';
/** Each manager's launcher: its answer timeout out of reach. */
const unhurried = { answerTimeoutMs: 0x7fff_ffff };

const base = { runner: { kind: 'bundled' as const, allowUnenforcedPolicy: true }, permissions: 'read-only' as const };

/** SIGSTOPs `pid` and waits until the kernel shows it stopped (the signal lands when it is next scheduled). */
async function stop(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  assert.ok(await eventually(() => processState(pid) === 'T'), `pid ${pid} did not stop`);
}

/** A launcher up (one session through it), then stopped; its pid. */
async function stoppedLauncher(manager: SessionManager): Promise<number> {
  await collect(manager.start({ ...base, command: ['true'] }));
  const launcher = manager.launcherPid()!;
  await stop(launcher);
  return launcher;
}

function whenStage(session: Session, stage: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.status().stages.some((s) => s.stage === stage)) {
        session.off('update', check);
        resolve();
      }
    };
    session.on('update', check);
    check();
  });
}

test('dispose() while the launch waits on a stopped launcher returns, failed in launching_runner; the launcher is killed', { skip }, async () => {
  const manager = new SessionManager({ launcher: unhurried });
  try {
    const launcher = await stoppedLauncher(manager);
    const session = manager.start({ ...base, command: ['true'], timeouts: { connectMs: 600_000 } });
    await whenStage(session, 'launching_runner');
    await new Promise((r) => setImmediate(r)); // the launch request is sent
    const result = await session.dispose();
    assert.equal(result.state, 'failed');
    assert.deepEqual([result.error?.stage, result.error?.message], ['launching_runner', 'session disposed during launching_runner']);
    assert.ok(await eventually(() => !isAlive(launcher)), 'the stopped launcher was killed');
  } finally {
    await manager.dispose();
  }
});

test('the launch on a stopped launcher is bounded by connectTimeoutMs and says the launcher is stopped', { skip }, async () => {
  const manager = new SessionManager({ launcher: unhurried });
  try {
    const launcher = await stoppedLauncher(manager);
    const { result } = await collect(manager.start({ ...base, command: ['true'], timeouts: { connectMs: 500 } }));
    assert.equal(result.state, 'failed');
    assert.equal(result.error?.stage, 'launching_runner');
    assert.match(result.error!.message, new RegExp(`the runner launcher \\(pid ${launcher}\\) is stopped \\(by a signal\\), so it cannot answer; killed it`));
  } finally {
    await manager.dispose();
  }
});

test('a command that exits by itself while its launcher is stopped: the session settles exited 0; manager.dispose() returns', { skip }, async () => {
  const manager = new SessionManager({ launcher: unhurried });
  await collect(manager.start({ ...base, command: ['true'] }));
  const session = manager.start({ ...base, command: ['sh', '-c', 'read line; exit 0'] });
  await whenRunning(session);
  const launcher = manager.launcherPid()!;
  await stop(launcher);
  session.stdin.end('go\n');
  const { result } = await collect(session);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0]);
  await manager.dispose();
  assert.ok(await eventually(() => !isAlive(launcher)));
});

test('terminate() while the launcher is stopped: the session ends', { skip }, async () => {
  const manager = new SessionManager({ launcher: unhurried });
  try {
    await collect(manager.start({ ...base, command: ['true'] }));
    const session = manager.start({ ...base, command: ['sleep', '300'] });
    await whenRunning(session);
    const launcher = manager.launcherPid()!;
    await stop(launcher);
    session.terminate();
    const { result } = await collect(session);
    assert.ok(result.state === 'exited' || result.state === 'failed', result.state);
    assert.ok(await eventually(() => !isAlive(launcher)));
  } finally {
    await manager.dispose();
  }
});
