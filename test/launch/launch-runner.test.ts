// Launching runners through the launcher (Linux): real launcher process, real "runners" (shell
// scripts stand in for the runner program: the launcher starts whatever it is given), real trees.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RunnerStarter, spawnRunnerDirectly, type RunnerProcess } from '../../src/main/launch/launch-runner';
import { eventually, isAlive, parentPid, processState } from '../helpers/process-state';

const skip = process.platform !== 'linux' && 'reads /proc';
const names = { in: '/nonexistent/in', out: '/nonexistent/out' };
const scratch = path.join('/tmp/tests', `launch-${process.pid}`);
mkdirSync(scratch, { recursive: true });
after(() => rmSync(scratch, { recursive: true, force: true }));
// This file's runners start through one launcher, as a SessionManager's do.
const runners = new RunnerStarter();
after(() => runners.dispose());

/** A "runner" that runs `script` in sh (the pipe arguments land in $0 and $1, unused). */
function shellRunner(script: string, env?: Record<string, string>) {
  return { exe: 'sh', args: ['-c', script], ...(env ? { env } : {}) };
}



/** The pids a runner printed on stderr, one per line, once there are `count`. */
async function stderrPids(runner: RunnerProcess, count: number): Promise<number[]> {
  let pids: number[] = [];
  const got = await eventually(() => (pids = runner.stderrTail().split('\n').filter(Boolean).map(Number)).length >= count);
  assert.ok(got, `runner printed ${JSON.stringify(runner.stderrTail())}`);
  return pids;
}

test('a runner is started by the launcher, a child of ours; its environment, cwd, stderr and exit come through', { skip }, async () => {
  const runner = await runners.launch(shellRunner('echo "$EXTRA $(pwd) $0" >&2; exit 5', { EXTRA: 'extra-env' }), names, scratch);
  const launcher = runners.launcherPid();
  assert.ok(launcher);
  assert.equal(parentPid(launcher), process.pid, 'the launcher is our child');
  assert.equal(parentPid(runner.pid) ?? launcher, launcher, 'the runner is the launcher child');
  assert.deepEqual(await runner.exited, { code: 5, signal: null });
  assert.deepEqual(runner.exit(), { code: 5, signal: null });
  assert.equal(runner.stderrTail(), `extra-env ${scratch} --pipe-in=/nonexistent/in`);
  runner.kill(); // after the exit: nothing to do, no error
});

test('launch failures name the runner and why, as a direct spawn did', { skip }, async () => {
  await assert.rejects(runners.launch({ exe: '/nonexistent/codex-command-runner' }, names), {
    name: 'RunnerLaunchError',
    message: 'runner /nonexistent/codex-command-runner could not be started: not found',
  });
  const notExecutable = path.join(scratch, 'not-executable');
  writeFileSync(notExecutable, '#!/bin/sh\n');
  chmodSync(notExecutable, 0o644);
  await assert.rejects(runners.launch({ exe: notExecutable }, names), { message: `runner ${notExecutable} could not be started: not executable` });
  await assert.rejects(runners.launch({ exe: 'sh', env: { BAD: 'a\0b' } }, names), /^RunnerLaunchError: runner sh could not be started: .*null bytes/);
  // ENOENT of a missing cwd is not a missing runner: the launch says which, on both paths.
  const gone = path.join(scratch, 'gone');
  await assert.rejects(runners.launch(shellRunner('exit 0'), names, gone), { name: 'RunnerLaunchError', message: `runner sh could not be started: its working directory ${gone} does not exist` });
  await assert.rejects(runners.launch({ exe: '/nonexistent/codex-command-runner' }, names, scratch), { message: 'runner /nonexistent/codex-command-runner could not be started: not found' });
  await assert.rejects(spawnRunnerDirectly({ exe: 'sh' }, names, {}, gone), { message: 'runner sh could not be started: not found' }, 'the direct spawn alone cannot tell');
  const direct = new RunnerStarter({ enabled: false });
  await assert.rejects(direct.launch(shellRunner('exit 0'), names, gone), { message: `runner sh could not be started: its working directory ${gone} does not exist` });
  assert.equal(direct.launcherPid(), undefined, 'no launcher when it is turned off');
  // The launcher is still serving.
  const ok = await runners.launch(shellRunner('exit 0'), names);
  assert.deepEqual(await ok.exited, { code: 0, signal: null });
});

