// Warm runners: launched, connected and verified ahead of time, taken by the next session of the
// same launch identity; dropped and replaced when they die, retried with backoff when they keep
// failing, closed when idle too long and on dispose. Admission: a bounded number of launches in
// flight, the rest queued. Real runners over real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../src/main/session/session-manager';
import { WarmRunnerPool } from '../../src/main/session/warm-pool';
import { RunnerStarter } from '../../src/main/launch/launch-runner';
import { realRunner, rogueRunner } from '../helpers/fixture-paths';
import { eventually, isAlive, liveDescendants, processState } from '../helpers/process-state';
import { collect } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const runnersBelowUs = () => liveDescendants().filter((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('codex-command-runner.js');
  } catch {
    return false;
  }
});

test('the next session takes a warm runner and starts at spawn_sent; a replacement is warmed behind it', { skip: posixOnly('reads the runners from /proc and runs sh, echo and true as commands') }, async () => {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, warmRunners: 1 });
  try {
    const cold = await collect(manager.start({ command: ['echo', 'cold'] }));
    assert.equal(cold.stdout.toString(), 'cold\n');
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1), `pool: ${JSON.stringify(manager.poolStatus())}`);
    assert.match(manager.poolStatus()[0]!.identity, /^codex-command-runner\.js$/);

    const session = manager.start({ command: ['sh', '-c', 'echo warm; exit 3'] });
    const { stdout, result } = await collect(session);
    assert.deepEqual(result, { state: 'exited', exitCode: 3, timedOut: false, endReason: 'exited' });
    assert.equal(stdout.toString(), 'warm\n');
    const status = session.status();
    assert.equal(status.runner?.warm, true);
    assert.deepEqual(status.stages.map((s) => s.stage), ['preparing', 'spawn_sent', 'running', 'exited']);
    assert.equal(status.pipes.in?.clientPid, status.runnerPid, 'the warm runner was verified when it connected');
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1), 'a replacement is warmed');
  } finally {
    await manager.dispose();
  }
  assert.ok(await eventually(() => runnersBelowUs().length === 0), `runners left after dispose: ${runnersBelowUs().join(', ')}`);
});

test('a command that ends at once (spawn_ready and exit in one read) still warms its identity and remembers its version', async () => {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: rogueRunner('ready-and-exit-together') } }, warmRunners: 1 });
  try {
    const first = manager.start({ command: ['true'] });
    assert.deepEqual(await first.exited, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
    assert.equal(first.status().protocol?.chosen, 'detected');
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1), `pool: ${JSON.stringify(manager.poolStatus())}`);
    const second = manager.start({ command: ['true'] });
    assert.deepEqual(await second.exited, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
    assert.equal(second.status().runner?.warm, true);
    assert.equal(second.status().protocol?.chosen, 'remembered');
  } finally {
    await manager.dispose();
  }
});

test('a warm runner that dies while idle is dropped and replaced; a session never runs on a dead one', { skip: posixOnly('reads the runners from /proc and runs sh, echo and true as commands') }, async () => {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, warmRunners: 1 });
  try {
    await manager.start({ command: ['true'] }).exited;
    // The warm runner is connected and the first session's runner is gone: the one left is the idle one.
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1 && runnersBelowUs().length === 1), `pool ${JSON.stringify(manager.poolStatus())}, runners ${runnersBelowUs().join(', ')}`);
    const [idle] = runnersBelowUs();
    process.kill(idle!, 'SIGKILL');
    // Started at once: the pool may not have seen the death yet; the session must still run.
    const raced = manager.start({ command: ['echo', 'raced'] });
    const { stdout, result } = await collect(raced);
    assert.equal(result.state, 'exited', result.error?.message);
    assert.equal(stdout.toString(), 'raced\n');
    assert.notEqual(raced.status().runnerPid, idle);
    assert.equal(raced.status().protocol?.version, 6, 'a dead warm runner is not a refusal of the version');
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1 && !runnersBelowUs().includes(idle!)), 'replaced');
  } finally {
    await manager.dispose();
  }
});

