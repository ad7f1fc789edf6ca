// The built-in permission profiles are upstream's, byte for byte, and bad profiles are refused by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPermissionProfile, isRestrictedProfile, profileAllowsNetwork, resolvePermissions, v1PolicyPreset } from '../../src/protocol/permissions';

test('the built-ins serialize as upstream constructs them', () => {
  // PermissionProfile::read_only() (codex-rs/protocol/src/models.rs)
  assert.equal(
    JSON.stringify(builtinPermissionProfile('read-only')),
    '{"type":"managed","file_system":{"type":"restricted","entries":[{"path":{"type":"special","value":{"kind":"root"}},"access":"read"}]},"network":"restricted"}',
  );
  // PermissionProfile::workspace_write() (entries from FileSystemSandboxPolicy::workspace_write)
  assert.equal(
    JSON.stringify(builtinPermissionProfile('workspace-write')),
    '{"type":"managed","file_system":{"type":"restricted","entries":[' +
      '{"path":{"type":"special","value":{"kind":"root"}},"access":"read"},' +
      '{"path":{"type":"special","value":{"kind":"project_roots"}},"access":"write"},' +
      '{"path":{"type":"special","value":{"kind":"slash_tmp"}},"access":"write"},' +
      '{"path":{"type":"special","value":{"kind":"tmpdir"}},"access":"write"},' +
      '{"path":{"type":"special","value":{"kind":"project_roots","subpath":".git"}},"access":"read"},' +
      '{"path":{"type":"special","value":{"kind":"project_roots","subpath":".agents"}},"access":"read"},' +
      '{"path":{"type":"special","value":{"kind":"project_roots","subpath":".codex"}},"access":"read"}' +
      ']},"network":"restricted"}',
  );
  assert.equal(JSON.stringify(builtinPermissionProfile('full-access')), '{"type":"disabled"}');
});

test('names, version-1 presets, and what is restricted', () => {
  assert.equal(resolvePermissions(undefined).name, 'workspace-write');
  assert.equal(resolvePermissions('read-only').name, 'read-only');
  // An object equal to a built-in is that built-in.
  assert.equal(resolvePermissions(builtinPermissionProfile('read-only')).name, 'read-only');
  const custom = resolvePermissions({ type: 'managed', file_system: { type: 'unrestricted' }, network: 'restricted' });
  assert.equal(custom.name, 'custom');
  assert.equal(v1PolicyPreset(custom), null);
  assert.equal(v1PolicyPreset(resolvePermissions('workspace-write')), 'workspace-write');
  assert.equal(v1PolicyPreset(resolvePermissions('full-access')), 'danger-full-access');
  assert.equal(isRestrictedProfile(builtinPermissionProfile('full-access')), false);
  assert.equal(isRestrictedProfile(builtinPermissionProfile('read-only')), true);
  assert.equal(isRestrictedProfile(custom.profile), true, 'network restricted is still a sandbox');
  assert.equal(profileAllowsNetwork(builtinPermissionProfile('full-access')), true);
  assert.equal(profileAllowsNetwork(builtinPermissionProfile('workspace-write')), false);
});

test('a malformed profile is refused naming the field', () => {
  const refuse = (value: unknown, message: string) => assert.throws(() => resolvePermissions(value as never), { name: 'TypeError', message });
  refuse('read-write', 'session option "permissions" must be one of "read-only", "workspace-write", "full-access" or a PermissionProfile object, got "read-write"');
  refuse({ type: 'sandboxed' }, 'permissions.type: expected "managed", "disabled" or "external"');
  refuse({ type: 'managed', network: 'restricted', file_system: { type: 'restricted', entries: [{ path: { type: 'special', value: { kind: 'home' } }, access: 'read' }] } }, 'permissions.file_system.entries[0].path.value.kind: expected "root", "minimal", "project_roots", "tmpdir" or "slash_tmp"');
  refuse({ type: 'managed', network: 'restricted', file_system: { type: 'restricted', entries: [{ path: { type: 'path', path: 'C:\\x' }, access: 'all' }] } }, 'permissions.file_system.entries[0].access: expected "read", "write" or "deny"');
  refuse({ type: 'external' }, 'permissions.network: expected "restricted" or "enabled"');
});
