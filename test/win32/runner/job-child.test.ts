// The runner's Windows child for real: CreateProcessW with a handle list, a kill-on-close job, pipes
// handed to Node, the Windows node.exe as the child (Wine's kernel32 under `npm run test:wine`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { spawnJobChild, type JobChild } from '../../../src/runner/win32/job-child';
import { socketForHandle } from '../../../src/os/win32/handle-stream';
import { HANDLE_FLAG_INHERIT, processApi, SYNCHRONIZE, WAIT_OBJECT_0 } from '../../../src/os/win32/process-api';
import { win32 } from '../../../src/os/win32/win32-api';
import { OutputWatch } from '../../helpers/output-watch';
import { processHandleCount, skipUnlessWindows as skip } from '../win32-test-support';

const node = process.execPath;
const TREE_CHILD = path.join(__dirname, 'job-tree-child.js');
/** The test's own environment: PATH for lookups, NODE_PATH so children find the Windows koffi. */
const env = { ...process.env } as Record<string, string>;

/** Collects a child's two streams apart, and its exit and close. */
function watch(child: JobChild) {
  const stdout = new OutputWatch();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => stdout.append(d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code: number | null) => resolve(code)));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
  const spawned = new Promise<void>((resolve) => child.once('spawn', resolve));
  void exited.then(() => stdout.end(`exited (stderr: ${JSON.stringify(stderr)})`));
  return {
    spawned,
    exited,
    closed,
    get stdout() {
      return stdout.text;
    },
    get stderr() {
      return stderr;
    },
    waitFor: (pattern: RegExp) => stdout.waitFor(pattern),
  };
}

/** Whether process `pid` has ended within `ms` (OpenProcess + a zero wait, polled: the loop keeps running). */
async function processEnds(pid: number, ms: number): Promise<boolean> {
  const api = processApi();
  const handle = api.OpenProcess(SYNCHRONIZE, 0, pid);
  if (!handle) return true; // no such process any more
  try {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
      if (api.WaitForSingleObject(handle, 0) === WAIT_OBJECT_0) return true;
    }
    return api.WaitForSingleObject(handle, 0) === WAIT_OBJECT_0;
  } finally {
    win32().CloseHandle(handle);
  }
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'codex-job-child-'));
}

test('stdout and stderr arrive apart, the exit code is the child\'s, then close', { skip, timeout: 60_000 }, async () => {
  const child = spawnJobChild(node, ['-e', "process.stdout.write('to out ' + 'é'.repeat(3)); process.stderr.write('to err'); process.exitCode = 7"], { cwd: __dirname, env, stdinOpen: false });
  const io = watch(child);
  await io.spawned;
  assert.ok(child.pid! > 0);
  assert.equal(child.stdin, null);
  assert.equal(await io.exited, 7);
  assert.equal(await io.closed, 7);
  assert.equal(io.stdout, 'to out ééé');
  assert.equal(io.stderr, 'to err');
  assert.equal(child.exitCode, 7);
  assert.equal(child.kill(), false, 'nothing left to kill after the exit');
});

test('stdin reaches the child and ending it is the child\'s end of input', { skip, timeout: 60_000 }, async () => {
  const payload = 'line one\nline two ' + 'x'.repeat(200_000) + '\n';
  const child = spawnJobChild(node, ['-e', "let n = 0; process.stdin.on('data', (d) => { n += d.length; process.stdout.write(d); }); process.stdin.on('end', () => process.stderr.write('eof after ' + n))"], { cwd: __dirname, env, stdinOpen: true });
  const io = watch(child);
  await io.spawned;
  child.stdin!.end(payload);
  assert.equal(await io.closed, 0);
  assert.equal(io.stdout, payload);
  assert.equal(io.stderr, `eof after ${Buffer.byteLength(payload)}`);
});

test('stdinOpen false: the child reads end-of-file at once', { skip, timeout: 60_000 }, async () => {
  const child = spawnJobChild(node, ['-e', "let n = 0; process.stdin.on('data', (d) => (n += d.length)); process.stdin.on('end', () => process.stdout.write('eof after ' + n))"], { cwd: __dirname, env, stdinOpen: false });
  const io = watch(child);
  assert.equal(await io.closed, 0);
  assert.equal(io.stdout, 'eof after 0');
});

