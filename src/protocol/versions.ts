// Everything that differs between versions of the runner protocol, in one table. Framing and the
// message set never changed; `spawn_request`'s fields and the `error` payload did. Each builder
// emits the payload exactly as upstream's serde serializes that version's struct: same fields,
// same order, `Option`s as explicit null. Sources (codex-rs/windows-sandbox-rs/src/elevated/
// ipc_framed.rs and its later copies): v1 read in upstream itself; v2 (PR #22918/#23813), v3
// (workspace_roots, PR #24108), v4 (structured errors, PR #29624), v5 and v6 from copies of
// upstream's tree. Version 5's shape is inferred from those copies only.
// This package's own runner also takes a `signal` message (messages.ts) in any version: an
// addition that codex's runner never receives.
import { withSkippedCarveOuts, type PermissionProfile } from './permissions';

export const PROTOCOL_VERSIONS = [6, 5, 4, 3, 2, 1] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
export const NEWEST_PROTOCOL_VERSION: ProtocolVersion = 6;

export function isProtocolVersion(v: unknown): v is ProtocolVersion {
  return (PROTOCOL_VERSIONS as readonly unknown[]).includes(v);
}

/** What a session asks the runner for, whatever the wire version. */
export interface SpawnInput {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  permissionProfile: PermissionProfile;
  /** Version 1's `policy_json_or_preset`, or null when the permissions cannot be said in version 1. */
  v1Policy: string | null;
  /** Absolute paths (version 3+). */
  workspaceRoots: string[];
  /** Upstream's parent sends `<CODEX_HOME>\.sandbox` here (the runner's log folder)... */
  codexHome: string;
  /** ...and the codex home itself here. */
  realCodexHome: string;
  capSids: string[];
  realUserSid: string | null;
  networkProxyRestrictingSid: string | null;
  privateDesktopName: string | null;
  timeoutMs: number | null;
  tty: boolean;
  stdinOpen: boolean;
  usePrivateDesktop: boolean;
}

/** The `error` payload: `{message, code}` up to version 3, `{message, stage, windows_error_code}` after. */
export type ErrorShape = 'code' | 'stage';

/** A `spawn_request` field as the runner's struct declares it. */
export interface FieldRule {
  name: string;
  kind: 'string' | 'strings' | 'string-map' | 'bool' | 'timeout' | 'optional-string' | 'profile' | 'absolute-paths';
  /** `Option<T>` or `#[serde(default)]`: may be missing. */
  optional?: boolean;
}

export interface VersionSpec {
  version: ProtocolVersion;
  errorShape: ErrorShape;
  /** The fields, in upstream's declaration order (= serialization order). */
  fields: readonly FieldRule[];
  /** Builds the payload; throws when the input cannot be said in this version (says why). */
  spawnRequest(input: SpawnInput): Record<string, unknown>;
}

const head: FieldRule[] = [
  { name: 'command', kind: 'strings' },
  { name: 'cwd', kind: 'string' },
  { name: 'env', kind: 'string-map' },
];
const homes: FieldRule[] = [
  { name: 'codex_home', kind: 'string' },
  { name: 'real_codex_home', kind: 'string' },
  { name: 'cap_sids', kind: 'strings' },
];
const tail: FieldRule[] = [
  { name: 'timeout_ms', kind: 'timeout', optional: true },
  { name: 'tty', kind: 'bool' },
  { name: 'stdin_open', kind: 'bool', optional: true },
  { name: 'use_private_desktop', kind: 'bool', optional: true },
];

const V1_FIELDS: FieldRule[] = [
  ...head,
  { name: 'policy_json_or_preset', kind: 'string' },
  { name: 'sandbox_policy_cwd', kind: 'string' },
  ...homes,
  ...tail,
];
const V2_FIELDS: FieldRule[] = [
  ...head,
  { name: 'permission_profile', kind: 'profile' },
  { name: 'permission_profile_cwd', kind: 'string' },
  ...homes,
  ...tail,
];
const V3_FIELDS: FieldRule[] = [...head, { name: 'permission_profile', kind: 'profile' }, { name: 'workspace_roots', kind: 'absolute-paths' }, ...homes, ...tail];
const V5_FIELDS: FieldRule[] = [...V3_FIELDS.slice(0, 8), { name: 'network_proxy_restricting_sid', kind: 'optional-string', optional: true }, ...tail];
const V6_FIELDS: FieldRule[] = [...V5_FIELDS, { name: 'private_desktop_name', kind: 'optional-string', optional: true }];

