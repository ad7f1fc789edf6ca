// Each protocol version's spawn_request exactly as upstream serializes it: fields, order, nulls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame } from '../../src/protocol/framing';
import { checkSpawnRequest, ProtocolError } from '../../src/protocol/messages';
import { builtinPermissionProfile } from '../../src/protocol/permissions';
import { errorPayload, PROTOCOL_VERSIONS, versionSpec, type SpawnInput } from '../../src/protocol/versions';

const input: SpawnInput = {
  command: ['cmd.exe', '/c', 'echo hi'],
  cwd: 'C:\\work',
  env: { PATH: 'C:\\Windows' },
  permissionProfile: builtinPermissionProfile('read-only'),
  v1Policy: 'read-only',
  workspaceRoots: ['C:\\work', 'D:\\other'],
  codexHome: 'C:\\Users\\me\\.codex\\.sandbox',
  realCodexHome: 'C:\\Users\\me\\.codex',
  capSids: ['S-1-5-21-1-2-3-4'],
  realUserSid: null,
  networkProxyRestrictingSid: null,
  privateDesktopName: null,
  timeoutMs: null,
  tty: false,
  stdinOpen: true,
  usePrivateDesktop: false,
};

const HEAD = ['command', 'cwd', 'env'];
const HOMES = ['codex_home', 'real_codex_home', 'cap_sids'];
const TAIL = ['timeout_ms', 'tty', 'stdin_open', 'use_private_desktop'];
const EXPECTED_KEYS: Record<number, string[]> = {
  1: [...HEAD, 'policy_json_or_preset', 'sandbox_policy_cwd', ...HOMES, ...TAIL],
  2: [...HEAD, 'permission_profile', 'permission_profile_cwd', ...HOMES, ...TAIL],
  3: [...HEAD, 'permission_profile', 'workspace_roots', ...HOMES, ...TAIL],
  4: [...HEAD, 'permission_profile', 'workspace_roots', ...HOMES, ...TAIL],
  5: [...HEAD, 'permission_profile', 'workspace_roots', ...HOMES, 'network_proxy_restricting_sid', ...TAIL],
  6: [...HEAD, 'permission_profile', 'workspace_roots', ...HOMES, 'network_proxy_restricting_sid', ...TAIL, 'private_desktop_name'],
};

test('each version writes its fields in upstream order, Options as explicit null', () => {
  for (const version of PROTOCOL_VERSIONS) {
    const frame = encodeFrame({ type: 'spawn_request', payload: versionSpec(version).spawnRequest(input) as never }, version);
    const wire = JSON.parse(frame.subarray(4).toString()) as { version: number; type: string; payload: Record<string, unknown> };
    assert.deepEqual(Object.keys(wire), ['version', 'type', 'payload']);
    assert.equal(wire.version, version);
    assert.deepEqual(Object.keys(wire.payload), EXPECTED_KEYS[version], `version ${version}`);
    assert.equal(wire.payload.timeout_ms, null);
    for (const key of ['real_user_sid', 'network_proxy_restricting_sid', 'private_desktop_name']) {
      if (key in wire.payload) assert.equal(wire.payload[key], null, `${key} in version ${version}`);
    }
  }
  const v1 = versionSpec(1).spawnRequest(input);
  assert.equal(v1.policy_json_or_preset, 'read-only');
  assert.equal(v1.sandbox_policy_cwd, 'C:\\work');
  assert.deepEqual(versionSpec(2).spawnRequest(input).permission_profile_cwd, 'C:\\work');
  assert.deepEqual(versionSpec(3).spawnRequest(input).workspace_roots, ['C:\\work', 'D:\\other']);
  const v6 = versionSpec(6).spawnRequest({ ...input, networkProxyRestrictingSid: 'S-1-5-21-9', privateDesktopName: 'codex-desktop-1' });
  assert.equal(v6.network_proxy_restricting_sid, 'S-1-5-21-9');
  assert.equal(v6.private_desktop_name, 'codex-desktop-1');
  assert.deepEqual(v6.permission_profile, builtinPermissionProfile('read-only'));
});

test('version 1 has no real_user_sid (upstream main, 0.116.0, 0.128.0): a given one is refused, naming it', () => {
  assert.equal('real_user_sid' in versionSpec(1).spawnRequest(input), false);
  assert.throws(() => versionSpec(1).spawnRequest({ ...input, realUserSid: 'S-1-5-21-2' }), /a version-1 runner has no real_user_sid field/);
});

