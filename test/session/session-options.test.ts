// Bad options are refused before anything exists: no pipes, no runner, no session in the list.
// The flat SessionConfig the internals read (validateSessionConfig, what `new Session` checks) and
// the grouped SessionOptions an app gives the manager (public-options.ts), each bad value named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from '../../src/main/session/session-manager';
import { validateSessionConfig, type SessionConfig } from '../../src/main/session/session-options';
import { resolveSessionOptions, type SessionOptions } from '../../src/main/session/public-options';
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

test('each bad flat option gets a TypeError naming it', () => {
  for (const [options, message] of refusals) {
    assert.throws(() => validateSessionConfig(options as unknown as SessionConfig), (err: unknown) => err instanceof TypeError && err.message === message, message);
  }
});

const KNOWN = '(known: command, cwd, env, stdinOpen, tty, timeoutMs, permissions, workspaceRoots, sandbox, logDir, runner, timeouts, advanced)';
const MS = 'an integer 1..2147483647';
/** Grouped options an app might give, each refused with its path named. */
const groupedRefusals: [Record<string, unknown>, string][] = [
  [{ command: [] }, 'command must be a non-empty array of strings'],
  [{ command: ['ls'], cwd: 42 }, 'session option "cwd" must be a string, got number 42'],
  [{ command: ['ls'], env: { A: '1', B: 2 } }, 'session option "env" must map names to strings; "B" is number 2'],
  [{ command: ['ls'], timeoutMs: 0 }, 'session option "timeoutMs" must be an integer 1..2147483647, or null (or left out) for no timeout, got number 0'],
  [{ command: ['ls'], stdinOpen: 'yes' }, 'session option "stdinOpen" must be a boolean, got "yes"'],
  [{ command: ['ls'], tty: 1 }, 'session option "tty" must be a boolean, got number 1'],
  [{ command: ['ls'], logDir: false }, 'session option "logDir" must be a string, got boolean false'],
  [{ command: ['ls'], permissions: 'read-write' }, 'session option "permissions" must be one of "read-only", "workspace-write", "full-access" or a PermissionProfile object, got "read-write"'],
  [{ command: ['ls'], workspaceRoots: ['relative/root'] }, 'session option "workspaceRoots": "relative/root" is not an absolute path'],
  [{ command: ['ls'], sandbox: 'codex' }, 'session option "sandbox": \'codex\' needs "runner.codexHome" (where codex keeps its sandbox users)'],
  [{ command: ['ls'], sandbox: 'nobody' }, 'session option "sandbox" must be \'codex\', \'current\' or an object { username?, credentials? }, got "nobody"'],
  [{ command: ['ls'], sandbox: { credentials: { password: 'x' } } }, 'session option "sandbox.credentials" needs "sandbox.username"'],
  // the flat options of old, and unknown ones: refused, saying where each went
  [{ command: ['ls'], connectTimeoutMs: 1000 }, `unknown session option "connectTimeoutMs"; it is now timeouts.connectMs ${KNOWN}`],
  [{ command: ['ls'], protocolVersion: 3 }, `unknown session option "protocolVersion"; it is now advanced.protocolVersion ${KNOWN}`],
  [{ command: ['ls'], codexHome: '/h' }, `unknown session option "codexHome"; it is now runner.codexHome ${KNOWN}`],
  [{ command: ['ls'], refreshSandbox: false }, `unknown session option "refreshSandbox"; it is now runner.refreshSandbox (with runner.kind 'codex') ${KNOWN}`],
  [{ command: ['ls'], realUserSid: 'S-1-5-21-1' }, `unknown session option "realUserSid"; it is gone (upstream's version 1 has no real_user_sid) ${KNOWN}`],
  [{ command: ['ls'], colour: 'red' }, `unknown session option "colour" ${KNOWN}`],
  // timeouts
  [{ command: ['ls'], timeouts: 5 }, 'session option "timeouts" must be an object { connectMs, spawnReadyMs, terminateGraceMs, queueMs }, got number 5'],
  [{ command: ['ls'], timeouts: { connectMs: 0 } }, `session option "timeouts.connectMs" must be ${MS}, got number 0`],
  [{ command: ['ls'], timeouts: { spawnReadyMs: 2 ** 31 } }, `session option "timeouts.spawnReadyMs" must be ${MS}, got number 2147483648`],
  [{ command: ['ls'], timeouts: { terminateGraceMs: 1.5 } }, `session option "timeouts.terminateGraceMs" must be ${MS}, got number 1.5`],
  [{ command: ['ls'], timeouts: { queueMs: '100' } }, `session option "timeouts.queueMs" must be ${MS}, got "100"`],
  [{ command: ['ls'], timeouts: { connectTimeoutMs: 100 } }, 'unknown session option "timeouts.connectTimeoutMs" (known: connectMs, spawnReadyMs, terminateGraceMs, queueMs)'],
  // advanced
  [{ command: ['ls'], advanced: [] }, 'session option "advanced" must be an object { protocolVersion, policy, capSids, usePrivateDesktop, privateDesktopName, networkProxyRestrictingSid }, got an array'],
  [{ command: ['ls'], advanced: { protocolVersion: 7 } }, 'session option "advanced.protocolVersion" must be one of 6, 5, 4, 3, 2, 1 or "auto", got number 7'],
  [{ command: ['ls'], advanced: { policy: 1 } }, 'session option "advanced.policy" must be a string, got number 1'],
  [{ command: ['ls'], advanced: { capSids: [1] } }, 'session option "advanced.capSids" must be an array of strings, got an array'],
  [{ command: ['ls'], advanced: { usePrivateDesktop: 'yes' } }, 'session option "advanced.usePrivateDesktop" must be a boolean, got "yes"'],
  [{ command: ['ls'], advanced: { privateDesktopName: 7 } }, 'session option "advanced.privateDesktopName" must be a string, got number 7'],
  [{ command: ['ls'], advanced: { networkProxyRestrictingSid: null } }, 'session option "advanced.networkProxyRestrictingSid" must be a string, got null'],
  [{ command: ['ls'], advanced: { realUserSid: 'S-1-5-21-1' } }, 'unknown session option "advanced.realUserSid" (known: protocolVersion, policy, capSids, usePrivateDesktop, privateDesktopName, networkProxyRestrictingSid)'],
  // runner
  [{ command: ['ls'], runner: 'codex' }, 'session option "runner" must be { kind: \'bundled\' | \'codex\' | \'custom\', ... }, got "codex": for codex\'s runner, { kind: \'codex\', codexHome }'],
  [{ command: ['ls'], runner: { exe: 'r.exe' } }, 'session option "runner.kind" must be one of \'bundled\', \'codex\', \'custom\', got undefined: a runner spec goes in { kind: \'custom\', spec }'],
  [{ command: ['ls'], runner: { kind: 'bundled', codexInstall: '/c' } }, 'session option "runner.codexInstall" is not an option of runner kind \'bundled\' (known: kind, codexHome, allowUnenforcedPolicy)'],
  [{ command: ['ls'], runner: { kind: 'bundled', allowUnenforcedPolicy: 'yes' } }, 'session option "runner.allowUnenforcedPolicy" must be a boolean, got "yes"'],
  [{ command: ['ls'], runner: { kind: 'bundled', codexHome: 1 } }, 'session option "runner.codexHome" must be a string, got number 1'],
  [{ command: ['ls'], runner: { kind: 'codex' } }, 'session option "runner.codexHome" is needed with kind \'codex\' (where codex keeps its runner), got undefined'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', codexInstall: 'relative/codex' } }, 'session option "runner.codexInstall" must be an absolute path, got "relative/codex"'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', setupHelper: 'setup.exe' } }, 'session option "runner.setupHelper" must be an absolute path, got "setup.exe"'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', codexVersion: 152 } }, 'session option "runner.codexVersion" must be a string, got number 152'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', refreshSandbox: 'no' } }, 'session option "runner.refreshSandbox" must be a boolean, got "no"'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', autoSetupSandbox: 1 } }, 'session option "runner.autoSetupSandbox" must be a boolean, got number 1'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', allowUnenforcedPolicy: true } }, 'session option "runner.allowUnenforcedPolicy" is not an option of runner kind \'codex\' (known: kind, codexHome, codexInstall, codexVersion, spec, setupHelper, refreshSandbox, autoSetupSandbox)'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', spec: { exe: '' } } }, 'session option "runner.spec" must be an object { exe, args? } with a non-empty exe, got an object'],
  [{ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', spec: { exe: '/r.exe' }, codexVersion: '1.0.0' } }, 'session option "runner.codexVersion" chooses among the runners in .sandbox-bin, and "runner.spec" names one: give one'],
  [{ command: ['ls'], runner: { kind: 'custom' } }, 'session option "runner.spec" must be an object { exe, args? } with a non-empty exe, got undefined'],
  [{ command: ['ls'], runner: { kind: 'custom', spec: { exe: 'node', args: 'x.js' } } }, 'session option "runner.spec.args" must be an array of strings, got "x.js"'],
  [{ command: ['ls'], runner: { kind: 'custom', spec: { exe: 'r.exe', kind: 'codex' }, codexHome: '/h' } }, 'session option "runner.spec": a spec of kind \'codex\' is codex\'s runner: give it as { kind: \'codex\', codexHome, spec }'],
  [{ command: ['ls'], runner: { kind: 'custom', spec: { exe: 'r' }, refreshSandbox: false } }, 'session option "runner.refreshSandbox" is not an option of runner kind \'custom\' (known: kind, spec, codexHome, allowUnenforcedPolicy)'],
];

test('each bad grouped option gets a TypeError naming its path, and the manager starts nothing', () => {
  const manager = new SessionManager();
  const dirs = runnerSocketDirs();
  const children = liveDescendants();
  for (const [options, message] of groupedRefusals) {
    assert.throws(() => resolveSessionOptions(options as unknown as SessionOptions), (err: unknown) => err instanceof TypeError && err.message === message, message);
    assert.throws(() => manager.start(options as unknown as SessionOptions), { name: 'TypeError', message });
  }
  assert.throws(() => manager.start(null as unknown as SessionOptions), { name: 'TypeError', message: 'session options must be an object, got null' });
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
  assert.doesNotThrow(() => validateSessionConfig({ command: ['ls'], timeoutMs: null, env: {}, cwd: '/', stdinOpen: true, runner: { exe: 'node', args: ['r.js'] } }));
  assert.doesNotThrow(() => validateSessionConfig({ command: ['ls'], timeoutMs: 1, connectTimeoutMs: 1 }));
  assert.doesNotThrow(() => resolveSessionOptions({ command: ['ls'], timeoutMs: null, env: process.env, cwd: '/', stdinOpen: true, runner: { kind: 'custom', spec: { exe: 'node', args: ['r.js'] } } }));
  assert.doesNotThrow(() => resolveSessionOptions({ command: ['ls'], timeouts: {}, advanced: {}, runner: { kind: 'bundled' } }));
});

test('grouped options resolve into the flat config, one runner kind at a time', () => {
  assert.deepEqual(resolveSessionOptions({ command: ['ls'] }), { command: ['ls'] });
  assert.deepEqual(
    resolveSessionOptions({
      command: ['ls'],
      cwd: '/w',
      tty: true,
      timeoutMs: 5000,
      permissions: 'read-only',
      workspaceRoots: ['/w'],
      sandbox: 'current',
      logDir: '/logs',
      runner: { kind: 'bundled', codexHome: '/h', allowUnenforcedPolicy: true },
      timeouts: { connectMs: 1, spawnReadyMs: 2, terminateGraceMs: 3, queueMs: 4 },
      advanced: { protocolVersion: 3, policy: 'read-only', capSids: ['S-1-5-21-1'], usePrivateDesktop: true, privateDesktopName: 'd', networkProxyRestrictingSid: 'S-1-5-21-2' },
    }),
    {
      command: ['ls'],
      cwd: '/w',
      tty: true,
      timeoutMs: 5000,
      permissions: 'read-only',
      workspaceRoots: ['/w'],
      sandbox: 'current',
      logDir: '/logs',
      codexHome: '/h',
      allowUnenforcedPolicy: true,
      connectTimeoutMs: 1,
      spawnReadyTimeoutMs: 2,
      terminateGraceMs: 3,
      queueTimeoutMs: 4,
      protocolVersion: 3,
      policy: 'read-only',
      capSids: ['S-1-5-21-1'],
      usePrivateDesktop: true,
      privateDesktopName: 'd',
      networkProxyRestrictingSid: 'S-1-5-21-2',
    },
  );
  assert.deepEqual(
    resolveSessionOptions({ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', codexInstall: '/c', codexVersion: '0.158.0', setupHelper: '/s.exe', refreshSandbox: false, autoSetupSandbox: true } }),
    { command: ['ls'], runner: 'codex', codexHome: '/h', codexInstall: '/c', codexVersion: '0.158.0', setupHelper: '/s.exe', refreshSandbox: false, autoSetupSandbox: true },
  );
  assert.deepEqual(resolveSessionOptions({ command: ['ls'], runner: { kind: 'codex', codexHome: '/h', spec: { exe: '/r.exe' } } }), { command: ['ls'], runner: { exe: '/r.exe', kind: 'codex' }, codexHome: '/h' });
  assert.deepEqual(resolveSessionOptions({ command: ['ls'], runner: { kind: 'custom', spec: { exe: '/r', kind: 'bundled' }, codexHome: '/h', allowUnenforcedPolicy: true } }), {
    command: ['ls'],
    runner: { exe: '/r', kind: 'bundled' },
    codexHome: '/h',
    allowUnenforcedPolicy: true,
  });
});

test("a manager's defaults: checked when it is made, then merged (timeouts and advanced one level deep, runner as a whole)", () => {
  assert.throws(() => new SessionManager({ defaults: { timeouts: { connectMs: 0 } } }), { name: 'TypeError', message: `session option "timeouts.connectMs" must be ${MS}, got number 0` });
  assert.throws(() => new SessionManager({ defaults: { runner: { kind: 'codex' } } as never }), { name: 'TypeError', message: /^session option "runner.codexHome" is needed with kind 'codex'/ });
  assert.throws(() => new SessionManager({ defaults: { command: ['ls'] } }), { name: 'TypeError', message: 'session manager defaults must not hold "command": give it to start()' });
  assert.throws(() => new SessionManager({ defaults: { connectTimeoutMs: 5 } as never }), { name: 'TypeError', message: /^unknown session option "connectTimeoutMs"; it is now timeouts.connectMs/ });
  assert.throws(() => new SessionManager({ defaults: [] as never }), { name: 'TypeError', message: 'session manager defaults must be an object, got an array' });
  // sandbox: 'codex' in the defaults needs a codex home only once a session's runner is known
  assert.doesNotThrow(() => new SessionManager({ defaults: { sandbox: 'codex' } }));

  const defaults: SessionOptions = {
    command: ['unused'],
    timeouts: { connectMs: 1000, terminateGraceMs: 50 },
    advanced: { protocolVersion: 3, capSids: ['S-1-5-21-1'] },
    runner: { kind: 'codex', codexHome: '/h', codexVersion: '0.158.0' },
    permissions: 'read-only',
  };
  const { command: _command, ...partial } = defaults;
  assert.deepEqual(resolveSessionOptions({ command: ['ls'], timeouts: { spawnReadyMs: 2000, terminateGraceMs: 60 }, advanced: { protocolVersion: 'auto' }, runner: { kind: 'custom', spec: { exe: '/r' } } }, partial), {
    command: ['ls'],
    permissions: 'read-only',
    connectTimeoutMs: 1000,
    spawnReadyTimeoutMs: 2000,
    terminateGraceMs: 60,
    protocolVersion: 'auto',
    capSids: ['S-1-5-21-1'],
    runner: { exe: '/r' }, // the defaults' codexHome and codexVersion went with their runner
  });
  assert.deepEqual(resolveSessionOptions({ command: ['ls'] }, partial), {
    command: ['ls'],
    permissions: 'read-only',
    connectTimeoutMs: 1000,
    terminateGraceMs: 50,
    protocolVersion: 3,
    capSids: ['S-1-5-21-1'],
    runner: 'codex',
    codexHome: '/h',
    codexVersion: '0.158.0',
  });
  // a bad value in a session's own group is named, whatever the defaults hold
  assert.throws(() => resolveSessionOptions({ command: ['ls'], timeouts: { queueMs: -1 } }, partial), { message: `session option "timeouts.queueMs" must be ${MS}, got number -1` });
  assert.throws(() => resolveSessionOptions({ command: ['ls'], sandbox: 'codex', runner: { kind: 'bundled' } }, partial), { message: /^session option "sandbox": 'codex' needs "runner.codexHome"/ });
});

test('the manager refuses warm-runner options a timer or the cap cannot hold', () => {
  assert.throws(() => new SessionManager({ warmRunners: 1, warmIdleMs: 2 ** 31 }), { name: 'RangeError', message: 'warmIdleMs must be an integer 1..2147483647, got 2147483648' });
  assert.throws(() => new SessionManager({ warmRunners: 2, maxWarmRunners: 1 }), { name: 'RangeError', message: 'maxWarmRunners must be an integer 2..256 (at least warmRunners), got 1' });
});
