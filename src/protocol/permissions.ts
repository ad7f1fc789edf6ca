// Codex's `PermissionProfile` (codex-rs/protocol/src/models.rs, serde tag "type", snake_case), what
// version 2+ of the runner protocol carries in `spawn_request.permission_profile`, and how each
// profile maps onto version 1's `policy_json_or_preset`. Field names and order are the wire's.

export type NetworkSandboxPolicy = 'restricted' | 'enabled';
export type FileSystemAccessMode = 'read' | 'write' | 'deny';

export type FileSystemSpecialPath =
  | { kind: 'root' | 'minimal' | 'tmpdir' | 'slash_tmp' }
  | { kind: 'project_roots'; subpath?: string };

export type FileSystemPath =
  | { type: 'path'; path: string }
  | { type: 'glob_pattern'; pattern: string }
  | { type: 'special'; value: FileSystemSpecialPath };

export interface FileSystemSandboxEntry {
  path: FileSystemPath;
  access: FileSystemAccessMode;
  /** Omitted when unset (upstream's skip_serializing_if). */
  missing_path_behavior?: 'skip';
}

export type ManagedFileSystemPermissions =
  | { type: 'restricted'; entries: FileSystemSandboxEntry[]; glob_scan_max_depth?: number }
  | { type: 'unrestricted' };

export type PermissionProfile =
  | { type: 'managed'; file_system: ManagedFileSystemPermissions; network: NetworkSandboxPolicy }
  | { type: 'disabled' }
  | { type: 'external'; network: NetworkSandboxPolicy };

export type BuiltinPermissions = 'read-only' | 'workspace-write' | 'full-access';
export const BUILTIN_PERMISSIONS: readonly BuiltinPermissions[] = ['read-only', 'workspace-write', 'full-access'];

const special = (kind: 'root' | 'tmpdir' | 'slash_tmp'): FileSystemPath => ({ type: 'special', value: { kind } });
const projectRoots = (subpath?: string): FileSystemPath => ({ type: 'special', value: subpath === undefined ? { kind: 'project_roots' } : { kind: 'project_roots', subpath } });

/**
 * The built-in profiles, built as upstream's constructors build them:
 * - read-only: `PermissionProfile::read_only()` (codex-rs/protocol/src/models.rs): root readable,
 *   network restricted.
 * - workspace-write: `PermissionProfile::workspace_write()` = `workspace_write_with(&[], Restricted,
 *   false, false)`, whose entries `FileSystemSandboxPolicy::workspace_write` (codex-rs/protocol/src/
 *   permissions.rs) lays down in this order: root read, project roots write, /tmp write, $TMPDIR
 *   write, then `.git`, `.agents`, `.codex` under the project roots kept read-only
 *   (`append_default_read_only_project_root_subpath_if_no_explicit_rule`; upstream's test
 *   `legacy_workspace_write_projection_preserves_symbolic_project_root` pins the same order).
 * - full-access: upstream has no constructor; "full access" is `PermissionProfile::Disabled`.
 */
export function builtinPermissionProfile(name: BuiltinPermissions): PermissionProfile {
  switch (name) {
    case 'read-only':
      return { type: 'managed', file_system: { type: 'restricted', entries: [{ path: special('root'), access: 'read' }] }, network: 'restricted' };
    case 'workspace-write':
      return {
        type: 'managed',
        file_system: {
          type: 'restricted',
          entries: [
            { path: special('root'), access: 'read' },
            { path: projectRoots(), access: 'write' },
            { path: special('slash_tmp'), access: 'write' },
            { path: special('tmpdir'), access: 'write' },
            { path: projectRoots('.git'), access: 'read' },
            { path: projectRoots('.agents'), access: 'read' },
            { path: projectRoots('.codex'), access: 'read' },
          ],
        },
        network: 'restricted',
      };
    case 'full-access':
      return { type: 'disabled' };
  }
}

/** workspace-write's read-only carve-outs under the project roots. */
const CARVE_OUTS = ['.git', '.agents', '.codex'];

/**
 * The profile as a v5/v6 parent sends it: for the built-in workspace-write, the carve-outs carry
 * `"missing_path_behavior":"skip"` (upstream #34598, after `access`). Anything else goes as given.
 */
export function withSkippedCarveOuts(profile: PermissionProfile): PermissionProfile {
  if (JSON.stringify(profile) !== JSON.stringify(builtinPermissionProfile('workspace-write'))) return profile;
  const fs = profile.type === 'managed' && profile.file_system.type === 'restricted' ? profile.file_system : undefined;
  if (!fs || profile.type !== 'managed') return profile;
  const entries = fs.entries.map((e): FileSystemSandboxEntry => {
    const v = e.path.type === 'special' ? e.path.value : undefined;
    const carveOut = v?.kind === 'project_roots' && v.subpath !== undefined && CARVE_OUTS.includes(v.subpath);
    return carveOut ? { path: e.path, access: e.access, missing_path_behavior: 'skip' } : e;
  });
  return { type: 'managed', file_system: { type: 'restricted', entries }, network: profile.network };
}

/**
 * Version 1's `policy_json_or_preset`: the presets upstream's `parse_policy`
 * (codex-rs/windows-sandbox-rs/src/policy.rs) knows. A version-1 runner refuses
 * "danger-full-access" itself (it will not sandbox full access), as upstream does.
 */
const V1_PRESETS: Record<BuiltinPermissions, string> = {
  'read-only': 'read-only',
  'workspace-write': 'workspace-write',
  'full-access': 'danger-full-access',
};

/** What a session asked for: the profile on the wire, and its name when it is a built-in. */
export interface ResolvedPermissions {
  profile: PermissionProfile;
  /** 'read-only' | 'workspace-write' | 'full-access' | 'custom' */
  name: BuiltinPermissions | 'custom';
}

