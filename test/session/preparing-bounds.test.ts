// `preparing` is bounded by the session's end: a step in it that waits on the file system for
// good (here: materializing a runner whose source is a FIFO nobody writes, so copyFile waits in
// open(2)) must not keep dispose() from returning.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { SessionManager } from '../../src/main/session/session-manager';
import { posixOnly } from '../helpers/platform';

const dir = mkdtempSync(path.join(os.tmpdir(), 'preparing-bounds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('dispose() during a preparing step that never finishes returns, failed in preparing', { skip: posixOnly('mkfifo') }, async () => {
  const fifo = path.join(dir, 'runner-source.js');
  execFileSync('mkfifo', [fifo]);
  const manager = new SessionManager();
  try {
    const session = manager.start({
      command: ['true'],
      runner: { kind: 'custom', spec: { exe: process.execPath, args: [fifo], materialize: fifo, kind: 'custom' }, codexHome: path.join(dir, 'home'), allowUnenforcedPolicy: true },
      permissions: 'read-only',
    });
    assert.equal(session.state, 'preparing');
    await new Promise((r) => setTimeout(r, 200)); // let the copy reach open(2) on the FIFO
    const result = await session.dispose();
    assert.equal(result.state, 'failed');
    assert.deepEqual([result.error?.stage, result.error?.message], ['preparing', 'session disposed during preparing']);
  } finally {
    // The parked copy gets its end of file (open read-write never blocks), so its thread comes back.
    closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
    await manager.dispose();
  }
});

test('a preparing step that finishes after dispose() cannot move the ended session back to a setup stage', { skip: posixOnly('mkfifo') }, async () => {
  const fifo = path.join(dir, 'late-source.js');
  const home = path.join(dir, 'late-home');
  execFileSync('mkfifo', [fifo]);
  const manager = new SessionManager();
  try {
    // kind 'codex': once the runner is materialized, the launch plan goes on to preparing_sandbox.
    const session = manager.start({
      command: ['true'],
      runner: { kind: 'codex', spec: { exe: process.execPath, args: [fifo], materialize: fifo }, codexHome: home, refreshSandbox: false },
      sandbox: 'current',
      permissions: 'read-only',
    });
    await new Promise((r) => setTimeout(r, 200)); // the copy waits in open(2) on the FIFO
    const result = await session.dispose();
    assert.equal(result.state, 'failed');
    // Let the abandoned copy finish: the plan then reaches its next stage report, after the end.
    closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
    const copied = path.join(home, '.sandbox-bin', 'late-source.js');
    for (let i = 0; i < 200 && !existsSync(copied); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(existsSync(copied), 'the abandoned materialization finished');
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    const status = session.status();
    assert.equal(status.state, 'failed');
    assert.equal(status.stages.at(-1)?.stage, 'failed');
    assert.ok(!status.stages.some((s) => s.stage === 'preparing_sandbox'), JSON.stringify(status.stages));
  } finally {
    await manager.dispose();
  }
});

test('timeoutMs bounds preparing too: a step that never finishes fails the session at its bound, naming the stage', { skip: posixOnly('mkfifo') }, async () => {
  const fifo = path.join(dir, 'bounded-source.js');
  execFileSync('mkfifo', [fifo]);
  const manager = new SessionManager();
  try {
    const session = manager.start({
      command: ['true'],
      runner: { kind: 'custom', spec: { exe: process.execPath, args: [fifo], materialize: fifo, kind: 'custom' }, codexHome: path.join(dir, 'bounded-home'), allowUnenforcedPolicy: true },
      permissions: 'read-only',
      timeoutMs: 500,
    });
    const result = await session.exited;
    assert.deepEqual([result.state, result.error?.stage, result.error?.message], ['failed', 'preparing', "not done within the session's timeoutMs (500 ms)"]);
  } finally {
    closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
    await manager.dispose();
  }
});
