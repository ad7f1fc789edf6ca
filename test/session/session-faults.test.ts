// Faults: runners that crash at each stage, lie, send garbage, or never answer. Each session must
// end `failed` with the stage named, and leave no process, socket file or directory behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { SessionManager } from '../../src/main/session/session-manager';
import type { SessionResult } from '../../src/main/session/session';
import type { SessionOptions } from '../../src/main/session/public-options';
import { builtinPermissionProfile } from '../../src/protocol/permissions';
import { rogueRunner } from '../helpers/fixture-paths';
import { assertNothingLeftBehind, whenRunning } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

// Pinned to one version, so every failure here is the runner's fault alone (with 'auto' a runner
// that ends without a reply fails the same way: test/session/never-twice.test.ts).
const manager = new SessionManager({ defaults: { timeouts: { connectMs: 5000, spawnReadyMs: 5000 }, advanced: { protocolVersion: 6 } } });
after(() => manager.dispose());

async function runRogue(mode: string, extra: Partial<SessionOptions> = {}): Promise<{ result: SessionResult; extraPids: number[] }> {
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner(mode) }, ...extra });
  const result = await session.exited;
  const status = session.status();
  assert.equal(result.state, 'failed', `${mode}: ${JSON.stringify(result)}`);
  assert.deepEqual(status.failure, { stage: result.error?.stage, message: result.error?.message });
  const extraPids = [status.pipes.in?.clientPid, status.pipes.out?.clientPid].filter((p): p is number => typeof p === 'number');
  await assertNothingLeftBehind(session, extraPids);
  return { result, extraPids };
}

const cases: [mode: string, stage: string, message: RegExp, extra?: Partial<SessionOptions>][] = [
  ['exit-at-once', 'connecting_in', /^runner pid \d+ exited with code 7 before connecting to pipe-in; runner stderr: rogue: refusing to start \(exit-at-once\)$/],
  ['never-connect', 'connecting_in', /^runner did not connect to pipe-in within 300 ms \(runner pid \d+ was still running; killed it\)$/, { timeouts: { connectMs: 300 } }],
  ['crash-after-in', 'connecting_out', /^runner pid \d+ exited with code 9 before connecting to pipe-out$/],
  // Whether it died before the request reached it depends on the race; either way it is named.
  ['crash-after-connect', 'spawn_sent', /^runner pid \d+ exited with code 10 (before the spawn request reached it|after the spawn request was written, without answering it: the command may have started, so it is not run again)$/],
  ['crash-after-request', 'spawn_sent', /^runner pid \d+ exited with code 11 after the spawn request was written, without answering it: the command may have started, so it is not run again$/],
  ['crash-after-ready', 'running', /^runner pid \d+ exited with code 12 before reporting the command's exit$/],
  ['never-ready', 'spawn_sent', /^runner pid \d+ did not answer the spawn request within 300 ms$/, { timeouts: { spawnReadyMs: 300 } }],
  ['garbage', 'spawn_sent', /^bad data from runner: frame 1 is not valid JSON: /],
  ['oversized', 'spawn_sent', /^bad data from runner: frame too large: 8388609 bytes announced by frame 1 \(limit 8388608\)$/],
  ['exit-before-ready', 'spawn_sent', /^runner sent exit \(code 0\) before spawn_ready$/],
  ['wrong-version', 'spawn_sent', /^bad data from runner: unsupported protocol version 2 \(this session speaks version 6\)$/],
  ['truncated-frame', 'spawn_sent', /^bad data from runner: stream ended inside frame 1: got 6 of \d+ bytes$/],
  ['imposter', 'verifying_client', /^pipe-in client pid \d+ did not match runner pid \d+; refused it$/],
];

// Where the stage a crash is seen at depends on Unix sockets' timing, or the rogue needs a POSIX command.
const posixOnlyModes: Record<string, string | false> = {
  // The named-pipe connect is polled (1 to 20 ms apart): a runner that exits right after
  // connecting is often seen exiting first, and the failure names the earlier stage.
  'crash-after-in': posixOnly('a runner exiting right after it connects is seen at connecting_out only with Unix sockets (named-pipe connects are polled)'),
  'crash-after-connect': posixOnly('a runner exiting right after it connects is seen at spawn_sent only with Unix sockets (named-pipe connects are polled)'),
  'crash-after-ready': posixOnly('the rogue runner starts sleep as its child'),
};

for (const [mode, stage, message, extra] of cases) {
  test(`rogue runner "${mode}": failed at ${stage}, nothing left behind`, { skip: posixOnlyModes[mode] ?? false }, async () => {
    const { result } = await runRogue(mode, extra);
    assert.equal(result.error?.stage, stage);
    assert.match(result.error?.message ?? '', message);
    assert.equal(result.exitCode, -1);
  });
}

test('a runner that cannot be started at all names the file and why', async () => {
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: { exe: '/nonexistent/codex-command-runner' } } });
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'launching_runner');
  assert.equal(result.error?.message, 'runner /nonexistent/codex-command-runner could not be started: not found');
  await assertNothingLeftBehind(session);
});

test('terminate during connect abandons setup and kills the runner', async () => {
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('never-connect') } });
  await new Promise<void>((resolve) => {
    const check = () => session.state === 'connecting_in' && (session.off('update', check), resolve());
    session.on('update', check);
  });
  session.terminate();
  const result = await session.exited;
  assert.equal(result.error?.stage, 'connecting_in');
  assert.equal(result.error?.message, 'terminated during connecting_in');
  await assertNothingLeftBehind(session);
});

