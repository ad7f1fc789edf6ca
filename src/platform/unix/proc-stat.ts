// Linux /proc/<pid>/stat, read the one safe way: the command name (field 2) may hold spaces and
// parentheses, so the fields are counted from after the last ')'. Index 0 is field 3 (the state).
import { readFile } from 'node:fs/promises';

/** The fields after the name: [0] state, [1] ppid, [2] pgrp, [3] session, ... [19] start time. */
export function statFields(statText: string): string[] {
  return statText.slice(statText.lastIndexOf(')') + 2).split(' ');
}

/** `pid`'s stat fields (see statFields), or undefined when it is gone or this is not Linux. */
export async function readStatFields(pid: number): Promise<string[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    return statFields(await readFile(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}
