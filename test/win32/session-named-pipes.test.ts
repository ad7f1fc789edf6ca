// A whole Session over real named pipes with the project's runner (dist/runner/codex-command-runner.js)
// run by the Windows node.exe: the same code path an app uses on Windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Session, type SessionResult } from '../../src/main/session/session';
import type { SessionConfig } from '../../src/main/session/session-options';
import { bundledRunnerScript } from '../../src/main/launch/runner-spec';
import { currentUserSid } from '../../src/os/win32/sid';
import { eventually, isAlive } from '../helpers/process-state';
import { skipUnlessWindows as skip } from './win32-test-support';

async function run(options: Partial<SessionConfig> & { command: string[] }, input?: string): Promise<{ session: Session; result: SessionResult; stdout: string; stderr: string }> {
  const session = new Session({ allowUnenforcedPolicy: true, connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000, ...options });
  let stdout = '';
  let stderr = '';
  session.stdout.on('data', (d: Buffer) => (stdout += d));
  session.stderr.on('data', (d: Buffer) => (stderr += d));
  await session.start();
  if (input !== undefined) session.stdin.end(input);
  const result = await session.exited;
  return { session, result, stdout, stderr };
}

const node = process.execPath;
const TREE_CHILD = path.join(__dirname, 'runner', 'job-tree-child.js');

test('output on both streams and the exit code, with the pipes\' DACL in the status', { skip, timeout: 60_000 }, async () => {
  const { session, result, stdout, stderr } = await run({
    command: [node, '-e', "process.stdout.write('out ' + 'é'.repeat(3)); process.stderr.write('err'); process.exitCode = 7"],
  });
  assert.equal(result.error?.message, undefined);
  assert.deepEqual([result.state, result.exitCode, result.timedOut, result.endReason], ['exited', 7, false, 'exited']);
  assert.equal(stdout, 'out ééé');
  assert.equal(stderr, 'err');
  const status = session.status();
  const sddl = `D:(A;;GA;;;${currentUserSid()})`;
  assert.equal(status.pipes.in?.access, sddl);
  assert.equal(status.pipes.out?.access, sddl);
  assert.match(status.pipes.in!.name, /^\\\\\.\\pipe\\codex-runner-[0-9a-f]{32}-in$/);
  assert.equal(status.pipes.in?.clientPid, status.runnerPid);
  assert.deepEqual(
    status.stages.map((s) => s.stage),
    ['preparing', 'creating_pipes', 'launching_runner', 'connecting_in', 'connecting_out', 'verifying_client', 'spawn_sent', 'running', 'exited'],
  );
});

test('stdin reaches the command and comes back (echo), then close_stdin ends it', { skip, timeout: 60_000 }, async () => {
  const payload = 'line one\nline two ' + 'x'.repeat(100_000) + '\n';
  const { result, stdout } = await run({ command: [node, '-e', 'process.stdin.pipe(process.stdout)'], stdinOpen: true }, payload);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0]);
  assert.equal(stdout, payload);
});

test('terminate ends a command that would run for a minute', { skip, timeout: 60_000 }, async () => {
  const session = new Session({ allowUnenforcedPolicy: true, command: [node, '-e', "console.log('started'); setTimeout(() => {}, 60000)"], connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000, terminateGraceMs: 10_000 });
  const started = new Promise<void>((resolve) => session.stdout.on('data', (d: Buffer) => String(d).includes('started') && resolve()));
  await session.start();
  await started;
  session.terminate();
  const result = await session.exited;
  assert.equal(result.state, 'exited', result.error?.message);
  assert.equal(result.exitCode, 1); // upstream's TerminateProcess(h, 1)
});

/** This process's environment with `name` (in whatever case it has here) set to `value`. */
function envWith(name: string, value: string): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k.toUpperCase() !== name.toUpperCase())) as Record<string, string>;
  return { ...env, [name]: value };
}

/** Whether `pid` has ended within a few seconds (the job's end reaches every process at once, but not instantly). */
async function gone(pid: number): Promise<boolean> {
  return eventually(() => !isAlive(pid), 5000);
}

