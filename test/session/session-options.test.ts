// Bad options are refused before anything exists: no pipes, no runner, no session in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from '../../src/session/session-manager';
import { validateSessionOptions, type SessionOptions } from '../../src/session/session-options';
import { liveDescendants, runnerSocketDirs, usePrivateTmpdir } from '../helpers/process-state';

// Other test files create socket directories in parallel; count only ours.
usePrivateTmpdir('options');

const refusals: [Record<string, unknown>, string][] = [
  [{ command: [] }, 'command must be a non-empty array of strings'],
  [{ command: 'ls -l' }, 'command must be a non-empty array of strings'],
  [{ command: ['ls', 1] }, 'command must be a non-empty array of strings'],
  [{ command: ['ls'], cwd: 42 }, 'session option "cwd" must be a string, got number 42'],
  [{ command: ['ls'], env: ['A=1'] }, 'session option "env" must be an object of strings, got an array'],
  [{ command: ['ls'], env: { A: '1', B: 2 } }, 'session option "env" must map names to strings; "B" is number 2'],
  [{ command: ['ls'], timeoutMs: -1 }, 'session option "timeoutMs" must be a non-negative integer or null, got number -1'],
  [{ command: ['ls'], timeoutMs: '100' }, 'session option "timeoutMs" must be a non-negative integer or null, got "100"'],
  [{ command: ['ls'], connectTimeoutMs: 0 }, 'session option "connectTimeoutMs" must be an integer 1..2147483647, got number 0'],
  [{ command: ['ls'], spawnReadyTimeoutMs: 2 ** 31 }, 'session option "spawnReadyTimeoutMs" must be an integer 1..2147483647, got number 2147483648'],
  [{ command: ['ls'], stdinOpen: 'yes' }, 'session option "stdinOpen" must be a boolean, got "yes"'],
  [{ command: ['ls'], runner: { exe: '' } }, 'session option "runner" must be an object { exe, args? } with a non-empty exe, got an object'],
  [{ command: ['ls'], runner: { exe: 'node', args: 'x.js' } }, 'session option "runner.args" must be an array of strings, got "x.js"'],
  [{ command: ['ls'], capSids: [1] }, 'session option "capSids" must be an array of strings, got an array'],
];

test('each bad option gets a TypeError naming it, and the manager starts nothing', () => {
  const manager = new SessionManager();
  const dirs = runnerSocketDirs();
  const children = liveDescendants();
  for (const [options, message] of refusals) {
    assert.throws(() => validateSessionOptions(options as unknown as SessionOptions), (err: unknown) => err instanceof TypeError && err.message === message, message);
    assert.throws(() => manager.start(options as unknown as SessionOptions), { name: 'TypeError', message });
  }
  assert.deepEqual(manager.list(), []);
  assert.deepEqual(liveDescendants(), children);
  assert.deepEqual(runnerSocketDirs(), dirs);
});

test('good options pass', () => {
  assert.doesNotThrow(() => validateSessionOptions({ command: ['ls'], timeoutMs: null, env: {}, cwd: '/', stdinOpen: true, runner: { exe: 'node', args: ['r.js'] } }));
  assert.doesNotThrow(() => validateSessionOptions({ command: ['ls'], timeoutMs: 0, connectTimeoutMs: 1 }));
});
