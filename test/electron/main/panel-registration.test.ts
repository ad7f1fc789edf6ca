import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelRegistration } from '../../../electron/main/panel-registration';

/** Records what the registration asks of the IPC layer: one entry per register, with its unregister count. */
function recorder() {
  const calls: { manager: string; windows: () => Iterable<string>; unregistered: number }[] = [];
  const registration = new PanelRegistration<string, string>((manager, windows) => {
    const call = { manager, windows, unregistered: 0 };
    calls.push(call);
    return () => void call.unregistered++;
  });
  return { calls, registration };
}

test('the handlers are registered once for the first panel window and shared by the next ones', () => {
  const { calls, registration } = recorder();
  registration.add('manager', 'w1');
  registration.add('manager', 'w2');
  assert.equal(calls.length, 1);
  assert.deepEqual([...calls[0]!.windows()], ['w1', 'w2']);
  assert.deepEqual(registration.windows(), ['w1', 'w2']);
});

test('the handlers go with the last panel window, and come back with the next one', () => {
  const { calls, registration } = recorder();
  const release1 = registration.add('manager', 'w1');
  const release2 = registration.add('manager', 'w2');
  release1();
  assert.equal(calls[0]!.unregistered, 0);
  assert.deepEqual([...calls[0]!.windows()], ['w2']);
  release2();
  assert.equal(calls[0]!.unregistered, 1);
  assert.deepEqual(registration.windows(), []);
  registration.add('manager', 'w3');
  assert.equal(calls.length, 2);
  assert.deepEqual([...calls[1]!.windows()], ['w3']);
});

test('releasing twice (close() and the window\'s closed event) unregisters once', () => {
  const { calls, registration } = recorder();
  const release = registration.add('manager', 'w1');
  release();
  release();
  assert.equal(calls[0]!.unregistered, 1);
  // A stale release from the first registration leaves the second one alone.
  registration.add('manager', 'w1');
  release();
  assert.equal(calls[1]!.unregistered, 0);
  assert.deepEqual(registration.windows(), ['w1']);
});

test('a panel over a second manager while the first one\'s panels are open is refused, naming why', () => {
  const { calls, registration } = recorder();
  const release = registration.add('first', 'w1');
  assert.throws(() => registration.add('second', 'w2'), /already registered for another SessionManager: close its panel windows first/);
  assert.deepEqual(registration.windows(), ['w1']);
  release();
  registration.add('second', 'w2');
  assert.deepEqual(calls.map((c) => c.manager), ['first', 'second']);
});
