// How a command ended, from what this side knows for itself (it asked to stop the command; the
// runner's timed_out flag; its own timeout backstop) and the one thing only a runner can tell:
// the POSIX signal that ended the command. Nothing is inferred from the exit code: `exit 143` from
// a shell and a SIGTERM look the same there, and the code is kept exactly as the runner reported it.

/**
 * - `exited`: the command exited by itself (any code).
 * - `signaled`: a signal the session did not send ended it (POSIX; `signal` names it).
 * - `terminated`: this side asked to stop it (`terminate()`, `dispose()`) before its end was known.
 * - `timed_out`: its `timeoutMs` ran out (the runner's `timed_out`, or the parent's backstop).
 * - `failed`: the session failed (setup, the runner, the protocol) without any of the above.
 */
export type EndReason = 'exited' | 'signaled' | 'terminated' | 'timed_out' | 'failed';

export interface CommandEnd {
  endReason: EndReason;
  /** The signal that ended the command, as the runner reported it; only reported, never acted on. */
  signal?: string;
}

export interface EndFacts {
  /** The runner's exit report, when one came. */
  exitReport?: { timedOut: boolean; signal?: string };
  /** The session failed (no exit report is used then). */
  failed: boolean;
  /** The parent's own timeout backstop ended the runner. */
  backstopTimedOut: boolean;
  /** terminate() or dispose() was called before the session ended. */
  stopRequested: boolean;
}

export function commandEnd(facts: EndFacts): CommandEnd {
  const report = facts.failed ? undefined : facts.exitReport;
  const signal = report?.signal !== undefined ? { signal: report.signal } : {};
  if (facts.backstopTimedOut || report?.timedOut) return { endReason: 'timed_out', ...signal };
  if (facts.stopRequested) return { endReason: 'terminated', ...signal };
  if (facts.failed) return { endReason: 'failed' };
  if (report?.signal !== undefined) return { endReason: 'signaled', signal: report.signal };
  return { endReason: 'exited' };
}
