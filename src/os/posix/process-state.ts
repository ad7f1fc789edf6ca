// What the kernel says about a runner process (Linux /proc), for the decisions that cannot trust
// the runner itself: may a warm runner still take a request, and why did a runner not answer.
import { hasPendingSigkill, readStatFields } from './proc-stat';

export type RunnerState =
  | { kind: 'alive' }
  | { kind: 'stopped' | 'dead'; note: string }
  /** Not Linux: only the pipes and the exit report tell. */
  | { kind: 'unknown' };

const NAMES: Record<string, string> = { T: 'stopped', t: 'stopped by a tracer', D: 'in uninterruptible sleep', Z: 'a zombie', X: 'dead' };

export async function runnerState(pid: number): Promise<RunnerState> {
  if (process.platform !== 'linux') return { kind: 'unknown' };
  const state = (await readStatFields(pid))?.[0];
  if (state === undefined) return { kind: 'dead', note: 'gone' };
  if (state === 'Z' || state === 'X') return { kind: 'dead', note: NAMES[state]! };
  // Killed but not scheduled yet: as good as dead, and a request written now would be lost.
  if (await hasPendingSigkill(pid)) return { kind: 'dead', note: 'being killed (SIGKILL pending)' };
  if (state === 'T' || state === 't') return { kind: 'stopped', note: NAMES[state]! };
  return { kind: 'alive' };
}

/** " (runner is stopped)" and the like, from the kernel's word on the process (Linux); else "". */
export async function processStateNote(pid: number): Promise<string> {
  const state = (await readStatFields(pid))?.[0];
  return state && NAMES[state] ? ` (runner is ${NAMES[state]})` : '';
}