test('kill() ends the runner and its whole tree, even a stopped runner', { skip }, async () => {
  const runner = await runners.launch(shellRunner('setsid sleep 300 & echo $! >&2; sleep 300 & echo $! >&2; wait'), names);
  const pids = await stderrPids(runner, 2);
  process.kill(runner.pid, 'SIGSTOP');
  assert.ok(await eventually(() => processState(runner.pid) === 'T'));
  runner.kill();
  runner.kill(); // twice is once
  assert.deepEqual(await runner.exited, { code: null, signal: 'SIGKILL' });
  assert.ok(await eventually(() => pids.every((p) => !isAlive(p))), `still alive: ${pids.filter(isAlive)}`);
});

test('a runner that dies leaves nothing: its orphaned tree is killed by the launcher before the exit is reported', { skip }, async () => {
  // This runner is no subreaper: its command tree is reparented to the launcher when it dies.
  const runner = await runners.launch(shellRunner('sh -c "setsid sleep 300 & echo \\$! >&2; sleep 300 & echo \\$! >&2; wait" & echo $! >&2; wait'), names);
  const pids = await stderrPids(runner, 3);
  assert.ok(pids.every(isAlive));
  process.kill(runner.pid, 'SIGKILL');
  assert.deepEqual(await runner.exited, { code: null, signal: 'SIGKILL' });
  // SIGKILL was sent to all of them before the exit came; dying takes the kernel a moment.
  assert.ok(await eventually(() => pids.every((p) => !isAlive(p)), 2000), `still alive: ${pids.filter(isAlive)}`);
  // And the launcher reaped them: no zombie of an orphan stays below it.
  const launcher = runners.launcherPid()!;
  assert.ok(await eventually(() => pids.every((p) => parentPid(p) !== launcher)), 'zombies reaped');
});

test('a runner flooding stderr: the tail holds its last words, bounded', { skip }, async () => {
  const runner = await runners.launch(shellRunner('head -c 20000000 /dev/zero | tr "\\0" x >&2; echo >&2; echo last words >&2'), names);
  assert.deepEqual(await runner.exited, { code: 0, signal: null });
  const tail = runner.stderrTail();
  assert.ok(tail.endsWith('\nlast words'), JSON.stringify(tail.slice(-40)));
  assert.ok(tail.length <= 4096);
});

test('the launcher dies: pending launches fail naming it, live runners are reported lost, the next launch starts a new one', { skip }, async () => {
  const live = await runners.launch(shellRunner('exec sleep 300'), names);
  const launcher = runners.launcherPid()!;
  process.kill(launcher, 'SIGSTOP'); // a launch now waits for an answer
  const pending = runners.launch(shellRunner('exit 0'), names);
  await new Promise((r) => setTimeout(r, 100));
  process.kill(launcher, 'SIGKILL');
  await assert.rejects(pending, { message: `runner sh could not be started: the runner launcher (pid ${launcher}) was killed by SIGKILL` });
  assert.deepEqual(await live.exited, { code: null, signal: null, lost: `was lost with its launcher: the runner launcher (pid ${launcher}) was killed by SIGKILL` });
  assert.equal(runners.launcherPid(), undefined);
  const next = await runners.launch(shellRunner('exit 4'), names);
  assert.deepEqual(await next.exited, { code: 4, signal: null });
  assert.ok(runners.launcherPid() && runners.launcherPid() !== launcher);
  // The orphaned runner (sleep itself, by exec) went to init with its launcher gone; it is ours to end here.
  assert.ok(isAlive(live.pid));
  process.kill(live.pid, 'SIGKILL');
  assert.ok(await eventually(() => !isAlive(live.pid)));
});

/** SIGSTOPs `pid` and waits until the kernel shows it stopped (the signal lands when it is next scheduled). */
async function stop(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  assert.ok(await eventually(() => processState(pid) === 'T'), `pid ${pid} did not stop`);
}

