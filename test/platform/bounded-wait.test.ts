// The one "wait for this, bounded by a signal and a timeout" helper: every way a wait ends gives
// the caller the right outcome, a value that arrives after the caller stopped waiting goes to
// `late`, and nothing is left behind (no abort listener on the signal, no timer keeping a process up).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import * as path from 'node:path';
import { test } from 'node:test';
import { boundedWait, delay, WaitTimeoutError } from '../../src/util/bounded-wait';

/** A promise settled by hand. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(err: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('without a signal or a timeout, the work itself is returned', () => {
  const work = Promise.resolve(1);
  assert.equal(boundedWait(work), work);
  assert.equal(boundedWait(work, { timeoutMs: null }), work);
});

test("the work's value, and its error, pass through; the listener is removed either way", async () => {
  const abort = new AbortController();
  const ok = deferred<string>();
  const waiting = boundedWait(ok.promise, { signal: abort.signal, timeoutMs: 60_000 });
  assert.equal(listeners(abort.signal), 1);
  ok.resolve('done');
  assert.equal(await waiting, 'done');
  assert.equal(listeners(abort.signal), 0);

  const failing = deferred<string>();
  const failed = boundedWait(failing.promise, { signal: abort.signal, timeoutMs: 60_000 });
  const boom = new Error('boom');
  failing.reject(boom);
  await assert.rejects(failed, (err) => err === boom);
  assert.equal(listeners(abort.signal), 0);
  abort.abort(new Error('too late to matter')); // after the outcome: nothing changes, nothing throws
});

test('a signal aborted before the wait: its reason at once, and the value that still arrives goes to late', async () => {
  const abort = new AbortController();
  const reason = new Error('gone already');
  abort.abort(reason);
  const work = deferred<number>();
  const late: number[] = [];
  const waiting = boundedWait(work.promise, { signal: abort.signal, late: (v) => late.push(v) });
  await assert.rejects(waiting, (err) => err === reason);
  assert.equal(listeners(abort.signal), 0);
  work.resolve(7);
  await tick();
  assert.deepEqual(late, [7]);
});

test('an abort during the wait: its reason at once (the work still pending), late gets the value, a late error is swallowed', async () => {
  const abort = new AbortController();
  const work = deferred<string>();
  const late: string[] = [];
  const waiting = boundedWait(work.promise, { signal: abort.signal, timeoutMs: 60_000, late: (v) => late.push(v) });
  const reason = new Error('session ended');
  abort.abort(reason);
  await assert.rejects(waiting, (err) => err === reason);
  assert.equal(listeners(abort.signal), 0);
  assert.equal(late.length, 0, 'nothing arrived yet');
  work.resolve('process 42');
  await tick();
  assert.deepEqual(late, ['process 42']);

  // A late rejection goes nowhere: no unhandled rejection, late not called.
  const abort2 = new AbortController();
  const failing = deferred<string>();
  const waiting2 = boundedWait(failing.promise, { signal: abort2.signal, late: (v) => late.push(v) });
  abort2.abort(new Error('stop'));
  await assert.rejects(waiting2, /stop/);
  failing.reject(new Error('failed after the wait stopped'));
  await tick();
  assert.deepEqual(late, ['process 42']);
});

test('a timeout without onTimeout: a WaitTimeoutError naming the time; late gets a value after it', async () => {
  const abort = new AbortController();
  const work = deferred<string>();
  const late: string[] = [];
  const started = Date.now();
  const waiting = boundedWait(work.promise, { signal: abort.signal, timeoutMs: 30, late: (v) => late.push(v) });
  await assert.rejects(waiting, (err) => {
    assert.ok(err instanceof WaitTimeoutError, String(err));
    assert.equal(err.timeoutMs, 30);
    assert.equal(err.message, 'timed out after 30 ms');
    return true;
  });
  assert.ok(Date.now() - started >= 25, 'not before the time');
  assert.equal(listeners(abort.signal), 0);
  work.resolve('late value');
  await tick();
  assert.deepEqual(late, ['late value']);
});

test("a timeout with onTimeout: that error, made only when the time is up", async () => {
  let made = 0;
  const mine = new Error('the helper did not answer');
  const work = deferred<void>();
  await assert.rejects(
    boundedWait(work.promise, {
      timeoutMs: 10,
      onTimeout: () => {
        made++;
        return mine;
      },
    }),
    (err) => err === mine,
  );
  assert.equal(made, 1);
  // Settled in time: onTimeout is never called.
  await boundedWait(Promise.resolve(), { timeoutMs: 10, onTimeout: () => (made++, mine) });
  await delay(20);
  assert.equal(made, 1);
});

test('delay: resolves after the time; an abort rejects at once with its reason and removes the listener', async () => {
  const abort = new AbortController();
  const started = Date.now();
  await delay(20, abort.signal);
  assert.ok(Date.now() - started >= 15);
  assert.equal(listeners(abort.signal), 0);

  const pending = delay(60_000, abort.signal);
  const reason = new Error('cancelled');
  abort.abort(reason);
  await assert.rejects(pending, (err) => err === reason);
  assert.equal(listeners(abort.signal), 0);
  await assert.rejects(delay(10, abort.signal), (err) => err === reason, 'an aborted signal rejects at once');
});

// No timer is left behind: a process whose waits all ended exits at once, though each wait had a
// timeout of a minute. (A leftover timer would hold it for that minute.)
test('no timer is left: a process whose waits ended exits at once', async () => {
  const helper = path.join(__dirname, '../../src/util/bounded-wait.js');
  const script = `
    const { boundedWait, delay } = require(${JSON.stringify(helper)});
    const minute = 60_000;
    (async () => {
      await boundedWait(Promise.resolve(1), { timeoutMs: minute });
      await boundedWait(Promise.reject(new Error('x')), { timeoutMs: minute }).catch(() => {});
      const a = new AbortController();
      const pending = boundedWait(new Promise(() => {}), { signal: a.signal, timeoutMs: minute });
      a.abort(new Error('stop'));
      await pending.catch(() => {});
      const b = new AbortController();
      const sleeping = delay(minute, b.signal);
      b.abort(new Error('stop'));
      await sleeping.catch(() => {});
      console.log('waits ended');
    })();
  `;
  const started = Date.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, out) => (err ? reject(err) : resolve(out)));
  });
  assert.equal(stdout.trim(), 'waits ended');
  assert.ok(Date.now() - started < 20_000, `exited after ${Date.now() - started} ms`);
});
