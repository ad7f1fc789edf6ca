// The Unix pipe pair: private directory and sockets, one client per pipe, the peer's pid from
// the kernel, cancellable waits that do not hold the process open, and cleanup at any stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRunnerPipePair } from '../../../src/os/runner-pipes';
import { posixOnly } from '../../helpers/platform';

const skip = posixOnly('Unix sockets; on Windows the pipes are named pipes (test/win32/named-pipe-pair.test.ts)');

/** A separate process that connects to both pipes and stays until its sockets close. */
function connectFromChild(names: { in: string; out: string }) {
  const script = `const net=require('net');let n=0;for(const p of process.argv.slice(1)){const s=net.connect(p);s.on('connect',()=>{if(++n===2)process.stdout.write('connected\\n')});s.on('close',()=>process.exit(0));s.on('error',()=>process.exit(5));s.resume()}`;
  return spawn(process.execPath, ['-e', script, names.in, names.out], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('the directory is 0700, the sockets 0600, and close removes them', { skip }, async () => {
  const pair = await createRunnerPipePair();
  const dir = path.dirname(pair.names.in);
  assert.equal(path.dirname(pair.names.out), dir);
  assert.match(path.basename(dir), /^codex-runner-[0-9a-f]{32}$/);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const role of ['in', 'out'] as const) {
    assert.equal(statSync(pair.names[role]).mode & 0o777, 0o600);
    assert.ok(statSync(pair.names[role]).isSocket());
    assert.match(pair.describeAccess(role) ?? '', /^unix socket mode 0600 uid \d+, directory mode 0700$/);
  }
  await pair.close();
  await pair.close(); // idempotent
  assert.equal(existsSync(dir), false);
});

test('the kernel names the connecting process; a second client is refused; the socket file goes once taken', { skip }, async () => {
  const pair = await createRunnerPipePair();
  const child = connectFromChild(pair.names);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  try {
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const signal = AbortSignal.timeout(10_000);
    await pair.waitForClient('in', signal);
    await pair.waitForClient('out', signal);
    assert.equal(pair.clientProcessId('in'), child.pid);
    assert.equal(pair.clientProcessId('out'), child.pid);
    assert.notEqual(pair.clientProcessId('in'), process.pid);
    // Taken pipes are unlinked: nobody else can even find them.
    await new Promise<void>((resolve) => {
      const check = () => (existsSync(pair.names.in) ? setTimeout(check, 10) : resolve());
      check();
    });
    const second = net.connect(pair.names.in);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => second.once('error', resolve));
    assert.equal(err.code, 'ENOENT');
    const stream = pair.openStream('in');
    assert.throws(() => pair.openStream('in'), /^Error: pipe-in stream already opened$/);
    stream.end();
  } finally {
    await pair.close();
  }
  assert.equal(await exited, 0, 'the client saw its sockets close when the pair closed');
});

test('before a client: clientProcessId and openStream say there is none', { skip }, async () => {
  const pair = await createRunnerPipePair();
  try {
    assert.throws(() => pair.clientProcessId('out'), /^Error: no peer credentials for pipe-out$/);
    assert.throws(() => pair.openStream('out'), /^Error: pipe-out has no client$/);
  } finally {
    await pair.close();
  }
});

test('an aborted wait rejects with the abort reason; waits after close are refused', { skip }, async () => {
  const pair = await createRunnerPipePair();
  const controller = new AbortController();
  const waiting = pair.waitForClient('in', controller.signal);
  controller.abort(new Error('gave up waiting'));
  await assert.rejects(waiting, /^Error: gave up waiting$/);
  const pre = new AbortController();
  pre.abort(new Error('already aborted'));
  await assert.rejects(pair.waitForClient('out', pre.signal), /already aborted/);
  await pair.close();
  await assert.rejects(pair.waitForClient('in', new AbortController().signal), /^Error: pipes already closed$/);
});

test('a pending wait does not keep the process alive', { skip }, () => {
  const pairModule = require.resolve('../../../src/os/runner-pipes');
  // The child waits forever with no timeout; it must still exit when nothing else is left to do.
  const script = `require(${JSON.stringify(pairModule)}).createRunnerPipePair().then(p=>{p.waitForClient('in',new AbortController().signal);process.on('exit',()=>{require('fs').rmSync(require('path').dirname(p.names.in),{recursive:true,force:true});console.log('exited by itself')})})`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'killed by the test timeout: the wait kept it alive');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'exited by itself\n');
});
