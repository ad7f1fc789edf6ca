// One sandbox setup at a time per codex home, across processes: a lock file in the home, created
// with O_EXCL, naming its owner (pid, host, boot, pid namespace, platform) and kept fresh by a
// heartbeat (its mtime). A lock is taken over when it is stale: its owner is on this same machine,
// boot and pid namespace and that pid is gone, or (whoever wrote it) its heartbeat stopped. A pid
// from another pid namespace, host or boot means nothing here, so only the heartbeat's age counts.
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, readlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SETUP_LOCK_FILE = '.sandbox-setup.lock';
const MAX_LOCK_BYTES = 4096;

export interface LockOwner {
  pid: number;
  host: string;
  boot: string;
  pidNamespace: string;
  platform: string;
  token: string;
  since: number;
}

export interface LockOptions {
  signal?: AbortSignal;
  /** A lock whose heartbeat is older than this is taken over. Default 60 s; the heartbeat runs at a quarter of it. */
  staleMs?: number;
  pollMs?: number;
  /** Called once when another live owner holds it and this waits. */
  onWait?: (owner: LockOwner | undefined) => void;
}

export interface HeldLock {
  file: string;
  owner: LockOwner;
  /** Stops the heartbeat and removes the file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export function setupLockFile(codexHome: string): string {
  return path.join(codexHome, SETUP_LOCK_FILE);
}

/** This process as a lock owner. */
export function thisOwner(): LockOwner {
  return { pid: process.pid, ...machineIdentity(), token: randomBytes(16).toString('hex'), since: Date.now() };
}

let identity: Pick<LockOwner, 'host' | 'boot' | 'pidNamespace' | 'platform'> | undefined;

/** Where a pid means something: the host, this boot, the pid namespace (Linux), the platform. */
export function machineIdentity(): Pick<LockOwner, 'host' | 'boot' | 'pidNamespace' | 'platform'> {
  if (identity) return identity;
  const read = (f: () => string) => {
    try {
      return f().trim();
    } catch {
      return '';
    }
  };
  // Linux has a boot id; elsewhere the boot time to the minute (uptime drifts by less than that).
  const boot = read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')) || `booted:${Math.round((Date.now() - os.uptime() * 1000) / 60_000)}`;
  identity = { host: os.hostname(), boot, pidNamespace: read(() => readlinkSync('/proc/self/ns/pid')), platform: process.platform };
  return identity;
}

/** Whether `owner` is known to be gone: only a pid of our own machine, boot and pid namespace is trusted. */
export function ownerIsGone(owner: LockOwner, here = machineIdentity(), alive: (pid: number) => boolean = processAlive): boolean {
  const same = owner.host === here.host && owner.boot === here.boot && owner.pidNamespace === here.pidNamespace && owner.platform === here.platform;
  return same && !alive(owner.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireSetupLock(file: string, options: LockOptions = {}): Promise<HeldLock> {
  const staleMs = options.staleMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason;
    const owner = thisOwner();
    const held = await tryCreate(file, owner, staleMs);
    if (held) return held;
    const seen = await readLock(file);
    if (seen === 'gone') continue;
    const ageMs = Date.now() - seen.mtimeMs;
    const stale = ageMs > staleMs || (seen.owner !== undefined && ownerIsGone(seen.owner));
    if (stale) {
      await takeOver(file, seen.text);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.(seen.owner);
    }
    await sleep(pollMs, options.signal);
  }
}

async function tryCreate(file: string, owner: LockOwner, staleMs: number): Promise<HeldLock | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    void fs.utimes(file, now, now).catch(() => {});
  }, Math.max(1, Math.floor(staleMs / 4)));
  heartbeat.unref();
  let released = false;
  return {
    file,
    owner,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      const seen = await readLock(file);
      // Never remove a lock someone took over from us (we were judged stale).
      if (seen !== 'gone' && seen.owner?.token === owner.token) await fs.rm(file, { force: true });
    },
  };
}

type SeenLock = { text: string; owner?: LockOwner; mtimeMs: number } | 'gone';

async function readLock(file: string): Promise<SeenLock> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const { mtimeMs } = await handle.stat();
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, bytesRead);
    return { text, owner: parseOwner(text), mtimeMs };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    const strings = [v.host, v.boot, v.pidNamespace, v.platform, v.token].every((s) => typeof s === 'string');
    return strings && Number.isInteger(v.pid) && typeof v.since === 'number' ? (v as LockOwner) : undefined;
  } catch {
    // Being written, or not ours: only its age can say it is stale.
    return undefined;
  }
}

/**
 * Removes the stale lock we judged, and only that one: it is renamed away first (atomic), and if
 * what was renamed is not what we judged (someone took it over meanwhile) it is put back.
 */
async function takeOver(file: string, judged: string): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const text = await fs.readFile(aside, 'utf8');
    if (text !== judged) await fs.link(aside, file).catch(() => {}); // a new owner's lock: back, unless yet another exists
  } finally {
    await fs.rm(aside, { force: true });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
