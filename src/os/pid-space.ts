// Whose pid is this? A pid means something only in the pid space it came from. Processes sharing
// a folder may live in different ones (WSL and Windows, a container and its host, two machines on
// a network share, Linux and Wine), and there `process.kill(pid, 0)` asks about some unrelated
// process, or none. So a file naming a pid also names its space, and a pid is judged dead only
// when that space is this process's own.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';

/**
 * This process's pid space, as one string compared for equality; undefined when it cannot be told
 * (then no pid is ever judged dead here, and callers fall back to an age rule).
 * - Linux: host name, boot id (one per kernel boot) and the pid namespace's inode.
 * - Elsewhere (Windows, macOS: one pid space per machine): platform, host name and the boot time
 *   to the minute. Two processes whose boot-time estimates straddle a minute see each other as
 *   foreign: only slower (the age rule), never wrong.
 */
export function currentPidSpace(): Promise<string | undefined> {
  cached ??= computePidSpace();
  return cached;
}
let cached: Promise<string | undefined> | undefined;

async function computePidSpace(): Promise<string | undefined> {
  const host = os.hostname();
  if (process.platform === 'linux') {
    try {
      const bootId = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      const pidNs = await fs.readlink('/proc/self/ns/pid'); // "pid:[4026531836]"
      if (bootId === '' || !/^pid:\[\d+\]$/.test(pidNs)) return undefined;
      return `linux:${host}:${bootId}:${pidNs}`;
    } catch {
      return undefined; // no /proc: nothing proves a pid local
    }
  }
  const bootMinute = Math.round((Date.now() - os.uptime() * 1000) / 60_000);
  return `${process.platform}:${host}:boot-${bootMinute}`;
}

/** A short, file-name-safe tag for a pid space (16 hex digits of its SHA-256). */
export function pidSpaceTag(space: string): string {
  return createHash('sha256').update(space).digest('hex').slice(0, 16);
}

/**
 * True only when `pid` is provably gone: `space` (the pid's, or its tag) is this process's own
 * and no process has that pid. A live pid, a pid from elsewhere, or no space: false.
 */
export async function pidIsDeadHere(pid: number, space: string | undefined, form: 'space' | 'tag' = 'space'): Promise<boolean> {
  const mine = await currentPidSpace();
  if (mine === undefined || space === undefined) return false;
  if ((form === 'tag' ? pidSpaceTag(mine) : mine) !== space) return false;
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, another user's
  }
}
