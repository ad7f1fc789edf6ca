// An exclusive lock file shared by processes that may live in different pid spaces (pid-space.ts):
// cap_sid's writers (held for milliseconds) and codex's sandbox setup (held for minutes, kept fresh
// by a heartbeat). Created with O_EXCL, naming its owner `{"pid","space","token"}`. A lock is stale,
// and taken over, when its owner is provably dead in this process's own pid space, or, whoever
// wrote it, when its mtime is older than `staleMs`. A pid from another space is never tested.
// Everything is async: nothing here blocks the thread it runs on.
import { randomUUID } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { delay } from '../util/bounded-wait';
import { readBoundedFile } from '../util/read-bounded-file';
import { currentPidSpace, pidIsDeadHere } from './pid-space';

const MAX_LOCK_BYTES = 4096;

/** What a lock file holds (older cap_sid writers wrote `<pid> <token>`: no owner; age only). */
export interface LockOwner {
  pid: number;
  /** currentPidSpace() of the owner; absent: its pid is never trusted. */
  space?: string;
  token: string;
}

export interface FileLockOptions {
  /** A lock whose mtime is older than this is taken over, whoever holds it. */
  staleMs: number;
  /** Keep the held lock's mtime fresh (every staleMs / 4) until it is released. */
  heartbeat?: boolean;
  /** Give up waiting after this long: LockError 'timeout'. Default: wait until `signal`. */
  deadlineMs?: number;
  /** Ends the wait with its reason: a caller that gave up never takes the lock later. */
  signal?: AbortSignal;
  /** The longest pause between tries (they start at 5 ms and double). Default 100 ms. */
  pollMs?: number;
  /** Called once, when a live owner holds it and this starts waiting. */
  onWait?: (owner: LockOwner | undefined) => void;
}

export interface HeldLock {
  file: string;
  owner: LockOwner;
  /** Stops the heartbeat; removes the file if it is still ours (never one taken over from us). Idempotent. */
  release(): Promise<void>;
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

export function parseLockOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(v?.pid) || typeof v.token !== 'string') return undefined;
    return { pid: v.pid!, token: v.token, ...(typeof v.space === 'string' ? { space: v.space } : {}) };
  } catch {
    return undefined; // being written, or another form: only its age can say it is stale
  }
}

export function describeLockOwner(owner: LockOwner | undefined): string {
  return owner ? `pid ${owner.pid} of ${owner.space ?? 'an unknown pid space'}` : 'an owner it does not name';
}

const readText = (file: string) => readBoundedFile(file, MAX_LOCK_BYTES).then((b) => b.toString('utf8'), () => undefined);

function kindOf(st: Stats): string {
  return st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
}

export async function acquireFileLock(file: string, options: FileLockOptions): Promise<HeldLock> {
  const { staleMs, signal } = options;
  const deadline = options.deadlineMs === undefined ? Infinity : Date.now() + options.deadlineMs;
  const maxPause = options.pollMs ?? 100;
  const owner: LockOwner = { pid: process.pid, ...spaceField(await currentPidSpace()), token: randomUUID() };
  const mine = JSON.stringify(owner);
  let waited = false;
  for (let pause = 5; ; pause = Math.min(pause * 2, maxPause)) {
    if (signal?.aborted) throw signal.reason;
    try {
      await fs.writeFile(file, mine, { flag: 'wx', mode: 0o600 });
      return held(file, owner, mine, options);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const st = await fs.lstat(file).catch(() => undefined);
      // A folder or link where the lock goes is nobody's lock: waiting would never end.
      if (st && !st.isFile()) throw new LockError('not-a-file', `is ${kindOf(st)}, not a lock file: nothing of codex's or this module's makes one there; remove it`);
      if (code !== 'EEXIST') throw new LockError('io', `could not be created: ${(err as Error).message}`);
      if (!st) continue; // released in between: try again at once
    }
    const text = await readText(file);
    const age = await fs.lstat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
    const seen = text === undefined ? undefined : parseLockOwner(text);
    if (text !== undefined && (age > staleMs || (seen !== undefined && (await pidIsDeadHere(seen.pid, seen.space))))) {
      await takeOver(file, text);
      continue;
    }
    if (Date.now() > deadline) throw new LockError('timeout', `held by ${describeLockOwner(seen)}`);
    if (!waited) {
      waited = true;
      options.onWait?.(seen);
    }
    await delay(Math.min(pause, Math.max(0, deadline - Date.now())), signal);
  }
}

const spaceField = (space: string | undefined) => (space === undefined ? {} : { space });

function held(file: string, owner: LockOwner, mine: string, options: FileLockOptions): HeldLock {
  const heartbeat = options.heartbeat
    ? setInterval(() => {
        const now = new Date();
        void fs.utimes(file, now, now).catch(() => {});
      }, Math.max(1, Math.floor(options.staleMs / 4)))
    : undefined;
  heartbeat?.unref();
  let released: Promise<void> | undefined;
  return {
    file,
    owner,
    release: () =>
      (released ??= (async () => {
        clearInterval(heartbeat);
        // Only our own lock: a process that judged us stale owns it now.
        if ((await readText(file)) === mine) await fs.rm(file, { force: true });
      })()),
  };
}

/**
 * Moves a stale lock aside (`<lock>.stale-<uuid>`), atomically: of two processes taking over the
 * same lock, one rename wins and the other finds nothing. What was moved is checked: if it is not
 * the stale lock seen (someone took over in between and made a fresh one), it is put back without
 * replacing anything.
 */
async function takeOver(file: string, stale: string): Promise<void> {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return; // gone already: someone else took it over, or its owner released it
  }
  if ((await readText(aside)) !== stale) await fs.link(aside, file).catch(() => {});
  await fs.rm(aside, { force: true }).catch(() => {});
}