// The runner starts the command in a kill-on-close job of its own: terminate ends the job, and with
// it every process the command started, however it started them (see job-tree-child.ts).
for (const mode of ['nested', 'nested-twice', 'detached'] as const) {
  test(`terminate ends the command's whole tree: a ${mode} grandchild goes too`, { skip, timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codex-session-tree-'));
    try {
      const session = new Session({ allowUnenforcedPolicy: true, command: [node, TREE_CHILD, mode, path.join(dir, 'grandchild.pid')], connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000, terminateGraceMs: 10_000 });
      let text = '';
      const grandchild = new Promise<number>((resolve) => session.stdout.on('data', (d: Buffer) => {
        const m = /grandchild (\d+)/.exec((text += d));
        if (m) resolve(Number(m[1]));
      }));
      await session.start();
      const grandchildPid = await grandchild;
      const childPid = session.status().childPid!;
      assert.ok(isAlive(grandchildPid) && isAlive(childPid), 'both run before terminate');
      session.terminate();
      const result = await session.exited;
      assert.deepEqual([result.state, result.exitCode], ['exited', 1], result.error?.message);
      // Windows has no signals: terminated, and the runner's exit frame carries no signal field.
      assert.deepEqual([result.endReason, result.signal], ['terminated', undefined]);
      assert.equal(await gone(childPid), true, 'the command is gone');
      assert.equal(await gone(grandchildPid), true, `its ${mode} grandchild is gone`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a bare command name is found on the request\'s PATH, not the runner\'s', { skip, timeout: 60_000 }, async () => {
  const env = envWith('PATH', path.dirname(node));
  const { result, stdout } = await run({ command: ['node', '-e', "process.stdout.write('found ' + process.execPath)"], env });
  assert.deepEqual([result.state, result.exitCode], ['exited', 0], result.error?.message);
  assert.equal(stdout.toLowerCase(), `found ${node}`.toLowerCase());
  // The same name, with node.exe's folder only where the runner itself lives, is not found.
  const system32 = envWith('PATH', 'C:\\windows\\system32');
  const missing = await run({ command: ['node', '-e', '1'], env: system32 });
  assert.equal(missing.result.state, 'failed');
  assert.equal(
    missing.result.error?.message,
    `runner failed during spawn_child: failed to spawn node: program "node" not found on the request's PATH "C:\\windows\\system32" (tried PATHEXT ${process.env.PATHEXT}, then the name as is in each folder; the runner's own folder and the working directory are not searched)`,
  );
});

test('a command that cannot start fails with the runner\'s spawn_failed reason', { skip, timeout: 60_000 }, async () => {
  const { result } = await run({ command: ['Z:\\no\\such\\program.exe'] });
  assert.equal(result.state, 'failed');
  assert.match(result.error!.message, /^runner failed during spawn_child: /);
});

test('pipes opened by a process other than the runner are refused at verifying_client', { skip, timeout: 60_000 }, async () => {
  // The "runner" hands its pipe names to a child of its own, which connects: the pid is wrong.
  const proxy = `
    const { spawn } = require('child_process');
    spawn(process.execPath, [${JSON.stringify(bundledRunnerScript())}, ...process.argv.slice(1)], { stdio: 'ignore' });
    setTimeout(() => {}, 60000);
  `;
  const { session, result } = await run({ command: [node, '-e', '1'], runner: { exe: node, args: ['-e', proxy, '--'] } });
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'verifying_client');
  const status = session.status();
  assert.notEqual(status.pipes.in?.clientPid, status.runnerPid);
  assert.equal(result.error?.message, `pipe-in client pid ${status.pipes.in?.clientPid} did not match runner pid ${status.runnerPid}; refused it`);
});

test('a runner that never connects fails at connecting_in, naming the pipe and the runner\'s fate', { skip, timeout: 60_000 }, async () => {
  const { result } = await run({
    command: [node, '-e', '1'],
    runner: { exe: node, args: ['-e', "process.stderr.write('cannot reach the pipes'); process.exit(3)", '--'] },
  });
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'connecting_in');
  assert.match(result.error!.message, /runner pid \d+ exited with code 3 before connecting to pipe-in; runner stderr: cannot reach the pipes/);
});

test('16 MiB of binary output arrive intact (sha256), through Node streams on the pipe handles', { skip, timeout: 120_000 }, async () => {
  const script = `
    const { createHash } = require('crypto');
    const hash = createHash('sha256');
    let left = 16 * 1024 * 1024, seed = 1;
    const chunk = () => { const b = Buffer.alloc(65536); for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24; return b; };
    const pump = () => { while (left > 0) { const b = chunk(); left -= b.length; hash.update(b); if (!process.stdout.write(b)) return process.stdout.once('drain', pump); } process.stderr.write(hash.digest('hex')); };
    pump();`;
  const session = new Session({ allowUnenforcedPolicy: true, command: [node, '-e', script], connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000 });
  const hash = createHash('sha256');
  let bytes = 0;
  let stderr = '';
  session.stdout.on('data', (d: Buffer) => {
    bytes += d.length;
    hash.update(d);
  });
  session.stderr.on('data', (d: Buffer) => (stderr += d));
  await session.start();
  const result = await session.exited;
  assert.equal(result.exitCode, 0, result.error?.message);
  assert.equal(bytes, 16 * 1024 * 1024);
  assert.equal(hash.digest('hex'), stderr);
  assert.equal(session.status().traffic.stdout.bytes, bytes);
});

test('a runner that stays alive but never connects: timeout, runner killed, error names pipe and fate', { skip, timeout: 60_000 }, async () => {
  const { session, result } = await run({ command: [node, '-e', '1'], connectTimeoutMs: 500, runner: { exe: node, args: ['-e', 'setTimeout(() => {}, 60000)', '--'] } });
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'connecting_in');
  assert.equal(result.error?.message, `runner did not connect to pipe-in within 500 ms (runner pid ${session.status().runnerPid} was still running; killed it)`);
});

test("this project's runner refuses a sandboxed profile unless the caller opts in; full access needs no opt-in", { skip, timeout: 60_000 }, async () => {
  const refused = new Session({ command: [node, '-e', '1'], permissions: 'read-only', connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000 });
  await refused.start();
  const result = await refused.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'spawn_sent');
  assert.match(result.error!.message, /^runner failed during spawn_child: runner: this runner cannot enforce the requested permission profile .*allowUnenforcedPolicy$/);
  assert.deepEqual(refused.status().policy, { profile: 'read-only', enforced: false, note: "not enforced: this project's runner refuses it (set allowUnenforcedPolicy to run it anyway)" });

  const opted = await run({ command: [node, '-e', "process.stdout.write('ran')"], permissions: 'read-only' });
  assert.equal(opted.stdout, 'ran');
  assert.equal(opted.session.status().policy.note, "not enforced: this project's runner runs it as its own account (allowUnenforcedPolicy)");

  const full = new Session({ command: [node, '-e', '1'], permissions: 'full-access', connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000 });
  await full.start();
  assert.equal((await full.exited).state, 'exited');
  assert.equal(full.status().policy.note, 'full access: nothing to enforce');
});

test('protocol versions over named pipes: auto finds a runner pinned to version 3, and version 6 by default', { skip, timeout: 120_000 }, async () => {
  const newest = await run({ command: [node, '-e', "process.stdout.write('v6')"] });
  assert.equal(newest.stdout, 'v6');
  assert.equal(newest.session.status().protocol?.version, 6);
  const pinned = await run({ command: [node, '-e', "process.stdout.write('v3'); process.exitCode = 4"], runner: { exe: node, args: [bundledRunnerScript(), '--protocol=3', '--allow-unenforced-policy'] } });
  assert.deepEqual([pinned.result.state, pinned.result.exitCode, pinned.stdout], ['exited', 4, 'v3']);
  // Its refusal of 6 is a frame in its own version (as codex's version-3 runners answer): straight to 3.
  assert.deepEqual(pinned.session.status().protocol?.refused, [{ version: 6, reply: 'error spawn_failed: runner: unsupported protocol version 6' }]);
  assert.equal(pinned.session.status().protocol?.version, 3);
});
