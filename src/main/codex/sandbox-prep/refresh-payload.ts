// The payload codex's parent hands its setup helper for a refresh (setup.rs
// `run_setup_refresh_inner`), standard base64 of the JSON. Built whole (0.171.0's 17 fields), then cut
// to the field set of the helper's own release (setup-helper-shape.ts), in its order, as that
// release's parent sent it. `real_user` is the token's DOMAIN\user (platform/win32/current-user.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { OFFLINE_USERNAME, ONLINE_USERNAME, SETUP_VERSION } from '../home/setup-version';
import { canonicalPath } from './capability-sids';
import type { PayloadField, SetupHelperShape } from './setup-helper-shape';
import type { SetupPayloadCommon } from './setup-payload';

/** setup.rs SETUP_VERSION and the account names the helper provisions and refreshes (one place: setup-version.ts). */
export { OFFLINE_USERNAME, ONLINE_USERNAME, SETUP_VERSION };

/** setup.rs WINDOWS_PLATFORM_DEFAULT_READ_ROOTS. */
const PLATFORM_READ_ROOTS = ['C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData'];
/** setup.rs USERPROFILE_ROOT_EXCLUSIONS: never granted to the sandbox user. */
export const USERPROFILE_ROOT_EXCLUSIONS = ['.ssh', '.tsh', '.brev', '.gnupg', '.aws', '.azure', '.kube', '.docker', '.config', '.npm', '.pki', '.terraform.d'];
/** workspace-write's read-only carve-outs under each project root, denied writes when they exist. */
const CARVE_OUTS = ['.git', '.codex', '.agents'];

export interface RefreshPayload extends SetupPayloadCommon {
  user_profile: string;
  mode: 'full';
  /** 0.171.0: `legacy` (npm, standalone, desktop installs); `registered` is the Store app's runtime, which this module does not drive. */
  runtime: 'legacy';
  refresh_only: true;
}

export interface RefreshRequest {
  codexHome: string;
  cwd: string;
  /** The effective write roots (capability-sids.ts), canonical. */
  writeRoots: string[];
  workspaceRoots: string[];
  /** The whole file system is readable (a `root: read` entry): platform roots and the profile's children too. */
  readsRoot: boolean;
  realUser: string;
  userProfile: string;
}

export async function refreshPayload(r: RefreshRequest): Promise<RefreshPayload> {
  return {
    version: SETUP_VERSION,
    offline_username: OFFLINE_USERNAME,
    online_username: ONLINE_USERNAME,
    codex_home: r.codexHome,
    command_cwd: r.cwd,
    read_roots: await readRoots(r),
    write_roots: [...r.writeRoots],
    deny_read_paths: [],
    deny_write_paths: await denyWritePaths(r),
    proxy_ports: [],
    allow_local_binding: false,
    otel: null,
    real_user: r.realUser,
    user_profile: r.userProfile,
    mode: 'full',
    runtime: 'legacy',
    refresh_only: true,
  };
}

/** The payload as the helper of `shape`'s release reads it: its fields only, in its order. */
export function payloadForHelper(payload: RefreshPayload, shape: SetupHelperShape): Partial<Record<PayloadField, unknown>> {
  const out: Partial<Record<PayloadField, unknown>> = {};
  for (const field of shape.fields) out[field] = payload[field];
  return out;
}

/** The helper's argument (or, when large, its environment transport's content: helper-launch.ts). */
export function encodePayload(payload: RefreshPayload | Partial<Record<PayloadField, unknown>>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}

/** setup.rs `gather_read_roots`: the helper folder, and with root read access the platform roots, the profile's children (minus exclusions), the cwd and the write roots; existing ones, canonical. */
async function readRoots(r: RefreshRequest): Promise<string[]> {
  const roots = [path.join(r.codexHome, '.sandbox-bin')];
  if (r.readsRoot) {
    roots.push(...PLATFORM_READ_ROOTS);
    const children = await fs.readdir(r.userProfile).catch(() => undefined);
    if (children === undefined) roots.push(r.userProfile);
    else roots.push(...children.filter((n) => !USERPROFILE_ROOT_EXCLUSIONS.some((x) => x.toLowerCase() === n.toLowerCase())).map((n) => path.join(r.userProfile, n)));
    roots.push(r.cwd, ...r.writeRoots);
  } else {
    roots.push(r.cwd);
  }
  return existingCanonical(roots);
}

async function denyWritePaths(r: RefreshRequest): Promise<string[]> {
  if (r.writeRoots.length === 0) return [];
  return existingCanonical(r.workspaceRoots.flatMap((root) => CARVE_OUTS.map((c) => path.join(root, c))));
}

async function existingCanonical(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const c = await canonicalPath(p);
    if (c !== undefined && !out.includes(c)) out.push(c);
  }
  return out;
}
