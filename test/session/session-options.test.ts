// Bad options are refused before anything exists: no pipes, no runner, no session in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from '../../src/main/session/session-manager';
import { validateSessionOptions, type SessionOptions } from '../../src/main/session/session-options';
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
  [{ command: ['ls'], timeoutMs: -1 }, 'session option "timeoutMs" must be an integer 1..2147483647, or null (or left out) for no timeout, got number -1'],
  [{ command: ['ls'], timeoutMs: '100' }, 'session option "timeoutMs" must be an integer 1..2147483647, or null (or left out) for no timeout, got "100"'],
  // Past 2^31-1 a Node timer fires at once: a queued session failed at once (TimeoutOverflowWarning).
  // 0 meant "no timeout" here and "time out at once" to codex's runner: refused, one meaning left.
  [{ command: ['ls'], timeoutMs: 0 }, 'session option "timeoutMs" must be an integer 1..2147483647, or null (or left out) for no timeout, got number 0'],
  [{ command: ['ls'], timeoutMs: 2 ** 31 }, 'session option "timeoutMs" must be an integer 1..2147483647, or null (or left out) for no timeout, got number 2147483648'],
  [{ command: ['ls'], queueTimeoutMs: 2 ** 31 }, 'session option "queueTimeoutMs" must be an integer 1..2147483647, got number 2147483648'],
  [{ command: ['ls'], connectTimeoutMs: 0 }, 'session option "connectTimeoutMs" must be an integer 1..2147483647, got number 0'],
  [{ command: ['ls'], spawnReadyTimeoutMs: 2 ** 31 }, 'session option "spawnReadyTimeoutMs" must be an integer 1..2147483647, got number 2147483648'],
  [{ command: ['ls'], stdinOpen: 'yes' }, 'session option "stdinOpen" must be a boolean, got "yes"'],
  [{ command: ['ls'], runner: { exe: '' } }, 'session option "runner" must be \'codex\' or an object { exe, args? } with a non-empty exe, got an object'],
  [{ command: ['ls'], runner: 'codex' }, 'session option "runner": \'codex\' needs "codexHome" (where codex keeps its runner)'],
  [{ command: ['ls'], sandbox: 'codex' }, 'session option "sandbox": \'codex\' needs "codexHome" (where codex keeps its sandbox users)'],
  [{ command: ['ls'], sandbox: { credentials: { password: 'x' } } }, 'session option "sandbox.credentials" needs "sandbox.username"'],
  [{ command: ['ls'], protocolVersion: 7 }, 'session option "protocolVersion" must be one of 6, 5, 4, 3, 2, 1 or "auto", got number 7'],
  [{ command: ['ls'], permissions: 'read-write' }, 'session option "permissions" must be one of "read-only", "workspace-write", "full-access" or a PermissionProfile object, got "read-write"'],
  [{ command: ['ls'], permissions: { type: 'managed', network: 'restricted' } }, 'session option "permissions".file_system: expected an object with "type"'],
  [{ command: ['ls'], workspaceRoots: ['/ok', 'relative/root'] }, 'session option "workspaceRoots": "relative/root" is not an absolute path'],
  [{ command: ['ls'], allowUnenforcedPolicy: 'yes' }, 'session option "allowUnenforcedPolicy" must be a boolean, got "yes"'],
  [{ command: ['ls'], runner: { exe: 'node', args: 'x.js' } }, 'session option "runner.args" must be an array of strings, got "x.js"'],
  [{ command: ['ls'], runner: { exe: 'codex-command-runner.exe', kind: 'codex' } }, 'session option "runner": a spec of kind \'codex\' needs "codexHome" (codex\'s runner is prepared from it)'],
  [{ command: ['ls'], setupHelper: 'relative/setup.exe' }, 'session option "setupHelper" must be an absolute path, got "relative/setup.exe"'],
  [{ command: ['ls'], codexInstall: 'relative/codex' }, 'session option "codexInstall" must be an absolute path, got "relative/codex"'],
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

test('a spawn request over the frame limit is refused before anything starts, naming the part', () => {
  const manager = new SessionManager();
  const children = liveDescendants();
  const big = 'x'.repeat(9 * 1024 * 1024);
  assert.throws(() => manager.start({ command: ['echo', 'small', big] }), {
    name: 'RangeError',
    message: /^the spawn request would be 9\.0 MiB, over the runner protocol's 8\.0 MiB frame limit: command is 9\.0 MiB \(argument 2 alone is 9\.0 MiB\)$/,
  });
  assert.throws(() => manager.start({ command: ['true'], env: { SMALL: '1', HUGE: big } }), {
    name: 'RangeError',
    message: /: env is 9\.0 MiB \(HUGE alone is 9\.0 MiB\)$/,
  });
  assert.deepEqual(manager.list(), []);
  assert.deepEqual(liveDescendants(), children);
});

test('a manager refuses to keep a password in its defaults', () => {
  assert.throws(() => new SessionManager({ defaults: { sandbox: { username: 'u', credentials: { password: 'secret' } } } }), {
    name: 'TypeError',
    message: "session manager defaults must not hold a password: give sandbox.credentials.password as a function that fetches it, or use sandbox: 'codex'",
  });
  assert.doesNotThrow(() => new SessionManager({ defaults: { sandbox: { username: 'u', credentials: { password: async () => 'secret' } } } }));
});

test('good options pass', () => {
  assert.doesNotThrow(() => validateSessionOptions({ command: ['ls'], timeoutMs: null, env: {}, cwd: '/', stdinOpen: true, runner: { exe: 'node', args: ['r.js'] } }));
  assert.doesNotThrow(() => validateSessionOptions({ command: ['ls'], timeoutMs: 1, connectTimeoutMs: 1 }));
});

test('the manager refuses warm-runner options a timer or the cap cannot hold', () => {
  assert.throws(() => new SessionManager({ warmRunners: 1, warmIdleMs: 2 ** 31 }), { name: 'RangeError', message: 'warmIdleMs must be an integer 1..2147483647, got 2147483648' });
  assert.throws(() => new SessionManager({ warmRunners: 2, maxWarmRunners: 1 }), { name: 'RangeError', message: 'maxWarmRunners must be an integer 2..256 (at least warmRunners), got 1' });
});
