// Which capability SIDs a command gets, as upstream's parent computes them
// (spawn_prep.rs `prepare_elevated_spawn_context_for_permissions`, cap.rs, setup.rs
// `effective_write_roots_for_permissions`): with write access, one SID per effective write root
// (the cwd's from `workspace_by_cwd`, every other root's from `writable_root_by_path`), sorted by
// canonical path and deduplicated; without, `[readonly]`. Every runner refuses an empty list.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PermissionProfile } from '../../../protocol/permissions';
import { capSidsFor, type CapSidSlot } from './cap-sid-file';
import { asciiLower } from './runner-env';

export interface CapabilitySidRequest {
  codexHome: string;
  profile: PermissionProfile;
  workspaceRoots: string[];
  cwd: string;
  /** The command's environment: `tmpdir` means its TEMP/TMP. */
  env: Record<string, string>;
  /** Ends a wait for cap_sid.lock (the session ended, or its timeoutMs passed). */
  signal?: AbortSignal;
}

export interface CapabilitySids {
  sids: string[];
  /** 'write-roots': one per root in `roots`; 'readonly': codex's read-only SID. */
  kind: 'write-roots' | 'readonly';
  roots: string[];
}

/** cap.rs `canonical_path_key`: the canonical path, `\` as `/`, ASCII-lowercased. */
export async function canonicalPathKey(p: string): Promise<string> {
  return pathKey((await canonicalPath(p)) ?? p);
}

/** The key of a path already canonical. */
export function pathKey(canonical: string): string {
  return asciiLower(canonical.replaceAll('\\', '/'));
}

/** dunce::canonicalize; undefined when the path does not resolve (upstream then keys the path as given). */
export async function canonicalPath(p: string): Promise<string | undefined> {
  return fs.realpath(p).catch(() => undefined);
}

export async function capabilitySids(req: CapabilitySidRequest): Promise<CapabilitySids> {
  const roots = await effectiveWriteRoots(req);
  if (roots.length === 0) {
    if (hasWriteEntries(req.profile)) throw new Error(`the permission profile grants writes, but none of its write roots exists (${writeRootCandidates(req).join(', ') || 'none'}); codex's runner would get no capability SID`);
    return { sids: await capSidsFor(req.codexHome, [{ table: 'readonly' }], req.signal), kind: 'readonly', roots: [] };
  }
  const cwdKey = await canonicalPathKey(req.cwd);
  const slots: CapSidSlot[] = roots.map((root) => {
    const key = pathKey(root);
    return key === cwdKey ? { table: 'workspace_by_cwd', key } : { table: 'writable_root_by_path', key };
  });
  const sids = await capSidsFor(req.codexHome, slots, req.signal);
  return { sids: [...new Set(sids)], kind: 'write-roots', roots };
}

function hasWriteEntries(profile: PermissionProfile): boolean {
  return profile.type === 'managed' && profile.file_system.type === 'restricted' && profile.file_system.entries.some((e) => e.access === 'write');
}

/** The write entries as paths, before any exists check. */
function writeRootCandidates(req: CapabilitySidRequest): string[] {
  const p = req.profile;
  if (p.type !== 'managed' || p.file_system.type !== 'restricted') return [];
  const out: string[] = [];
  for (const entry of p.file_system.entries) {
    if (entry.access !== 'write') continue;
    const fp = entry.path;
    if (fp.type === 'path') out.push(fp.path);
    else if (fp.type === 'special') {
      const v = fp.value;
      if (v.kind === 'project_roots') out.push(...req.workspaceRoots.map((r) => (v.subpath ? path.join(r, v.subpath) : r)));
      else if (v.kind === 'tmpdir') {
        const tmp = req.env.TEMP ?? req.env.TMP ?? req.env.TMPDIR;
        if (tmp) out.push(tmp);
      } else if (v.kind === 'slash_tmp' && process.platform !== 'win32') out.push('/tmp');
    }
  }
  return out;
}

/** Existing write roots, canonical, sorted and deduplicated; the codex home and the profile root itself never count. */
export async function effectiveWriteRoots(req: CapabilitySidRequest): Promise<string[]> {
  const homeKey = await canonicalPathKey(req.codexHome);
  const profileKey = await canonicalPathKey(os.homedir());
  const byKey = new Map<string, string>();
  for (const candidate of writeRootCandidates(req)) {
    const canonical = await canonicalPath(candidate);
    if (canonical === undefined) continue; // upstream's canonical_existing: missing roots drop out
    const key = pathKey(canonical);
    if (key === homeKey || key.startsWith(`${homeKey}/`) || key === profileKey) continue;
    if (!byKey.has(key)) byKey.set(key, canonical);
  }
  return [...byKey.values()].sort();
}