test('a stopped launcher: a launch whose caller aborts fails with the abort reason at once, the launcher is killed, the next launch gets a new one', { skip }, async () => {
  const first = await runners.launch(shellRunner('exit 0'), names);
  await first.exited;
  const launcher = runners.launcherPid()!;
  await stop(launcher);
  const abort = new AbortController();
  const pending = runners.launch(shellRunner('exit 0'), names, undefined, { signal: abort.signal });
  await new Promise((r) => setImmediate(r)); // the launch request is sent
  abort.abort(new Error('session disposed during launching_runner'));
  await assert.rejects(pending, /^Error: session disposed during launching_runner$/);
  assert.ok(await eventually(() => !isAlive(launcher)), 'the stopped launcher was killed');
  const next = await runners.launch(shellRunner('exit 4'), names);
  assert.deepEqual(await next.exited, { code: 4, signal: null });
  assert.notEqual(runners.launcherPid(), launcher);
});

test("a stopped launcher past the caller's own bound: the launch fails saying the launcher is stopped", { skip }, async () => {
  const first = await runners.launch(shellRunner('exit 0'), names);
  await first.exited;
  const launcher = runners.launcherPid()!;
  await stop(launcher);
  await assert.rejects(runners.launch(shellRunner('exit 0'), names, undefined, { timeoutMs: 300 }), {
    name: 'RunnerLaunchError',
    message: `runner sh could not be started: the runner launcher (pid ${launcher}) is stopped (by a signal), so it cannot answer; killed it`,
  });
  assert.ok(await eventually(() => !isAlive(launcher)));
});

test('kill() of a runner whose launcher is stopped: the launcher is killed at once and the runner reported lost', { skip }, async () => {
  const live = await runners.launch(shellRunner('exec sleep 300'), names);
  const launcher = runners.launcherPid()!;
  await stop(launcher);
  live.kill();
  assert.deepEqual(await live.exited, { code: null, signal: null, lost: `was lost with its launcher: the runner launcher (pid ${launcher}) is stopped (by a signal), so it cannot answer; killed it` });
  assert.ok(await eventually(() => !isAlive(launcher)));
  // As with any launcher killed from outside, the runner it held went to init: ours to end here.
  if (isAlive(live.pid)) process.kill(live.pid, 'SIGKILL');
  assert.ok(await eventually(() => !isAlive(live.pid)));
});

test('a hung launcher is killed after the answer timeout, failing what it held', { skip }, async () => {
  const script = `
    const { RunnerStarter } = require(${JSON.stringify(path.resolve(__dirname, '../../src/main/launch/launch-runner.js'))});
    const runners = new RunnerStarter({ answerTimeoutMs: 500 });
    (async () => {
      const first = await runners.launch({ exe: 'sh', args: ['-c', 'exit 0'] }, { in: 'i', out: 'o' });
      await first.exited;
      const launcher = runners.launcherPid();
      process.kill(launcher, 'SIGSTOP');
      const started = Date.now();
      const error = await runners.launch({ exe: 'sh', args: ['-c', 'exit 0'] }, { in: 'i', out: 'o' }).then(() => 'launched', (e) => e.message);
      console.log(JSON.stringify({ launcher, error, waitedMs: Date.now() - started }));
    })();`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  const { launcher, error } = JSON.parse(result.stdout) as { launcher: number; error: string };
  assert.equal(error, `runner sh could not be started: the runner launcher (pid ${launcher}) did not answer a launch within 500 ms; killed it`);
  assert.ok(await eventually(() => !isAlive(launcher)));
});