test('v5/v6 mark workspace-write carve-outs missing_path_behavior "skip" after access; v2-v4 do not', () => {
  const ww = { ...input, permissionProfile: builtinPermissionProfile('workspace-write') };
  const carveOuts = (version: 2 | 3 | 4 | 5 | 6) => {
    const json = JSON.stringify(versionSpec(version).spawnRequest(ww).permission_profile);
    return ['.git', '.agents', '.codex'].map((sub) => json.includes(`{"path":{"type":"special","value":{"kind":"project_roots","subpath":"${sub}"}},"access":"read","missing_path_behavior":"skip"}`));
  };
  for (const v of [5, 6] as const) assert.deepEqual(carveOuts(v), [true, true, true], `version ${v}`);
  for (const v of [2, 3, 4] as const) {
    assert.deepEqual(carveOuts(v), [false, false, false], `version ${v}`);
    assert.doesNotMatch(JSON.stringify(versionSpec(v).spawnRequest(ww)), /missing_path_behavior/);
  }
  // Only the carve-outs: the write entries and read-only profile carry nothing new.
  assert.equal(JSON.stringify(versionSpec(6).spawnRequest(ww)).split('missing_path_behavior').length - 1, 3);
  assert.doesNotMatch(JSON.stringify(versionSpec(6).spawnRequest(input)), /missing_path_behavior/);
});

test('v6 asks 6-A runners to use the named desktop: use_private_desktop is true whenever a name is sent', () => {
  const named = versionSpec(6).spawnRequest({ ...input, privateDesktopName: 'CodexSandboxDesktop-0123456789abcdef0123456789abcdef' });
  assert.equal(named.use_private_desktop, true);
  assert.equal(named.private_desktop_name, 'CodexSandboxDesktop-0123456789abcdef0123456789abcdef');
  assert.equal(versionSpec(6).spawnRequest(input).use_private_desktop, false);
  assert.equal(versionSpec(5).spawnRequest({ ...input, privateDesktopName: 'x' }).use_private_desktop, false, 'v5 has no desktop name to use');
});

test('version 1 cannot carry a custom permission profile, and says so', () => {
  assert.throws(() => versionSpec(1).spawnRequest({ ...input, v1Policy: null }), /a custom permission profile cannot be sent to a version-1 runner/);
});

test('the error payload takes the shape of its version', () => {
  for (const v of [1, 2, 3] as const) assert.deepEqual(errorPayload(v, 'no', 'spawn_child'), { message: 'no', code: 'spawn_failed' });
  for (const v of [4, 5, 6] as const) {
    assert.deepEqual(errorPayload(v, 'no', 'spawn_child', 2), { message: 'no', stage: 'spawn_child', windows_error_code: 2 });
    assert.deepEqual(Object.keys(errorPayload(v, 'no', 'read_spawn_request')), ['message', 'stage', 'windows_error_code']);
    assert.equal(errorPayload(v, 'no', 'read_spawn_request').windows_error_code, null);
  }
});

test("a runner's strict read: each version's required fields, unknown fields ignored, defaults filled", () => {
  for (const version of PROTOCOL_VERSIONS) {
    const payload = { ...versionSpec(version).spawnRequest(input), some_future_field: 1 };
    assert.doesNotThrow(() => checkSpawnRequest(structuredClone(payload), version));
  }
  const v2 = versionSpec(2).spawnRequest(input);
  assert.throws(() => checkSpawnRequest(structuredClone(v2), 3), (e: unknown) => e instanceof ProtocolError && e.message === 'spawn_request: missing field "workspace_roots" (expected an array of absolute paths)');
  assert.throws(() => checkSpawnRequest(structuredClone(versionSpec(3).spawnRequest(input)), 2), /missing field "permission_profile_cwd"/);
  assert.throws(() => checkSpawnRequest(structuredClone(v2), 1), /missing field "policy_json_or_preset"/);
  const relative = { ...versionSpec(6).spawnRequest(input), workspace_roots: ['work'] };
  assert.throws(() => checkSpawnRequest(relative, 6), /field "workspace_roots" must be an array of absolute paths/);
  const badProfile = { ...versionSpec(6).spawnRequest(input), permission_profile: { type: 'managed', network: 'sometimes' } };
  assert.throws(() => checkSpawnRequest(badProfile, 6), /permission_profile"\.network: expected "restricted" or "enabled"/);
  const { network_proxy_restricting_sid: _n, private_desktop_name: _p, stdin_open: _s, ...minimal } = versionSpec(6).spawnRequest(input);
  const read = checkSpawnRequest(minimal, 6);
  assert.equal(read.network_proxy_restricting_sid, null);
  assert.equal(read.private_desktop_name, null);
  assert.equal(read.stdin_open, false);
});
