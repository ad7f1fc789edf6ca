// The lock cap_sid's writers take (`<file>.lock`, file-lock.ts), and their temp files (`<file>.<pid>.<tag>.<uuid>.tmp`).
// Both name their owner: its pid and its pid space (pid-space.ts). A lock or temp file is stale when
// its owner is provably dead in this process's own pid space, or, whoever owns it, when it is older
// than STALE_MS (a writer holds the lock for milliseconds). Writers may run in other pid spaces
// (WSL and Windows sharing a codex home, containers, network shares): their pids are never tested
// here, only their age.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { acquireFileLock } from '../../../os/file-lock';
import { currentPidSpace, pidIsDeadHere, pidSpaceTag } from '../../../os/pid-space';

/** A lock or temp file older than this is stale whoever owns it; writers wait longer, so a crashed one never fails a session. */
export const STALE_MS = 30_000;
export const LOCK_WAIT_MS = STALE_MS + 15_000;

export { LockError } from '../../../os/file-lock';

/**
 * cap_sid.lock, waited for without blocking the thread (file-lock.ts); a stale one is taken over.
 * Resolves to its release. An abort ends the wait: a session that gave up must not take the lock
 * and write later.
 */
export async function acquireLock(lock: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  const held = await acquireFileLock(lock, { staleMs: STALE_MS, deadlineMs: LOCK_WAIT_MS, ...(signal ? { signal } : {}) });
  return held.release;
}

/** A fresh temp file's name beside `target`, naming this process and its pid space. */
export async function tempFileFor(target: string): Promise<string> {
  const space = await currentPidSpace();
  return `${target}.${process.pid}.${space === undefined ? 'nospace' : pidSpaceTag(space)}.${randomUUID()}.tmp`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes what dead or stalled writers left beside `target` (their temp files, a lock moved aside
 * and never removed); call it holding the lock. A file whose owner may still be alive and that is
 * younger than STALE_MS stays. Returns the names removed.
 */
export async function removeStaleLeftovers(target: string): Promise<string[]> {
  const dir = path.dirname(target);
  const base = escape(path.basename(target));
  const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  // <base>.<pid>.<tag>.<uuid>.tmp; <base>.<pid>.<uuid>.tmp (older versions: no pid space, age only); <base>.lock.stale-<uuid>
  const temp = new RegExp(`^${base}\\.(\\d+)\\.(?:([0-9a-f]{16}|nospace)\\.)?${uuid}\\.tmp$`);
  const aside = new RegExp(`^${base}\\.lock\\.stale-${uuid}$`);
  const removed: string[] = [];
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const t = temp.exec(name);
    if (!t && !aside.test(name)) continue;
    const file = path.join(dir, name);
    const st = await fs.lstat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const stale = Date.now() - st.mtimeMs > STALE_MS || (t !== null && t[2] !== undefined && t[2] !== 'nospace' && (await pidIsDeadHere(Number(t[1]), t[2], 'tag')));
    if (!stale) continue;
    await fs.rm(file, { force: true }).then(
      () => removed.push(name),
      () => {}, // Windows: open elsewhere at this instant; the next write tries again
    );
  }
  return removed;
}