test('an idle app exits: the launcher holds the event loop only while a launch or a runner is pending, then follows the app out', { skip }, async () => {
  const script = `
    const { RunnerStarter } = require(${JSON.stringify(path.resolve(__dirname, '../../src/main/launch/launch-runner.js'))});
    const runners = new RunnerStarter();
    (async () => {
      const started = Date.now();
      const runner = await runners.launch({ exe: 'sh', args: ['-c', 'sleep 0.5'] }, { in: 'i', out: 'o' });
      console.log(JSON.stringify({ launcher: runners.launcherPid(), runner: runner.pid }));
      runner.exited.then((exit) => console.log(JSON.stringify({ exit, afterMs: Date.now() - started })));
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0, `the app exited by itself (output ${out})`);
  const [first, second] = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(second!.exit, { code: 0, signal: null }, 'it stayed for its runner');
  assert.ok(await eventually(() => !isAlive(first!.launcher as number)), 'the launcher followed it out');
});

test('dispose() ends its launcher and every runner tree it still holds, and no launcher starts after it', { skip }, async () => {
  const own = new RunnerStarter();
  const live = await own.launch(shellRunner('sleep 300 & echo $! >&2; wait'), names);
  const [sleeper] = await stderrPids(live, 1);
  const launcher = own.launcherPid()!;
  assert.notEqual(launcher, runners.launcherPid(), 'a launcher of its own');
  await own.dispose();
  assert.equal(isAlive(launcher), false, 'the launcher has exited when dispose() returns');
  assert.equal(own.launcherPid(), undefined);
  assert.deepEqual(await live.exited, { code: null, signal: null, lost: `was lost with its launcher: the runner launcher (pid ${launcher}) was closed` });
  assert.ok(await eventually(() => !isAlive(live.pid) && !isAlive(sleeper!)), 'the launcher ended the runner and its tree');
  await assert.rejects(own.launch(shellRunner('exit 0'), names), { name: 'RunnerLaunchError', message: 'runner sh could not be started: its runner launcher was closed with its session manager' });
  await own.dispose(); // twice is once
  // The other launcher is untouched.
  const ok = await runners.launch(shellRunner('exit 0'), names);
  assert.deepEqual(await ok.exited, { code: 0, signal: null });
});

const brokenLauncher = path.join(scratch, 'broken-launcher.js');
writeFileSync(brokenLauncher, "process.stderr.write('boom\\n'); process.exit(1);\n");

const fallbackCases: [what: string, script: string, why: RegExp][] = [
  ['a missing launcher script', '/nonexistent/codex-runner-launcher.js', /^the runner launcher script \/nonexistent\/codex-runner-launcher\.js is missing \(scripts\/bundle\.mjs builds it next to the runner\)$/],
  ['a launcher that dies at start', brokenLauncher, /^the runner launcher \(pid \d+\) exited with code 1; launcher stderr: boom$/],
];
for (const [what, script, why] of fallbackCases) {
  test(`${what}: runners are launched directly, a warning says why, and the launcher is not retried at every launch`, { skip }, async () => {
    const child = `
      const { RunnerStarter } = require(${JSON.stringify(path.resolve(__dirname, '../../src/main/launch/launch-runner.js'))});
      const runners = new RunnerStarter({ script: ${JSON.stringify(script)} });
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
      (async () => {
        const runner = await runners.launch({ exe: 'sh', args: ['-c', 'echo $PPID >&2'] }, { in: 'i', out: 'o' });
        await runner.exited;
        await runners.launch({ exe: 'sh', args: ['-c', 'exit 0'] }, { in: 'i', out: 'o' }).then((r) => r.exited);
        await new Promise((r) => setImmediate(r));
        console.log(JSON.stringify({ parent: Number(runner.stderrTail()), me: process.pid, launcher: runners.launcherPid() ?? null, warnings }));
      })();`;
    const result = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 0, result.stderr);
    const { parent, me, launcher, warnings } = JSON.parse(result.stdout) as { parent: number; me: number; launcher: null; warnings: string[] };
    assert.equal(parent, me, 'spawned directly');
    assert.equal(launcher, null);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    const [warning] = warnings as [string];
    const prefix = 'CodexRunnerIpcWarning: ';
    const suffix = "; launching runners directly (on this thread, and a runner that dies leaves its command's orphans)";
    assert.ok(warning.startsWith(prefix) && warning.endsWith(suffix), warning);
    assert.match(warning.slice(prefix.length, -suffix.length), why);
  });
}

test('bad launcher settings are refused by name', () => {
  assert.throws(() => new RunnerStarter(null as unknown as object), /^TypeError: runner launcher options must be an object, got null$/);
  assert.throws(() => new RunnerStarter({ script: '' }), /^TypeError: runner launcher script must be a non-empty path, got ""$/);
  assert.throws(() => new RunnerStarter({ enabled: 'yes' as unknown as boolean }), /^TypeError: runner launcher enabled must be a boolean, got "yes"$/);
  assert.throws(() => new RunnerStarter({ answerTimeoutMs: 0 }), /^TypeError: runner launcher answerTimeoutMs must be an integer 1\.\.2147483647, got 0$/);
});