for (const mode of ['nested', 'nested-twice', 'detached'] as const) {
  test(`kill() ends the whole tree: a ${mode} grandchild goes too`, { skip, timeout: 60_000 }, async () => {
    const dir = tempDir();
    try {
      const child = spawnJobChild(node, [TREE_CHILD, mode, path.join(dir, 'grandchild.pid')], { cwd: dir, env, stdinOpen: false });
      const io = watch(child);
      const grandchild = Number((await io.waitFor(/grandchild (\d+)/))[1]);
      assert.equal(await processEnds(grandchild, 0), false, 'the grandchild runs before the kill');
      assert.equal(child.kill(), true);
      assert.equal(child.killed, true);
      assert.equal(await io.closed, 1, 'TerminateJobObject(job, 1)');
      assert.equal(await processEnds(child.pid!, 5000), true, 'the child is gone');
      assert.equal(await processEnds(grandchild, 5000), true, `the ${mode} grandchild ${grandchild} is gone`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a grandchild asking CREATE_BREAKAWAY_FROM_JOB cannot outlive the tree', { skip, timeout: 60_000 }, async () => {
  // The job allows no breakaway: Windows refuses such a CreateProcess with ERROR_ACCESS_DENIED (5).
  // If it starts anyway, it must still be in the job and die with it.
  const dir = tempDir();
  try {
    const child = spawnJobChild(node, [TREE_CHILD, 'breakaway', path.join(dir, 'grandchild.pid')], { cwd: dir, env, stdinOpen: false });
    const io = watch(child);
    const [line, verb, value] = await io.waitFor(/(grandchild|refused) (\d+)/);
    child.kill();
    assert.equal(await io.closed, 1);
    if (verb === 'refused') {
      assert.equal(value, '5', `${line}: refused with ERROR_ACCESS_DENIED`);
    } else {
      assert.equal(await processEnds(Number(value), 5000), true, `the grandchild ${value} that asked to break away is gone`);
    }
    process.stdout.write(`# CREATE_BREAKAWAY_FROM_JOB inside the job: ${line}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the child inherits its three pipe ends and nothing else of ours', { skip, timeout: 60_000 }, async () => {
  // An inheritable pipe of this process: a child that inherited its write end can write into it.
  // Node's own spawn inherits every inheritable handle (the control); a job child must not.
  const api = { ...win32(), ...processApi() };
  const leakedInto = async (start: (writeHandle: number) => Promise<void>): Promise<string> => {
    const read: [number] = [0];
    const write: [number] = [0];
    assert.ok(api.CreatePipe(read, write, null, 0), 'CreatePipe');
    const pipe = socketForHandle(read[0], 'readable');
    let got = '';
    pipe.on('data', (d: Buffer) => (got += d.toString()));
    const ended = once(pipe, 'end');
    try {
      assert.ok(api.SetHandleInformation(write[0], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT), 'made inheritable');
      await start(write[0]);
    } finally {
      api.CloseHandle(write[0]); // the last writer, unless a child still holds a copy
    }
    await ended;
    pipe.destroy();
    return got;
  };
  const control = await leakedInto(async (handle) => {
    const child = spawn(node, [TREE_CHILD, 'handle', String(handle)], { stdio: 'ignore' });
    await once(child, 'close');
  });
  assert.equal(control, 'LEAKED', 'control: child_process.spawn hands every inheritable handle down');
  const leaked = await leakedInto(async (handle) => {
    const child = spawnJobChild(node, [TREE_CHILD, 'handle', String(handle)], { cwd: __dirname, env, stdinOpen: false });
    const io = watch(child);
    assert.equal(await io.closed, 0);
  });
  assert.equal(leaked, '', 'the job child could not reach our pipe');
});

test('a program that is not on the request\'s PATH fails before anything is created', { skip }, () => {
  const before = processHandleCount();
  const searchPath = 'C:\\windows\\system32';
  assert.throws(() => spawnJobChild('codex-no-such-program', [], { cwd: __dirname, env: { PATH: searchPath }, stdinOpen: false }), {
    message: `program "codex-no-such-program" not found on the request's PATH "${searchPath}" (tried PATHEXT .COM;.EXE;.BAT;.CMD, then the name as is in each folder; the runner's own folder and the working directory are not searched)`,
  });
  assert.throws(() => spawnJobChild(node, [], { cwd: __dirname, env: { 'A=B': '1' }, stdinOpen: false }), /environment variable "A=B" cannot be passed/);
  assert.throws(() => spawnJobChild(node, [], { cwd: 'Z:\\no\\such\\folder', env, stdinOpen: false }), /^Win32Error: CreateProcessW\(.+\) failed: error 267 /);
  assert.equal(processHandleCount(), before, 'no handle left behind by a failed start');
});

test('many children spawned, streamed, killed and released leave no handle behind', { skip, timeout: 120_000 }, async () => {
  const once = async (i: number) => {
    const child = spawnJobChild(node, ['-e', i % 3 === 2 ? 'setInterval(() => {}, 1000); console.log("up")' : 'process.stdin.pipe(process.stdout)'], { cwd: __dirname, env, stdinOpen: i % 3 !== 1 });
    const io = watch(child);
    if (i % 3 === 0) child.stdin!.end('echo');
    if (i % 3 === 2) {
      await io.waitFor(/up/);
      child.kill();
    }
    await io.closed;
    await new Promise((resolve) => setImmediate(resolve));
  };
  for (let i = 0; i < 3; i++) await once(i); // warm up Node's own handles
  const before = processHandleCount();
  for (let i = 0; i < 30; i++) await once(i);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = processHandleCount();
  // Each child holds a job, a process, a thread and 3-6 pipe handles: a leak per child shows as >= 30.
  assert.equal(after, before, `handle count went from ${before} to ${after}`);
});