test('a runner that ignores terminate is killed after the grace period, and its child with it', { skip: posixOnly('the rogue runner starts sleep as its child') }, async () => {
  const session = manager.start({ command: ['true'], timeouts: { terminateGraceMs: 300 }, runner: { kind: 'custom', spec: rogueRunner('ignore-terminate') } });
  await whenRunning(session);
  session.terminate();
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'running');
  assert.match(result.error?.message ?? '', /^runner pid \d+ did not report an exit within 300 ms of terminate; killed it and its processes$/);
  await assertNothingLeftBehind(session);
});

test('misuse of the session API is refused with a reason', { skip: posixOnly('the rogue runner starts sleep as its child') }, async () => {
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('ignore-terminate') } });
  await whenRunning(session);
  assert.throws(() => session.resize(80, 24), /^Error: resize needs a tty session \(start it with tty: true\)$/);
  assert.throws(() => session.closeStdin(), /stdin is not open for this session/);
  await session.dispose();
  await assertNothingLeftBehind(session);
});

/** Runs the record-request rogue with `options` (and `codexHome` for it); returns the request exactly as it arrived. */
async function recordedRequest(options: Omit<SessionOptions, 'command' | 'runner'>, codexHome?: string): Promise<{ version: number; type: string; payload: Record<string, unknown> }> {
  const record = `/tmp/tests/request-${process.pid}.json`;
  mkdirSync('/tmp/tests', { recursive: true });
  try {
    const session = manager.start({ command: ['cmd', 'arg with space'], ...options, runner: { kind: 'custom', spec: { ...rogueRunner('record-request'), env: { ROGUE_RECORD: record } }, ...(codexHome ? { codexHome } : {}) } });
    const result = await session.exited;
    assert.equal(result.error?.message, 'runner reported spawn_failed: recorded the request');
    await assertNothingLeftBehind(session);
    return JSON.parse(readFileSync(record, 'utf8')) as { version: number; type: string; payload: Record<string, unknown> };
  } finally {
    rmSync(record, { force: true });
  }
}

test('the spawn request goes out with upstream field names, in upstream order, with the options in place (version 6)', { skip: posixOnly('records the request under /tmp and expects codexHome-derived paths spelled with /') }, async () => {
  const wire = await recordedRequest({
    cwd: '/tmp',
    env: { ONLY: 'this' },
    timeoutMs: 1234,
    stdinOpen: true,
    permissions: 'read-only',
    advanced: { capSids: ['S-1-5-21-1'], networkProxyRestrictingSid: 'S-1-5-21-9' },
  }, '/tmp/tests/codex-home');
  assert.deepEqual(Object.keys(wire), ['version', 'type', 'payload']);
  assert.equal(wire.version, 6);
  assert.equal(wire.type, 'spawn_request');
  assert.deepEqual(Object.keys(wire.payload), [
    'command', 'cwd', 'env', 'permission_profile', 'workspace_roots', 'codex_home', 'real_codex_home',
    'cap_sids', 'network_proxy_restricting_sid', 'timeout_ms', 'tty', 'stdin_open', 'use_private_desktop', 'private_desktop_name',
  ]);
  assert.deepEqual(wire.payload.command, ['cmd', 'arg with space']);
  assert.deepEqual(wire.payload.env, { ONLY: 'this' });
  assert.deepEqual(wire.payload.workspace_roots, ['/tmp'], 'the workspace roots default to the cwd');
  assert.deepEqual(wire.payload.permission_profile, builtinPermissionProfile('read-only'));
  // As upstream's parent: codex_home is the runner's log folder, real_codex_home the codex home.
  assert.equal(wire.payload.codex_home, '/tmp/tests/codex-home/.sandbox');
  assert.equal(wire.payload.real_codex_home, '/tmp/tests/codex-home');
  assert.equal(wire.payload.network_proxy_restricting_sid, 'S-1-5-21-9');
  assert.equal(wire.payload.private_desktop_name, null);
  assert.equal(wire.payload.timeout_ms, 1234);
  assert.equal(wire.payload.stdin_open, true);
  assert.equal(wire.payload.tty, false);
  assert.deepEqual(wire.payload.cap_sids, ['S-1-5-21-1']);
  rmSync('/tmp/tests/codex-home', { recursive: true, force: true });
});

test('version 1: the permissions become policy_json_or_preset, and the other versions carry theirs', async () => {
  const v1 = await recordedRequest({ advanced: { protocolVersion: 1 }, cwd: '/tmp', env: {}, permissions: 'workspace-write' });
  assert.equal(v1.version, 1);
  assert.deepEqual(Object.keys(v1.payload), [
    'command', 'cwd', 'env', 'policy_json_or_preset', 'sandbox_policy_cwd', 'codex_home', 'real_codex_home',
    'cap_sids', 'timeout_ms', 'tty', 'stdin_open', 'use_private_desktop',
  ]);
  assert.equal(v1.payload.policy_json_or_preset, 'workspace-write');
  assert.equal(v1.payload.sandbox_policy_cwd, '/tmp');
  const v2 = await recordedRequest({ advanced: { protocolVersion: 2 }, cwd: '/tmp', env: {}, permissions: 'full-access' });
  assert.equal(v2.payload.permission_profile_cwd, '/tmp');
  assert.deepEqual(v2.payload.permission_profile, { type: 'disabled' });
  const v3 = await recordedRequest({ advanced: { protocolVersion: 3 }, cwd: '/tmp', env: {}, workspaceRoots: ['/a', '/b'] });
  assert.deepEqual(v3.payload.workspace_roots, ['/a', '/b']);
  assert.equal('network_proxy_restricting_sid' in v3.payload, false);
});
