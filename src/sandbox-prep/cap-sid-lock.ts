// The lock cap_sid's writers take (`<file>.lock`), and their temp files (`<file>.<pid>.<tag>.<uuid>.tmp`).
// Both name their owner: its pid and its pid space (pid-space.ts). A lock or temp file is stale when
// its owner is provably dead in this process's own pid space, or, whoever owns it, when it is older
// than STALE_MS (a writer holds the lock for milliseconds). Writers may run in other pid spaces
// (WSL and Windows sharing a codex home, containers, network shares): their pids are never tested
// here, only their age.
import { randomUUID } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { readBoundedFile } from '../platform/read-bounded-file';
import { currentPidSpace, pidIsDeadHere, pidSpaceTag } from './pid-space';

/** A lock or temp file older than this is stale whoever owns it; writers wait longer, so a crashed one never fails a session. */
export const STALE_MS = 30_000;
export const LOCK_WAIT_MS = STALE_MS + 15_000;
const MAX_LOCK_BYTES = 4096;

/** What a lock file holds: `{"pid","space","token"}` (older versions wrote `<pid> <token>`: their pid is never trusted). */
export interface LockOwner {
  pid: number;
  space?: string;
  token: string;
}

export function parseLockOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v?.pid !== 'number' || typeof v.token !== 'string') return undefined;
    return { pid: v.pid, token: v.token, ...(typeof v.space === 'string' ? { space: v.space } : {}) };
  } catch {
    return undefined;
  }
}

/** A lock's failure, said of the lock file; the caller words it for its own file. */
export class LockError extends Error {
  constructor(
    readonly problem: 'timeout' | 'not-a-file' | 'io',
    /** timeout: who holds it ("held by pid 12 of ..."); else what is wrong with the lock file. */
    detail: string,
  ) {
    super(detail);
    this.name = 'LockError';
  }
}

const readText = (file: string) => readBoundedFile(file, MAX_LOCK_BYTES).then((b) => b.toString('utf8'), () => undefined);

function kindOf(st: Stats): string {
  return st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
}

/**
 * An exclusive lock file, waited for without blocking the thread; a stale one is taken over.
 * Resolves to its release. An abort ends the wait: a session that gave up must not take the lock
 * and write later.
 */
export async function acquireLock(lock: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  const mine = JSON.stringify({ pid: process.pid, space: await currentPidSpace(), token: randomUUID() } satisfies LockOwner);
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (signal?.aborted) throw signal.reason;
    let code: string | undefined;
    try {
      await fs.writeFile(lock, mine, { flag: 'wx' });
      return async () => {
        // Only our own lock: a writer that took over a stale one owns it now.
        if ((await readText(lock)) === mine) await fs.rm(lock, { force: true });
      };
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code;
      const st = await fs.lstat(lock).catch(() => undefined);
      // A folder or link where the lock goes is nobody's lock: waiting would never end.
      if (st && !st.isFile()) throw new LockError('not-a-file', `is ${kindOf(st)}, not a lock file: nothing of codex's or this module's makes one there; remove it`);
      if (code !== 'EEXIST') throw new LockError('io', `could not be created: ${(err as Error).message}`);
      if (!st) continue; // released in between: try again at once
    }
    const held = await readText(lock);
    const age = await fs.lstat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (held !== undefined && (age > STALE_MS || (await ownerIsDead(held)))) {
      await takeOverStaleLock(lock, held);
      continue;
    }
    if (Date.now() > deadline) throw new LockError('timeout', `held by ${describeOwner(held)}`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

async function ownerIsDead(held: string): Promise<boolean> {
  const owner = parseLockOwner(held);
  return owner !== undefined && pidIsDeadHere(owner.pid, owner.space);
}

function describeOwner(held: string | undefined): string {
  const owner = held === undefined ? undefined : parseLockOwner(held);
  return owner ? `pid ${owner.pid} of ${owner.space ?? 'an unknown pid space'}` : 'an owner it does not name';
}

/**
 * Moves a stale lock aside, atomically: of two processes taking over the same lock, one rename
 * wins and the other finds nothing. What was moved is checked: if it is not the stale lock seen
 * (someone took over in between and made a fresh one), it is put back without replacing anything.
 */
async function takeOverStaleLock(lock: string, stale: string): Promise<void> {
  const aside = `${lock}.stale-${randomUUID()}`;
  try {
    await fs.rename(lock, aside);
  } catch {
    return; // gone already: someone else took it over, or its owner released it
  }
  const moved = await readText(aside);
  if (moved !== stale) await fs.link(aside, lock).catch(() => {});
  await fs.rm(aside, { force: true }).catch(() => {});
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