test('a runner that keeps failing is retried with backoff, never in a spin', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codex-warm-'));
  const count = path.join(dir, 'launches');
  writeFileSync(count, '');
  const launcher = new RunnerStarter();
  const pool = new WarmRunnerPool({ perIdentity: 1, maxTotal: 8, idleMs: 60_000, connectTimeoutMs: 5000, launcher, onChange() {} });
  try {
    pool.ensure('failing', 'failing runner', { spec: { ...rogueRunner('count-and-exit'), env: { ROGUE_COUNT: count } } });
    await new Promise((r) => setTimeout(r, 3500));
    const launches = readFileSync(count, 'utf8').split('\n').filter(Boolean).length;
    // Backoff 1 s, 2 s, 4 s...: in 3.5 s the first launch and at most two retries.
    assert.ok(launches >= 2 && launches <= 3, `${launches} launches in 3.5 s`);
  } finally {
    await pool.dispose();
    await launcher.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('idle runners close after the idle time, and the pool line empties', { skip: posixOnly('reads the runners from /proc and runs sh, echo and true as commands') }, async () => {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, warmRunners: 1, warmIdleMs: 400 });
  try {
    await manager.start({ command: ['true'] }).exited;
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1));
    const [idle] = runnersBelowUs();
    assert.ok(await eventually(() => manager.poolStatus().length === 0 && !isAlive(idle)), 'closed after idling');
  } finally {
    await manager.dispose();
  }
});

test('admission: launches beyond the limit wait in `queued`, bounded by queueTimeoutMs and by dispose', { skip: posixOnly('runs echo and true as commands') }, async () => {
  const manager = new SessionManager({ defaults: { timeouts: { connectMs: 3000 } }, launchConcurrency: 1 });
  try {
    // Holds the only slot until its connect times out.
    const holder = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('never-connect') } });
    await eventually(() => holder.state === 'connecting_in');
    const impatient = manager.start({ command: ['true'], timeouts: { queueMs: 300 }, runner: { kind: 'custom', spec: realRunner() } });
    const patient = manager.start({ command: ['echo', 'patient'], runner: { kind: 'custom', spec: realRunner() } });
    const disposed = manager.start({ command: ['true'], runner: { kind: 'custom', spec: realRunner() } });
    await eventually(() => disposed.state === 'queued');
    assert.equal((await disposed.dispose()).error?.message, 'session disposed during queued');
    const late = await impatient.exited;
    assert.equal(late.error?.stage, 'queued');
    assert.equal(late.error?.message, 'waited 300 ms for a launch slot (0 sessions were ahead, 1 launching at a time)');
    const { stdout, result } = await collect(patient);
    assert.equal(result.state, 'exited', result.error?.message);
    assert.equal(stdout.toString(), 'patient\n');
    assert.deepEqual(patient.status().stages.slice(0, 2).map((s) => s.stage), ['preparing', 'queued'], 'prepared first, then queued for a launch slot');
    assert.equal((await holder.exited).error?.stage, 'connecting_in');
  } finally {
    await manager.dispose();
  }
});

test('a warm runner stopped (SIGSTOP) while idle is not handed out: the session runs on a new runner, the stopped one is killed', { skip: posixOnly('stops a runner with SIGSTOP and reads /proc') }, async () => {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, warmRunners: 1 });
  try {
    await manager.start({ command: ['true'] }).exited;
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1 && runnersBelowUs().length === 1));
    const [idle] = runnersBelowUs();
    process.kill(idle!, 'SIGSTOP');
    assert.ok(await eventually(() => processState(idle!) === 'T'), 'the runner is stopped');
    const session = manager.start({ command: ['echo', 'fresh'], timeouts: { spawnReadyMs: 60_000 } });
    const { stdout, result } = await collect(session);
    assert.equal(result.state, 'exited', result.error?.message);
    assert.equal(stdout.toString(), 'fresh\n');
    assert.equal(session.status().runner?.warm, false);
    assert.notEqual(session.status().runnerPid, idle);
    assert.ok(await eventually(() => !isAlive(idle)), 'the stopped runner was killed');
  } finally {
    await manager.dispose();
  }
});

test("a runner that stops before answering: the timeout says it is stopped", { skip: posixOnly('stops a runner with SIGSTOP and reads /proc') }, async () => {
  const manager = new SessionManager({ defaults: { advanced: { protocolVersion: 6 } } });
  try {
    const session = manager.start({ command: ['true'], timeouts: { spawnReadyMs: 1000 }, runner: { kind: 'custom', spec: rogueRunner('never-ready') } });
    assert.ok(await eventually(() => session.state === 'spawn_sent'));
    process.kill(session.status().runnerPid!, 'SIGSTOP');
    const result = await session.exited;
    assert.match(result.error?.message ?? '', /^runner pid \d+ did not answer the spawn request within 1000 ms \(runner is stopped\)$/);
  } finally {
    await manager.dispose();
  }
});

