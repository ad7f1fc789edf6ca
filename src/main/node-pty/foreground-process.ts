// node-pty's `process` on Linux: the name of the terminal's foreground program (tcgetpgrp of the
// pty, then that process's /proc/<pgid>/cmdline). The pty lives in the runner, so the foreground
// group is read from the kernel instead: field tpgid of the verified command's /proc stat. The
// runner reports nothing here, and the process found must be a descendant of the verified runner
// in the command's terminal session, or it is not named.
import { open } from 'node:fs/promises';
import { readStatFields } from '../../os/posix/proc-stat';

/** statFields indexes: [1] ppid, [3] session, [5] tpgid (the terminal's foreground process group). */
const PPID = 1;
const SESSION = 3;
const TPGID = 5;
/** How far up a ppid chain the walk to the runner goes (a shell's jobs are a few levels deep). */
const MAX_DEPTH = 64;
/** node-pty reads cmdline up to its first NUL; argv[0] longer than this is cut. */
const MAX_NAME_BYTES = 4096;

/**
 * The foreground program of the terminal whose session leader is `commandPid` (a verified child
 * of `runnerPid`): argv[0] of the foreground group's leader, as node-pty's `process` gives it.
 * Undefined when it cannot be read or checked (not Linux, gone, not below the runner).
 */
export async function foregroundProgram(commandPid: number, runnerPid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  const command = await readStatFields(commandPid);
  const pgid = Number(command?.[TPGID]);
  if (!command || !Number.isInteger(pgid) || pgid <= 0) return undefined;
  if (pgid !== commandPid) {
    const leader = await readStatFields(pgid);
    if (!leader || leader[SESSION] !== command[SESSION] || !(await descendsFrom(pgid, leader, runnerPid))) return undefined;
  }
  return argv0(pgid);
}

/** Whether `pid` (whose stat fields are `fields`) has `ancestor` up its ppid chain. */
async function descendsFrom(pid: number, fields: string[], ancestor: number): Promise<boolean> {
  let parent = Number(fields[PPID]);
  for (let depth = 0; depth < MAX_DEPTH && Number.isInteger(parent) && parent > 1; depth++) {
    if (parent === ancestor) return true;
    parent = Number((await readStatFields(parent))?.[PPID]);
  }
  return false;
}

/** argv[0] from /proc/<pid>/cmdline, read bounded (a program may set a huge one). */
async function argv0(pid: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(`/proc/${pid}/cmdline`, 'r');
    const buffer = Buffer.alloc(MAX_NAME_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_NAME_BYTES, 0);
    const bytes = buffer.subarray(0, bytesRead);
    const end = bytes.indexOf(0);
    const name = bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
    return name || undefined; // a zombie's or a kernel thread's cmdline is empty
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
