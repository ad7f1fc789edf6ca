// The command's pid, as the kernel confirms it: a runner's spawn_ready names a pid, and a runner may
// lie (claim init, another app's process). On Linux the claim is checked in /proc against the
// runner this side launched and verified on the pipes: the claimed process must be that runner's
// child, started after it (so not a pid reused since). Elsewhere there is no cheap kernel word, so
// the claim is never confirmed.
import { readStatFields } from '../../os/posix/proc-stat';

/** statFields indexes: [1] ppid, [19] start time (clock ticks since boot). */
const PPID = 1;
const START_TIME = 19;

/**
 * - `child`: `claimed` is, right now, a live child of `runnerPid` started no earlier than it;
 * - `not-child`: a process `claimed` exists and is not that (the runner lied, or the pid was reused);
 * - `gone`: no such process, or the runner itself is gone (already exited: nothing to confirm);
 * - `unknown`: not Linux.
 */
export type PidCheck = 'child' | 'not-child' | 'gone' | 'unknown';

export async function checkCommandPid(runnerPid: number, claimed: number): Promise<PidCheck> {
  if (process.platform !== 'linux') return 'unknown';
  if (!Number.isInteger(claimed) || claimed < 2 || claimed === runnerPid) return 'not-child';
  const [child, runner] = await Promise.all([readStatFields(claimed), readStatFields(runnerPid)]);
  // A dead runner's pid may be reused: nothing below it counts.
  if (!runner || runner[0] === 'Z' || runner[0] === 'X') return 'gone';
  if (!child) return 'gone';
  if (Number(child[PPID]) !== runnerPid) return 'not-child';
  const childStart = Number(child[START_TIME]);
  const runnerStart = Number(runner[START_TIME]);
  return Number.isFinite(childStart) && Number.isFinite(runnerStart) && childStart >= runnerStart ? 'child' : 'not-child';
}
