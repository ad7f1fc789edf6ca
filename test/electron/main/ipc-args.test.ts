import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNoArgs, expectSessionId, IpcArgumentError } from '../../../electron/main/ipc-args';

test('a session id argument is checked for count, type, emptiness and length', () => {
  assert.deepEqual(expectSessionId('ch', ['s1-abc']), ['s1-abc']);
  const refused = (args: unknown[], message: string) => assert.throws(() => expectSessionId('ch', args), (err: unknown) => err instanceof IpcArgumentError && err.message === message);
  refused([], 'ch takes exactly one argument (a session id), got 0');
  refused(['a', 'b'], 'ch takes exactly one argument (a session id), got 2');
  refused([42], 'ch: session id must be a string, got number');
  refused([null], 'ch: session id must be a string, got null');
  refused([['s1']], 'ch: session id must be a string, got an array');
  refused([''], 'ch: session id is empty');
  refused(['x'.repeat(129)], 'ch: session id is 129 characters, the limit is 128');
});

test('channels without arguments refuse any', () => {
  assert.deepEqual(expectNoArgs('ch', []), []);
  assert.throws(() => expectNoArgs('ch', [1]), /ch takes no arguments, got 1/);
});
