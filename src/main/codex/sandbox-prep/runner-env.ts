// The command's environment as upstream's parent prepares it for codex's runner
// (windows-sandbox-rs/src/env.rs and sandbox_utils.rs, called from spawn_prep.rs), applied on top
// of the session's own environment (already filtered by session/command-env.ts): Unix null
// devices become NUL, a pager that never waits for a key, PATH/PATHEXT kept, and git told the
// workspace is safe although the sandbox user does not own it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A copy of `env` prepared for a command run by codex's runner in `cwd`. Never mutates `env`. */
export async function prepareRunnerEnv(env: Record<string, string>, cwd: string, parentEnv: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const out = { ...env };
  normalizeNullDevice(out);
  ensureNonInteractivePager(out);
  inheritPathEnv(out, parentEnv);
  injectGitSafeDirectory(out, await gitWorktreeRoot(cwd));
  return out;
}

/** Upstream compares the trimmed, ASCII-lowercased value with these two spellings. */
const NULL_DEVICES = ['/dev/null', '\\\\dev\\\\null'];

export function normalizeNullDevice(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) {
    if (NULL_DEVICES.includes(asciiLower(value.trim()))) env[name] = 'NUL';
  }
}

export function ensureNonInteractivePager(env: Record<string, string>): void {
  env.GIT_PAGER ??= 'more.com';
  env.PAGER ??= 'more.com';
  env.LESS ??= '';
}

export function inheritPathEnv(env: Record<string, string>, parentEnv: NodeJS.ProcessEnv): void {
  for (const name of ['PATH', 'PATHEXT']) {
    if (!(name in env) && typeof parentEnv[name] === 'string') env[name] = parentEnv[name]!;
  }
}

/**
 * git refuses a repository its user does not own; the sandbox user owns none. Adds the worktree
 * root (gitWorktreeRoot of the cwd) as the next GIT_CONFIG_KEY_n/VALUE_n pair (an unparsable count: nothing).
 */
export function injectGitSafeDirectory(env: Record<string, string>, root: string | undefined): void {
  if (root === undefined) return;
  let count = 0;
  if (env.GIT_CONFIG_COUNT !== undefined) {
    if (!/^\d+$/.test(env.GIT_CONFIG_COUNT)) return;
    count = Number(env.GIT_CONFIG_COUNT);
  }
  env[`GIT_CONFIG_KEY_${count}`] = 'safe.directory';
  env[`GIT_CONFIG_VALUE_${count}`] = root.replaceAll('\\', '/');
  env.GIT_CONFIG_COUNT = String(count + 1);
}

/** The nearest folder at or above `start` (canonicalized) holding a `.git` entry. */
export async function gitWorktreeRoot(start: string): Promise<string | undefined> {
  let cur: string;
  try {
    cur = await fs.realpath(start);
  } catch {
    return undefined;
  }
  for (;;) {
    if (await fs.access(path.join(cur, '.git')).then(() => true, () => false)) return cur;
    const parent = path.dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