export function resolvePermissions(value: PermissionProfile | BuiltinPermissions | undefined): ResolvedPermissions {
  if (value === undefined) return { profile: builtinPermissionProfile('workspace-write'), name: 'workspace-write' };
  if (typeof value === 'string') {
    if (!BUILTIN_PERMISSIONS.includes(value)) {
      throw new TypeError(`session option "permissions" must be one of ${BUILTIN_PERMISSIONS.map((n) => `"${n}"`).join(', ')} or a PermissionProfile object, got ${JSON.stringify(value)}`);
    }
    return { profile: builtinPermissionProfile(value), name: value };
  }
  checkPermissionProfile(value, 'permissions');
  const json = JSON.stringify(value);
  const builtin = BUILTIN_PERMISSIONS.find((n) => JSON.stringify(builtinPermissionProfile(n)) === json);
  return { profile: structuredClone(value), name: builtin ?? 'custom' };
}

/** The version-1 preset for these permissions, or null when version 1 cannot express them. */
export function v1PolicyPreset(permissions: ResolvedPermissions): string | null {
  return permissions.name === 'custom' ? null : V1_PRESETS[permissions.name];
}

/** Restricted = anything a sandbox would have to enforce (all but full access and external sandboxes). */
export function isRestrictedProfile(profile: PermissionProfile): boolean {
  if (profile.type !== 'managed') return false;
  return profile.file_system.type === 'restricted' || profile.network === 'restricted';
}

/** Whether commands under this profile get the network; upstream picks the offline sandbox user when not. */
export function profileAllowsNetwork(profile: PermissionProfile): boolean {
  return profile.type === 'disabled' ? true : profile.network === 'enabled';
}

/**
 * Same reading for a version-1 `policy_json_or_preset` (our runner reads whichever the request
 * carries): presets by name, a SandboxPolicy JSON by its `type`.
 */
export function isRestrictedV1Policy(policy: string): boolean {
  if (policy === 'danger-full-access' || policy === 'external-sandbox') return false;
  if (policy === 'read-only' || policy === 'workspace-write') return true;
  try {
    const parsed = JSON.parse(policy) as { type?: unknown };
    return !(parsed?.type === 'danger-full-access' || parsed?.type === 'external-sandbox');
  } catch {
    return true; // unreadable: assume it asks for a sandbox
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-by-field shape check of a caller's PermissionProfile; the error names the field. */
export function checkPermissionProfile(value: unknown, where: string): asserts value is PermissionProfile {
  const fail = (path: string, want: string): never => {
    throw new TypeError(`${where}${path}: expected ${want}`);
  };
  if (!isObj(value)) fail('', 'a PermissionProfile object or a built-in name');
  const p = value as Record<string, unknown>;
  const network = (v: unknown, path: string) => v === 'restricted' || v === 'enabled' || fail(path, '"restricted" or "enabled"');
  switch (p.type) {
    case 'disabled':
      return;
    case 'external':
      network(p.network, '.network');
      return;
    case 'managed': {
      network(p.network, '.network');
      const fs = p.file_system;
      if (!isObj(fs)) fail('.file_system', 'an object with "type"');
      const f = fs as Record<string, unknown>;
      if (f.type === 'unrestricted') return;
      if (f.type !== 'restricted') fail('.file_system.type', '"restricted" or "unrestricted"');
      if (!Array.isArray(f.entries)) fail('.file_system.entries', 'an array');
      (f.entries as unknown[]).forEach((e, i) => checkEntry(e, `.file_system.entries[${i}]`, fail));
      if (f.glob_scan_max_depth !== undefined && !(Number.isInteger(f.glob_scan_max_depth) && (f.glob_scan_max_depth as number) > 0)) {
        fail('.file_system.glob_scan_max_depth', 'a positive integer');
      }
      return;
    }
    default:
      fail('.type', '"managed", "disabled" or "external"');
  }
}

function checkEntry(e: unknown, path: string, fail: (path: string, want: string) => never): void {
  if (!isObj(e)) fail(path, 'an object { path, access }');
  const entry = e as Record<string, unknown>;
  if (!['read', 'write', 'deny'].includes(entry.access as string)) fail(`${path}.access`, '"read", "write" or "deny"');
  if (entry.missing_path_behavior !== undefined && entry.missing_path_behavior !== 'skip') fail(`${path}.missing_path_behavior`, '"skip" or absent');
  const p = entry.path;
  if (!isObj(p)) fail(`${path}.path`, 'an object with "type"');
  const fp = p as Record<string, unknown>;
  if (fp.type === 'path') {
    if (typeof fp.path !== 'string' || fp.path === '') fail(`${path}.path.path`, 'an absolute path');
  } else if (fp.type === 'glob_pattern') {
    if (typeof fp.pattern !== 'string' || fp.pattern === '') fail(`${path}.path.pattern`, 'a non-empty string');
  } else if (fp.type === 'special') {
    const v = fp.value;
    if (!isObj(v) || !['root', 'minimal', 'project_roots', 'tmpdir', 'slash_tmp'].includes(v.kind as string)) {
      fail(`${path}.path.value.kind`, '"root", "minimal", "project_roots", "tmpdir" or "slash_tmp"');
    }
    const sv = v as Record<string, unknown>;
    if (sv.subpath !== undefined && (sv.kind !== 'project_roots' || typeof sv.subpath !== 'string')) fail(`${path}.path.value.subpath`, 'a string, only for "project_roots"');
  } else {
    fail(`${path}.path.type`, '"path", "glob_pattern" or "special"');
  }
}
