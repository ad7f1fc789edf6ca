// A command's whole process tree, found through the kernel's parent links and ended for good.
// Used by the runner (its command's tree) and the launcher (a runner's tree). Process groups are
// not enough: anything that calls setsid()/setpgid() leaves the group, and a process whose parent
// exits is reparented away from the tree. So on Linux the runner and the launcher become child
// subreapers (orphans below them are reparented to them, not to init), and every end walks
// parent links from the root, freezing what it finds before killing it.
//
// Linux reads /proc synchronously: this runs only in the runner and the launcher (never in the
// app's main thread), and a walk must be quick because the frozen processes wait for it (about
// 10 us per process on the machine: /proc/<pid>/task/<tid>/children would be O(tree), but it
// needs CONFIG_PROC_CHILDREN, which kernels do not all have, and this one does not).
// macOS has no /proc and no subreaper: `ps -A -o pid=,ppid=,pgid=`, run asynchronously.
import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type koffiModule from 'koffi';
import { statFields } from './proc-stat';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id (Linux); undefined where the table does not have it (ps on macOS). */
  sid?: number;
  /** One-letter state from /proc ('Z' is a zombie: exited, waiting for its parent to reap it). */
  state?: string;
}

/** Reads every process the system shows us. */
export type ProcessTableReader = () => Promise<ProcessEntry[]>;

export interface KillTreeOptions {
  /** Also stop and kill `rootPid` itself (first, so it can fork nothing while its tree is walked). */
  includeRoot?: boolean;
  /**
   * Only descendants in this session, and everything below them (a terminal session's jobs).
   * Where the table has no session ids (macOS) the session leader's process group stands in.
   */
  inSession?: number;
  /** Defaults to this platform's table; tests run the macOS reader (procps ps) on Linux too. */
  readTable?: ProcessTableReader;
}

/** Walks past this many rounds only if processes keep appearing that cannot be stopped (EPERM). */
const MAX_FREEZE_ROUNDS = 64;
const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

// ---- the process table ---------------------------------------------------------------------

const statBuffer = Buffer.alloc(1024);

/** /proc/<pid>/stat: the fields after the parenthesised name (which may hold spaces and ')'). */
function readStat(pid: string): ProcessEntry | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined; // exited while we looked
  }
  let text: string;
  try {
    text = statBuffer.toString('latin1', 0, readSync(fd, statBuffer, 0, statBuffer.length, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  const f = statFields(text);
  return { pid: Number(pid), state: f[0], ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]) };
}

/** Linux: every process in /proc, read synchronously (see the header for why). */
export function linuxProcessTable(): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue; // only the numeric entries are processes
    const entry = readStat(name);
    if (entry) table.push(entry);
  }
  return table;
}

/** macOS (and any system with a POSIX ps): `ps -A -o pid=,ppid=,pgid=`, asynchronously. */
export function psProcessTable(ps = 'ps'): Promise<ProcessEntry[]> {
  return new Promise((resolve, reject) => {
    execFile(ps, ['-A', '-o', 'pid=,ppid=,pgid='], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(new Error(`${ps} -A -o pid=,ppid=,pgid= failed: ${err.message}`));
      const table: ProcessEntry[] = [];
      for (const line of stdout.split('\n')) {
        const [pid, ppid, pgid] = line.trim().split(/\s+/).map(Number);
        if (Number.isInteger(pid) && Number.isInteger(ppid)) table.push({ pid: pid!, ppid: ppid!, pgid: pgid ?? 0 });
      }
      resolve(table);
    });
  });
}

function platformTable(): Promise<ProcessEntry[]> {
  if (process.platform === 'linux') return Promise.resolve(linuxProcessTable());
  return psProcessTable();
}

/**
 * Processes below `root` by parent links, parents before children. With `inSession`, only the
 * session's members and what is below them (the walk still passes through non-members).
 */
export function walkDescendants(table: readonly ProcessEntry[], root: number, inSession?: number): number[] {
  return walkEntries(table, root, inSession).map((e) => e.pid);
}

