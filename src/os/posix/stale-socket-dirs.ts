// Socket directories of dead parents. A parent that is SIGKILLed cannot remove its
// `<tmp>/codex-runner-<32 hex>/` directories, so each directory carries an owner record (pid and
// process start time: a pid alone may have been reused by then), and the first pair a process
// creates in a tmp dir sweeps that dir: ours (our uid, a real directory, mode 0700, our naming),
// only our files in it, and an owner that is dead. A pid is judged only in the pid space it came
// from (the record names it): a tmp dir shared with a container or another pid namespace holds
// live sessions whose pids mean nothing here, so those, and records from before spaces were
// written, fall to the age-and-probe rule of ownerless directories. All asynchronous: this runs on the app's main
// thread. Symlinks are never followed (lstat everywhere, the record opened O_NOFOLLOW), and
// nothing of another user is touched.
import { execFile } from 'node:child_process';
import { constants, promises as fs, type Stats } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { boundedWait, WaitTimeoutError } from '../../util/bounded-wait';
import { currentPidSpace, pidSpaceTag } from '../pid-space';
import { readStatFields } from './proc-stat';

/** The owner record's file name inside a socket directory (the sockets are `in` and `out`). */
export const OWNER_FILE = 'owner';
const DIR_NAME = /^codex-runner-[0-9a-f]{32}$/;
/**
 * A directory without an owner record comes from a version before records existed, or is ours in
 * the instant between mkdir and writing the record. Such a directory is removed only when it is
 * this old and no socket in it accepts a connection. A live session's sockets listen only until
 * its runner connects (connect timeout 15 s by default) and are unlinked then; a directory left
 * unchanged for an hour belongs to nobody waiting. The age also keeps the probe connect (which an
 * old version would take as its one client) away from any plausible live session.
 */
export const OWNERLESS_MIN_AGE_MS = 60 * 60 * 1000;
const PROBE_TIMEOUT_MS = 1000;

export interface OwnerRecord {
  pid: number;
  /** Linux: start time in clock ticks since boot (/proc/<pid>/stat field 22); macOS: `ps -o lstart=`. */
  start: string | null;
  /** The owner's pid space (pidSpaceTag), null when it could not be told. */
  space: string | null;
}

/** When `pid` started, as this platform records it; undefined when it does not exist (or cannot be read). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') {
    // Field 22 overall: the 20th after the name.
    return (await readStatFields(pid))?.[19];
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'lstart=', '-p', String(pid)], (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined));
  });
}

let ownRecord: Promise<string> | undefined;

/** This process's owner record, as written into each socket directory it creates. */
export function ownerRecordText(): Promise<string> {
  ownRecord ??= Promise.all([processStartTime(process.pid), currentPidSpace()]).then(
    ([start, space]) => `${JSON.stringify({ pid: process.pid, start: start ?? null, space: space === undefined ? null : pidSpaceTag(space) } satisfies OwnerRecord)}\n`,
  );
  return ownRecord;
}

function parseOwner(text: string): OwnerRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<OwnerRecord>;
    const space = v.space === undefined ? null : v.space; // a record from before spaces were written
    if (Number.isSafeInteger(v.pid) && (v.pid as number) > 0 && (v.start === null || typeof v.start === 'string') && (space === null || typeof space === 'string')) {
      return { pid: v.pid!, start: v.start ?? null, space };
    }
  } catch {}
  return undefined;
}

/** Is the record's pid one of this pid space's? Only then can this process judge it. */
async function ownerIsLocal(owner: OwnerRecord): Promise<boolean> {
  const mine = await currentPidSpace();
  return mine !== undefined && owner.space !== null && owner.space === pidSpaceTag(mine);
}

/** Alive means: a process with that pid exists and, where the record says when it started, started then. */
async function ownerAlive(owner: OwnerRecord): Promise<boolean> {
  const start = await processStartTime(owner.pid);
  if (start === undefined) {
    // No such process, or one we may not look at: kill(pid, 0) tells them apart.
    try {
      process.kill(owner.pid, 0);
      return true; // exists; not ours to judge
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return owner.start === null || owner.start === start;
}

/** The record, read without following a symlink and only from a small regular file of ours. */
async function readOwner(file: string, uid: number | undefined): Promise<OwnerRecord | 'unreadable'> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return 'unreadable';
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || st.size > 4096) return 'unreadable';
    return parseOwner(await handle.readFile('utf8')) ?? 'unreadable';
  } finally {
    await handle.close();
  }
}

/** Does anything listen on the socket? (ECONNREFUSED: a socket file whose listener is gone.) */
async function accepts(socketPath: string): Promise<boolean> {
  const socket = net.connect({ path: socketPath });
  const answer = new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  try {
    return await boundedWait(answer, { timeoutMs: PROBE_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof WaitTimeoutError) return true; // slow to answer is not dead
    throw err;
  } finally {
    socket.destroy();
  }
}

export type SweepVerdict = 'removed' | 'kept: not ours' | 'kept: owner alive' | 'kept: unexpected contents' | 'kept: too recent' | 'kept: a socket accepts' | 'kept: unreadable owner';

/** Judges one candidate directory and removes it when it is a dead parent's. */
export async function sweepSocketDir(dir: string, now = Date.now()): Promise<SweepVerdict> {
  const uid = process.getuid?.();
  let st: Stats;
  try {
    st = await fs.lstat(dir);
  } catch {
    return 'kept: not ours'; // gone already
  }
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o777) !== 0o700) return 'kept: not ours';
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return 'kept: not ours';
  }
  const sockets: string[] = [];
  for (const name of entries) {
    const entry = await fs.lstat(path.join(dir, name)).catch(() => undefined);
    if (!entry) continue; // removed meanwhile (a socket unlinked at connect)
    if (uid !== undefined && entry.uid !== uid) return 'kept: unexpected contents';
    if ((name === 'in' || name === 'out') && entry.isSocket()) sockets.push(path.join(dir, name));
    else if (!(name === OWNER_FILE && entry.isFile())) return 'kept: unexpected contents';
  }
  const owner = entries.includes(OWNER_FILE) ? await readOwner(path.join(dir, OWNER_FILE), uid) : undefined;
  if (owner === 'unreadable') return 'kept: unreadable owner';
  if (owner !== undefined && (await ownerIsLocal(owner))) {
    if (await ownerAlive(owner)) return 'kept: owner alive';
  } else {
    // No record, or a pid from another space (or an older record that does not say): nothing
    // proves the owner dead, so only old and silent directories go.
    if (now - st.mtimeMs < OWNERLESS_MIN_AGE_MS) return 'kept: too recent'; // mtime: the last entry added or removed
    for (const socket of sockets) if (await accepts(socket)) return 'kept: a socket accepts';
  }
  await fs.rm(dir, { recursive: true, force: true }); // rm never follows symlinks inside
  return 'removed';
}

/** Sweeps `base` (a tmp dir) of dead parents' socket directories. Returns what it removed. */
export async function sweepStaleSocketDirs(base: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!DIR_NAME.test(name)) continue;
    const dir = path.join(base, name);
    if ((await sweepSocketDir(dir).catch(() => 'kept: not ours')) === 'removed') removed.push(dir);
  }
  return removed;
}
