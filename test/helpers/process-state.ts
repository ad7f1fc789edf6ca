// What a test process holds right now: open fds, runner socket dirs, live descendants. The
// leak checks compare these before and after; every reading comes from the kernel (/proc; on
// Windows only isAlive works, through the OS's process table).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { after } from 'node:test';
import * as os from 'node:os';

export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Socket directories the Unix pipe pair creates (`codex-runner-<nonce>`) under `base`. Test
 * files run in parallel, so a leak check points TMPDIR at a folder of its own first.
 */
export function runnerSocketDirs(base = os.tmpdir()): string[] {
  return readdirSync(base)
    .filter((name) => /^codex-runner-[0-9a-f]{32}$/.test(name))
    .map((name) => `${base}/${name}`)
    .sort();
}

/**
 * Points this test file's TMPDIR (where socket directories go) at a fresh folder of its own,
 * removed after the file's tests, so its socket-dir counts see no other file's sessions.
 */
export function usePrivateTmpdir(label: string): string {
  const dir = mkdtempSync(`${os.tmpdir()}/codex-runner-ipc-test-${label}-`);
  process.env.TMPDIR = dir;
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
}

function readProc(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** The kernel's one-letter state of `pid` (R, S, T, Z...), or undefined when it is gone. */
export function processState(pid: number): string | undefined {
  return readProc(pid)?.state;
}

/** The parent the kernel records for `pid`, or undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
  return readProc(pid)?.ppid;
}

/** Alive means running or sleeping: a zombie (no reaper in a container) counts as gone. */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  // Windows has no /proc: signal 0 asks the OS whether the process still runs (no zombies there).
  if (process.platform === 'win32') return existsAsProcess(pid);
  const entry = readProc(pid);
  return entry !== undefined && entry.state !== 'Z' && entry.state !== 'X';
}

function existsAsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // there, but not ours to signal
  }
}

/** Every live process below `root` (default: this process). */
export function liveDescendants(root = process.pid): number[] {
  const all: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProc(Number(name));
    if (entry) all.push(entry);
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const e of all) {
      if (e.ppid === parent && e.state !== 'Z' && e.state !== 'X') {
        found.push(e.pid);
        frontier.push(e.pid);
      }
    }
  }
  return found.sort((a, b) => a - b);
}

/** Exited children of `parent` that nobody has reaped yet (a subreaper must reap its adoptees). */
export function zombieChildren(parent: number): number[] {
  const zombies: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProc(Number(name));
    if (entry && entry.ppid === parent && entry.state === 'Z') zombies.push(entry.pid);
  }
  return zombies.sort((a, b) => a - b);
}

/**
 * Polls `check` until it holds (a process being reaped, a file being removed happen a moment
 * after the event that causes them). Gives up after `limitMs` and returns false; callers
 * assert on the result, never on how long it took.
 */
export async function eventually(check: () => boolean, limitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
