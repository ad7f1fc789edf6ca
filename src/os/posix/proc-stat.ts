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

/** True when a SIGKILL is pending for `pid` (sent, not acted on yet); undefined when unknown. */
export async function hasPendingSigkill(pid: number): Promise<boolean | undefined> {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const SIGKILL_BIT = 1n << 8n; // signal 9 is bit 8 of the pending masks
  return [...text.matchAll(/^(SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].some((m) => (BigInt(`0x${m[2]}`) & SIGKILL_BIT) !== 0n);
}
