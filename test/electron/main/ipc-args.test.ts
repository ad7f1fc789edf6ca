import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkArgs, IpcArgumentError } from '../../../electron/main/ipc-args';

test('a session id argument is checked for count, type, emptiness and length', () => {
  assert.deepEqual(checkArgs('ch', ['sessionId'], ['s1-abc']), ['s1-abc']);
  const refused = (args: unknown[], message: string) => assert.throws(() => checkArgs('ch', ['sessionId'], args), (err: unknown) => err instanceof IpcArgumentError && err.message === message);
  refused([], 'ch takes exactly one argument (a session id), got 0');
  refused(['a', 'b'], 'ch takes exactly one argument (a session id), got 2');
  refused([42], 'ch: session id must be a string, got number');
  refused([null], 'ch: session id must be a string, got null');
  refused([['s1']], 'ch: session id must be a string, got an array');
  refused([undefined], 'ch: session id must be a string, got undefined');
  refused([''], 'ch: session id is empty');
  refused(['x'.repeat(129)], 'ch: session id is 129 characters, the limit is 128');
  assert.deepEqual(checkArgs('ch', ['sessionId'], ['x'.repeat(128)]), ['x'.repeat(128)]);
});

test('channels without arguments refuse any', () => {
  assert.deepEqual(checkArgs('ch', [], []), []);
  assert.throws(() => checkArgs('ch', [], [1]), { name: 'IpcArgumentError', message: 'ch takes no arguments, got 1' });
});

test('a count mismatch names every argument the channel takes, and each is checked in turn', () => {
  assert.throws(() => checkArgs('ch', ['sessionId', 'sessionId'], ['a']), { message: 'ch takes exactly 2 arguments (a session id, a session id), got 1' });
  assert.throws(() => checkArgs('ch', ['sessionId', 'sessionId'], ['a', 7]), { message: 'ch: session id must be a string, got number' });
  assert.deepEqual(checkArgs('ch', ['sessionId', 'sessionId'], ['a', 'b']), ['a', 'b']);
});