function walkEntries(table: readonly ProcessEntry[], root: number, inSession?: number): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const e of table) {
    if (e.pid === root) continue; // its ppid would link the root below something
    let list = children.get(e.ppid);
    if (!list) children.set(e.ppid, (list = []));
    list.push(e);
  }
  const member = (e: ProcessEntry) => inSession === undefined || (e.sid !== undefined ? e.sid === inSession : e.pgid === inSession);
  const found: ProcessEntry[] = [];
  const seen = new Set<number>([root]);
  const frontier: [number, boolean][] = [[root, false]];
  while (frontier.length > 0) {
    const [parent, parentSelected] = frontier.shift()!;
    for (const e of children.get(parent) ?? []) {
      if (seen.has(e.pid)) continue; // a table read while processes come and go may hold a cycle
      seen.add(e.pid);
      const selected = parentSelected || member(e);
      if (selected) found.push(e);
      frontier.push([e.pid, selected]);
    }
  }
  return found;
}

/** Every process below `pid`, from the kernel's parent links. */
export async function descendantsOf(pid: number, readTable: ProcessTableReader = platformTable): Promise<number[]> {
  return walkDescendants(await readTable(), pid);
}

// ---- ending a tree ---------------------------------------------------------------------------

function signal(pid: number, sig: 'SIGSTOP' | 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {} // gone already, or not ours to signal (EPERM: a setuid program)
}

/**
 * Freezes then kills: every descendant found gets SIGSTOP, the tree is walked again until a walk
 * finds nobody new (a stopped process cannot fork, so the tree is then closed), then all of them
 * get SIGKILL. Killing while walking would let a process fork between the walk and its kill, and
 * a killed parent's children would be reparented out of reach before we saw them. SIGKILL ends a
 * stopped process too, so no SIGCONT is needed. The process groups led by what was found are
 * killed as well: without a subreaper (macOS), an orphan whose parent already exited has no
 * parent link to us, but if it stayed in its group (a command's background job) it goes with it.
 * Returns the pids it killed.
 */
export async function killDescendants(rootPid: number, options: KillTreeOptions = {}): Promise<number[]> {
  const readTable = options.readTable ?? platformTable;
  const freeze = new TreeFreeze(rootPid, options);
  for (let round = 0; round < MAX_FREEZE_ROUNDS; round++) {
    if (!freeze.stopNew(await readTable())) break;
  }
  return freeze.kill();
}

/**
 * The same, synchronously, for a process's 'exit' handler (Linux; elsewhere it does nothing:
 * `ps` cannot run synchronously there without blocking on a child).
 */
export function killDescendantsNow(rootPid: number, options: Omit<KillTreeOptions, 'readTable'> = {}): number[] {
  if (process.platform !== 'linux') return [];
  const freeze = new TreeFreeze(rootPid, options);
  for (let round = 0; round < MAX_FREEZE_ROUNDS; round++) {
    if (!freeze.stopNew(linuxProcessTable())) break;
  }
  return freeze.kill();
}

/** One freeze-then-kill of a tree: rounds of stopping what is new, then the kill. */
class TreeFreeze {
  private readonly stopped = new Set<number>();
  private readonly groupLeaders = new Set<number>();

  constructor(
    private readonly rootPid: number,
    private readonly options: Omit<KillTreeOptions, 'readTable'>,
  ) {
    if (options.includeRoot) {
      signal(rootPid, 'SIGSTOP');
      this.stopped.add(rootPid);
    }
  }

  /** Stops everything in `table` below the root not stopped yet; false when there was nothing new. */
  stopNew(table: readonly ProcessEntry[]): boolean {
    let fresh = false;
    for (const e of walkEntries(table, this.rootPid, this.options.inSession)) {
      if (this.stopped.has(e.pid)) continue;
      fresh = true;
      signal(e.pid, 'SIGSTOP');
      this.stopped.add(e.pid);
      if (e.pgid === e.pid) this.groupLeaders.add(e.pid);
    }
    if (this.options.includeRoot) {
      const root = table.find((e) => e.pid === this.rootPid);
      if (root && root.pgid === root.pid) this.groupLeaders.add(root.pid);
    }
    return fresh;
  }

