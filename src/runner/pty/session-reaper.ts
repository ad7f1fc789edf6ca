// Job-like cleanup for a terminal session. The child leads its own session (setsid); interactive
// shells put each job in a process group of its own, so signalling the child's group misses them.
// Every process in the session is found and killed, as closing a Windows kill-on-close job would.
import { promises as fs } from 'node:fs';

/** Processes whose session id is `sid` (Linux /proc; stat field 6, after the parenthesised name). */
export async function sessionMembers(sid: number): Promise<number[]> {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return members; // no procfs (macOS): the caller's process-group kill is all there is
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await fs.readFile(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[3]) === sid) members.push(Number(entry));
  }
  return members;
}

/** SIGKILLs the process group `sid` and every process left in session `sid`. */
export async function killSession(sid: number): Promise<void> {
  try {
    process.kill(-sid, 'SIGKILL');
  } catch {}
  for (const pid of await sessionMembers(sid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}