test('warm runners in all are capped: a new identity closes the runner idle the longest', { skip: posixOnly('reads the runners from /proc') }, async () => {
  const launcher = new RunnerStarter();
  const pool = new WarmRunnerPool({ perIdentity: 1, maxTotal: 2, idleMs: 60_000, connectTimeoutMs: 10_000, launcher, onChange() {} });
  const plan = { spec: realRunner() };
  const idle = () => pool.status().filter((p) => p.idle === 1).map((p) => p.identity);
  try {
    pool.ensure('a', 'a', plan);
    assert.ok(await eventually(() => idle().join() === 'a'));
    pool.ensure('b', 'b', plan);
    assert.ok(await eventually(() => idle().join() === 'a,b'));
    pool.ensure('c', 'c', plan);
    assert.ok(await eventually(() => idle().join() === 'b,c'), `pools: ${JSON.stringify(pool.status())}`);
    assert.ok(await eventually(() => runnersBelowUs().length === 2), `runners: ${runnersBelowUs().join(', ')}`);
  } finally {
    await pool.dispose();
    await launcher.dispose();
  }
  assert.ok(await eventually(() => runnersBelowUs().length === 0));
});

test('a program with warmRunners: 1 that forgets dispose() exits once its session ended; its idle runner goes too, and nothing is left in its tmp dir', { skip: posixOnly('reads the runners from /proc'), timeout: 60_000 }, async () => {
  const script = path.join(__dirname, '..', 'fixtures', 'forgets-dispose.js');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'forgets-dispose-'));
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [script], { env: { ...process.env, TMPDIR: tmp } }, (err, out, errOut) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout: out, stderr: errOut }));
    child.stdin?.end();
  });
  assert.equal(code, 0, stderr);
  const idle = JSON.parse(stdout) as number[];
  assert.equal(idle.length, 1, 'it had an idle warm runner when it returned');
  assert.ok(await eventually(() => !isAlive(idle[0])), `idle runner ${idle[0]} outlived its program`);
  // The idle runner's socket directory went when it connected, not at a dispose() that never came.
  assert.deepEqual(readdirSync(tmp, { recursive: true }), []);
  rmSync(tmp, { recursive: true, force: true });
});

test('a session that finds no idle warm runner waits for the one already connecting instead of launching its own', { skip: posixOnly('runs sh as the command') }, async () => {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } }, warmRunners: 1 });
  try {
    const first = manager.start({ command: ['sh', '-c', 'read x'], stdinOpen: true });
    // spawn_ready warms the identity: its replacement is launching from here on.
    await new Promise<void>((resolve) => first.on('update', () => first.state === 'running' && resolve()));
    const next = manager.start({ command: ['true'] });
    const result = await next.exited;
    assert.equal(result.state, 'exited');
    const status = next.status();
    assert.equal(status.runner?.warm, true, 'it ran on the runner the pool was connecting');
    const stages = status.stages.map((s) => s.stage);
    assert.ok(!stages.includes('launching_runner') && stages.includes('spawn_sent'), `it launched a runner of its own: ${stages}`);
    first.closeStdin();
    await first.exited;
  } finally {
    await manager.dispose();
  }
});

test('a session waiting on a warm runner still connecting ends at once when terminated: it does not sit out the connect timeout', { skip: posixOnly('runs true as the command') }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warm-wait-'));
  const count = path.join(dir, 'starts');
  writeFileSync(count, '');
  // The first runner answers; every later one (the warm replacement) never connects.
  const runner = { ...rogueRunner('ready-once-then-hang'), env: { ROGUE_COUNT: count } };
  const manager = new SessionManager({ defaults: { timeouts: { connectMs: 20_000 }, runner: { kind: 'custom', spec: runner } }, warmRunners: 1 });
  try {
    assert.equal((await manager.start({ command: ['true'] }).exited).state, 'exited');
    assert.ok(await eventually(() => readFileSync(count, 'utf8').split('\n').filter(Boolean).length === 2 && manager.poolStatus()[0]?.starting === 1), `pool: ${JSON.stringify(manager.poolStatus())}`);
    const waiting = manager.start({ command: ['true'] });
    await new Promise((r) => setTimeout(r, 300)); // it is waiting on the connecting replacement
    assert.equal(waiting.state, 'preparing');
    waiting.terminate();
    const result = await Promise.race([waiting.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
    assert.ok(result, 'still waiting 5 s after terminate: the wait on the warm runner ignored the session\'s end');
    assert.deepEqual([result.state, result.error?.message], ['failed', 'terminated during preparing']);
  } finally {
    await manager.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
