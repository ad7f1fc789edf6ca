// The launch admission queue: first come first served, and waiters that share one AbortSignal
// (a warm pool's launches all do) cost that signal one listener, not one each.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { Admission } from '../../src/main/session/admission';

test('20 launches queued on one shared signal add one abort listener to it, and abort rejects them all', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const admission = new Admission(1);
    const held = admission.tryAcquire()!;
    const shared = new AbortController();
    const queued = Array.from({ length: 20 }, () => admission.acquire(shared.signal));
    assert.equal(admission.queued, 20);
    assert.equal(getEventListeners(shared.signal, 'abort').length, 1);
    shared.abort(new Error('pool disposed'));
    const outcomes = await Promise.allSettled(queued);
    assert.deepEqual(outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).message), Array(20).fill('pool disposed'));
    assert.equal(admission.queued, 0);
    assert.equal(getEventListeners(shared.signal, 'abort').length, 0);
    held();
    assert.equal(admission.inFlight, 0);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.deepEqual(warnings.map((w) => w.name), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('slots go first come first served, across signals; a granted waiter leaves its signal without listeners', async () => {
  const admission = new Admission(1);
  const held = admission.tryAcquire()!;
  const a = new AbortController();
  const b = new AbortController();
  const order: string[] = [];
  const first = admission.acquire(a.signal).then((release) => (order.push('a1'), release));
  const second = admission.acquire(b.signal).then((release) => (order.push('b'), release));
  const third = admission.acquire(a.signal).then((release) => (order.push('a2'), release));
  held();
  (await first)();
  (await second)();
  const last = await third;
  assert.deepEqual(order, ['a1', 'b', 'a2']);
  assert.equal(getEventListeners(a.signal, 'abort').length, 0);
  assert.equal(getEventListeners(b.signal, 'abort').length, 0);
  last();
  assert.equal(admission.inFlight, 0);
});

test('aborting one signal rejects only its waiters; the others keep their place', async () => {
  const admission = new Admission(1);
  const held = admission.tryAcquire()!;
  const doomed = new AbortController();
  const kept = new AbortController();
  const gone = [admission.acquire(doomed.signal), admission.acquire(doomed.signal)];
  const stays = admission.acquire(kept.signal);
  doomed.abort(new Error('session disposed'));
  for (const g of gone) await assert.rejects(g, /session disposed/);
  assert.equal(admission.queued, 1);
  held();
  (await stays)();
  assert.equal(admission.inFlight, 0);
});
