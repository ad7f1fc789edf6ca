// The cross-process setup lock (platform/file-lock.ts, as cap_sid's): a live owner is waited for,
// a dead one of this pid space (currentPidSpace) is taken over at once, a pid from another pid
// space is never trusted (only the heartbeat's age counts), a wait can have a deadline, and a lock
// someone else holds is never removed on release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentPidSpace } from '../../src/os/pid-space';
import { acquireSetupLock } from '../../src/main/codex/sandbox-setup/setup-lock';

function lockFile(t: { after(fn: () => void): void }): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'setup-lock-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return path.join(root, '.sandbox-setup.lock');
}

/** A pid that existed and is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

test('a lock held by a live process waits; it is taken as soon as the owner releases it', async (t) => {
  const file = lockFile(t);
  const first = await acquireSetupLock(file);
  let waited = 0;
  const second = acquireSetupLock(file, { pollMs: 20, onWait: () => waited++ });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(waited, 1);
  await first.release();
  const held = await second;
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, held.owner.token);
  await held.release();
  assert.equal(existsSync(file), false);
});

test("a dead owner's lock in this pid space (as currentPidSpace names it, cap_sid's owner form) is taken over at once", async (t) => {
  const file = lockFile(t);
  writeFileSync(file, JSON.stringify({ pid: await deadPid(), space: await currentPidSpace(), token: 'old' }));
  let waited = false;
  const held = await acquireSetupLock(file, { onWait: () => (waited = true) });
  assert.equal(waited, false);
  const now = JSON.parse(readFileSync(file, 'utf8'));
  assert.notEqual(now.token, 'old');
  assert.deepEqual(now, { pid: process.pid, space: await currentPidSpace(), token: held.owner.token }, 'the owner names its pid space as cap_sid.lock does');
  await held.release();
});

test('a pid from another pid space is not trusted: a fresh lock waits, a stale one is taken by its age', async (t) => {
  const file = lockFile(t);
  const dead = await deadPid();
  writeFileSync(file, JSON.stringify({ pid: dead, space: 'linux:elsewhere:boot:pid:[1]', token: 'container' }));
  const controller = new AbortController();
  const waiting = acquireSetupLock(file, { pollMs: 20, staleMs: 60_000, signal: controller.signal });
  await new Promise((r) => setTimeout(r, 100));
  controller.abort(new Error('gave up'));
  await assert.rejects(waiting, /gave up/);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, 'container', 'a fresh lock of another pid space stays');

  const old = new Date(Date.now() - 120_000);
  utimesSync(file, old, old);
  const held = await acquireSetupLock(file, { staleMs: 60_000 });
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, held.owner.token);
  await held.release();
});

test('a wait with a deadline ends with LockError timeout naming the holder; the live holder keeps its lock', async (t) => {
  const file = lockFile(t);
  const holder = await acquireSetupLock(file);
  t.after(() => holder.release());
  const err = await acquireSetupLock(file, { pollMs: 20, deadlineMs: 150 }).then(() => undefined, (e: unknown) => e as Error & { problem?: string });
  assert.equal(err?.name, 'LockError');
  assert.equal(err?.problem, 'timeout');
  assert.match(err!.message, new RegExp(`held by pid ${process.pid} of `));
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, holder.owner.token);
});

test('the heartbeat keeps a long setup fresh; release never removes a lock another owner took over', async (t) => {
  const file = lockFile(t);
  const held = await acquireSetupLock(file, { staleMs: 200 });
  const old = new Date(Date.now() - 10_000);
  utimesSync(file, old, old);
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(Date.now() - statSync(file).mtimeMs < 1000, 'the heartbeat touched it');
  writeFileSync(file, JSON.stringify({ pid: process.pid, token: 'taker' }));
  await held.release();
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).token, 'taker');
});

test('an unparseable lock (being written, or not ours) is judged by its age only', async (t) => {
  const file = lockFile(t);
  writeFileSync(file, '{"pid": 1');
  const controller = new AbortController();
  const waiting = acquireSetupLock(file, { pollMs: 20, signal: controller.signal });
  await new Promise((r) => setTimeout(r, 80));
  controller.abort(new Error('stop'));
  await assert.rejects(waiting, /stop/);
  const old = new Date(Date.now() - 120_000);
  utimesSync(file, old, old);
  const held = await acquireSetupLock(file);
  await held.release();
  assert.equal(existsSync(file), false);
});