  kill(): number[] {
    for (const pid of this.stopped) signal(pid, 'SIGKILL');
    for (const leader of this.groupLeaders) signal(-leader, 'SIGKILL');
    return [...this.stopped];
  }
}

// ---- subreaper and reaping (Linux) ------------------------------------------------------------

interface LibcProcess {
  setChildSubreaper(): number;
  waitpidNoHang(pid: number): number;
  errno(): number;
}

let libc: LibcProcess | undefined;

function libcProcess(): LibcProcess {
  if (libc) return libc;
  const koffi = require('koffi') as typeof koffiModule;
  const lib = koffi.load('libc.so.6');
  // prctl is variadic in <sys/prctl.h>: declared so, its extra arguments typed at the call.
  const prctl = lib.func('int prctl(int option, ...)');
  const waitpid = lib.func('int waitpid(int pid, int *status, int options)');
  libc = {
    setChildSubreaper: () => prctl(PR_SET_CHILD_SUBREAPER, 'unsigned long', 1, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0),
    waitpidNoHang: (pid) => waitpid(pid, null, WNOHANG),
    errno: () => koffi.errno(),
  };
  return libc;
}

/**
 * Linux: makes this process the reaper of orphans in its tree (prctl PR_SET_CHILD_SUBREAPER), so
 * a command's grandchild whose parent exits stays findable below us instead of going to init.
 * Returns false elsewhere (macOS has no such thing) or when it failed; `onFailure` hears why.
 */
export function becomeChildSubreaper(onFailure?: (why: string) => void): boolean {
  if (process.platform !== 'linux') {
    onFailure?.(`${process.platform} has no child subreaper`);
    return false;
  }
  try {
    const api = libcProcess();
    if (api.setChildSubreaper() === 0) return true;
    onFailure?.(`prctl(PR_SET_CHILD_SUBREAPER) failed: errno ${api.errno()}`);
  } catch (err) {
    onFailure?.(`koffi could not load libc: ${(err as Error).message}`);
  }
  return false;
}

/**
 * Our children that are not in `spawned` (processes reparented to us), from a fresh table:
 * `live` ones and `zombies` (exited, waiting for us to reap them).
 */
export function adoptedChildren(spawned: ReadonlySet<number>, table: readonly ProcessEntry[] = linuxProcessTable()): { live: number[]; zombies: number[] } {
  const live: number[] = [];
  const zombies: number[] = [];
  for (const e of table) {
    if (e.ppid !== process.pid || spawned.has(e.pid)) continue;
    (e.state === 'Z' ? zombies : live).push(e.pid);
  }
  return { live, zombies };
}

/**
 * Reaps orphans that were reparented to us and have exited: waitpid(pid, WNOHANG) on exactly
 * those pids, never waitpid(-1), which would steal the exit status of a child Node spawned
 * (libuv waits for its own children by pid). `exclude` must hold every pid this process spawned
 * that Node has not yet reported as exited. Linux only (nothing is adopted elsewhere). `table`:
 * a fresh reading the caller already has.
 */
export function reapAdopted(exclude: ReadonlySet<number>, table?: readonly ProcessEntry[]): number[] {
  if (process.platform !== 'linux') return [];
  const { zombies } = adoptedChildren(exclude, table);
  if (zombies.length === 0) return [];
  const api = libcProcess();
  return zombies.filter((pid) => api.waitpidNoHang(pid) === pid);
}

/**
 * Runs `pass` whenever a child of ours changes state (SIGCHLD: one of ours exited, or an adopted
 * orphan did), coalesced to one pass per turn of the event loop. Returns a function that stops
 * it. Node's signal handles do not keep the process alive. Linux only.
 */
export function onChildStateChange(pass: () => void): () => void {
  if (process.platform !== 'linux') return () => {};
  let scheduled = false;
  const run = () => {
    scheduled = false;
    try {
      pass();
    } catch (err) {
      process.stderr.write(`handling adopted processes failed: ${(err as Error).message}\n`);
    }
  };
  const onSigchld = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };
  process.on('SIGCHLD', onSigchld);
  return () => process.off('SIGCHLD', onSigchld);
}