/** The payload object in the order of `fields`, each value taken from `values`. */
function ordered(fields: readonly FieldRule[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = values[f.name];
  return out;
}

function common(input: SpawnInput): Record<string, unknown> {
  return {
    command: [...input.command],
    cwd: input.cwd,
    env: { ...input.env },
    codex_home: input.codexHome,
    real_codex_home: input.realCodexHome,
    cap_sids: [...input.capSids],
    timeout_ms: input.timeoutMs,
    tty: input.tty,
    stdin_open: input.stdinOpen,
    use_private_desktop: input.usePrivateDesktop,
  };
}

const v1: VersionSpec = {
  version: 1,
  errorShape: 'code',
  fields: V1_FIELDS,
  spawnRequest(input) {
    if (input.v1Policy === null) {
      throw new RangeError('a custom permission profile cannot be sent to a version-1 runner (it takes only "read-only", "workspace-write" or a SandboxPolicy in `policy`)');
    }
    // Upstream's version-1 SpawnRequest (main, and the 0.116.0/0.128.0 binaries) has no real_user_sid.
    if (input.realUserSid !== null) throw new RangeError("a version-1 runner has no real_user_sid field (upstream's SpawnRequest never had one on main); leave realUserSid unset");
    const values: Record<string, unknown> = { ...common(input), policy_json_or_preset: input.v1Policy, sandbox_policy_cwd: input.cwd };
    return ordered(V1_FIELDS, values);
  },
};

const v2: VersionSpec = {
  version: 2,
  errorShape: 'code',
  fields: V2_FIELDS,
  spawnRequest: (input) => ordered(V2_FIELDS, { ...common(input), permission_profile: input.permissionProfile, permission_profile_cwd: input.cwd }),
};

const withRoots = (input: SpawnInput) => ({ ...common(input), permission_profile: input.permissionProfile, workspace_roots: [...input.workspaceRoots] });

const v3: VersionSpec = { version: 3, errorShape: 'code', fields: V3_FIELDS, spawnRequest: (input) => ordered(V3_FIELDS, withRoots(input)) };
const v4: VersionSpec = { version: 4, errorShape: 'stage', fields: V3_FIELDS, spawnRequest: (input) => ordered(V3_FIELDS, withRoots(input)) };
// A v5/v6 parent (since upstream #34598) marks workspace-write's .git/.agents/.codex carve-outs
// `missing_path_behavior: "skip"`; v2-v4 parents did not.
const withSkippingRoots = (input: SpawnInput) => ({ ...withRoots(input), permission_profile: withSkippedCarveOuts(input.permissionProfile) });

const v5: VersionSpec = {
  version: 5,
  errorShape: 'stage',
  fields: V5_FIELDS,
  spawnRequest: (input) => ordered(V5_FIELDS, { ...withSkippingRoots(input), network_proxy_restricting_sid: input.networkProxyRestrictingSid }),
};
// One shape for both version-6 runners: 6-A (0.152) reads use_private_desktop and uses the named
// desktop only when it is true; 6-B (0.158+) ignores that key and requires the name.
const v6: VersionSpec = {
  version: 6,
  errorShape: 'stage',
  fields: V6_FIELDS,
  spawnRequest: (input) =>
    ordered(V6_FIELDS, {
      ...withSkippingRoots(input),
      network_proxy_restricting_sid: input.networkProxyRestrictingSid,
      use_private_desktop: input.usePrivateDesktop || input.privateDesktopName !== null,
      private_desktop_name: input.privateDesktopName,
    }),
};

const SPECS: Record<ProtocolVersion, VersionSpec> = { 1: v1, 2: v2, 3: v3, 4: v4, 5: v5, 6: v6 };

export function versionSpec(version: ProtocolVersion): VersionSpec {
  return SPECS[version];
}

/** Stages of a version-4+ `error` (upstream `ErrorStage`, snake_case). */
export const ERROR_STAGES = ['read_spawn_request', 'spawn_child', 'write_spawn_ready'] as const;
export type ErrorStage = (typeof ERROR_STAGES)[number];

/** An `error` payload in the shape of `version`. */
export function errorPayload(version: ProtocolVersion, message: string, stage: ErrorStage, windowsErrorCode: number | null = null): Record<string, unknown> {
  return SPECS[version].errorShape === 'code' ? { message, code: 'spawn_failed' } : { message, stage, windows_error_code: windowsErrorCode };
}
