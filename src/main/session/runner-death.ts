// Reading a runner's death. From this side a death looks like one of three things: the pipe cut
// off mid-frame, the pipe ending without an exit report, or the process gone while its pipe stays
// open. Each is turned into a verdict: what to call it, and whether it may count as silence after
// the spawn request (which the version search weighs) or only as the session's failure.
import { boundedWait, delay } from '../../util/bounded-wait';
import type { RunnerProcess } from '../launch/launch-runner';
import type { RunnerChannel } from './runner-channel';
import { describeExit, stderrNote, type RunnerConnection } from './runner-connection';
import type { PhaseMachine } from './session-phase';

/** How long a runner that reported its exit (or whose pipe ended) gets to exit by itself. */
export const RUNNER_EXIT_GRACE_MS = 2000;

export interface DeathVerdict {
  /** Set when, before the runner's first reply, this is silence after the request. */
  silence?: { why: string; stderr: string };
  /** The session's failure message otherwise. */
  failure: string;
}

/** The runner's exit, if it comes within the grace period. */
function exitWithinGrace(runner: RunnerProcess) {
  return boundedWait(runner.exited, { timeoutMs: RUNNER_EXIT_GRACE_MS }).catch(() => undefined);
}

/** The reader failed: a stream cut off mid-frame is how a runner's death looks from here. */
export async function readReaderError(err: Error, runner: RunnerProcess | undefined): Promise<DeathVerdict> {
  if (runner && /stream ended inside|pipe closed before the end of stream/.test(err.message)) {
    const exit = await exitWithinGrace(runner);
    if (exit) {
      const why = describeExit(runner.pid, exit);
      return { silence: { why, stderr: stderrNote(runner) }, failure: `${why} mid-stream (${err.message})${stderrNote(runner)}` };
    }
  }
  return { failure: `bad data from runner: ${err.message}` };
}

/** The pipe ended without an exit report: the runner quit or died. Its exit code says which. */
export async function readEof(runner: RunnerProcess): Promise<DeathVerdict> {
  const exit = await exitWithinGrace(runner);
  const why = exit ? describeExit(runner.pid, exit) : `runner pid ${runner.pid} closed its pipe`;
  return { silence: { why, stderr: stderrNote(runner) }, failure: `${why} before reporting the command's exit${stderrNote(runner)}` };
}

export interface DeathWatch {
  /** Aborts at the session's end: a death read after it no longer matters. */
  signal: AbortSignal;
  phase: PhaseMachine;
  channel: RunnerChannel;
  verdict(verdict: DeathVerdict): void;
}

/** Watches `conn`'s runner: a death that leaves its pipe open gets a verdict too. */
export function watchRunnerDeath(conn: RunnerConnection, watch: DeathWatch): void {
  void conn.runner.exited.then(() => judgeDeath(conn, watch));
}

async function judgeDeath(conn: RunnerConnection, watch: DeathWatch): Promise<void> {
  const { runner } = conn;
  const { channel } = watch;
  // Frames written before it died are still in the pipe: give the reader time to see them.
  try {
    await delay(RUNNER_EXIT_GRACE_MS, watch.signal);
  } catch {
    return; // the session ended meanwhile
  }
  if (watch.phase.ending || channel.conn !== conn) return;
  // A reader held back for a slow consumer has not read them yet (the exit report among them):
  // that is no pipe left open. Judged again once the consumer reads on.
  if (channel.reader?.paused) {
    channel.readerResumed = () => {
      channel.readerResumed = undefined;
      void judgeDeath(conn, watch);
    };
    return;
  }
  const why = `${describeExit(runner.pid, runner.exit()!)} but its pipe stayed open`;
  watch.verdict({ silence: { why, stderr: stderrNote(runner) }, failure: `${why}${stderrNote(runner)}` });
}
