// The session's three timers, each a bound on someone else's promise: the runner answers the spawn
// request, it reports the exit after terminate(), and a runner that cannot enforce the command's
// timeout (frozen, hung) is ended by the parent. Each fires at most once and all go at the end.
import { processStateNote } from '../../os/posix/process-state';
import { DEFAULT_TERMINATE_GRACE_MS } from './session-options';
import { SessionError } from './session-error';
import type { RunnerChannel } from './runner-channel';
import type { RunnerConnection } from './runner-connection';
import { RUNNER_EXIT_GRACE_MS } from './runner-death';
import type { PhaseMachine } from './session-phase';

/** Past the command's own timeout, how long the runner gets to report it before the parent steps in. */
export const TIMEOUT_BACKSTOP_MS = DEFAULT_TERMINATE_GRACE_MS + RUNNER_EXIT_GRACE_MS;

export interface WatchdogHost {
  readonly phase: PhaseMachine;
  readonly channel: RunnerChannel;
  /** Ends the session with `error`; `timedOut`: the command's timeout is why. */
  fail(error: SessionError, timedOut?: boolean): void;
}

export class Watchdogs {
  private spawnReadyTimer?: NodeJS.Timeout;
  private terminateTimer?: NodeJS.Timeout;
  private backstopTimer?: NodeJS.Timeout;

  constructor(private readonly host: WatchdogHost) {}

  /** `conn`'s runner answers the spawn request within `readyMs`, or the session fails. */
  armSpawnReady(conn: RunnerConnection, readyMs: number): void {
    const { phase, channel } = this.host;
    this.spawnReadyTimer = setTimeout(() => {
      void processStateNote(conn.runner.pid).then((state) => {
        if (!phase.is('awaiting_reply', 'replied') || channel.conn !== conn) return; // it answered meanwhile
        this.host.fail(new SessionError('spawn_sent', `runner pid ${conn.runner.pid} did not answer the spawn request within ${readyMs} ms${state}`));
      });
    }, readyMs);
  }

  /** The runner answered (or this try is dropped). */
  spawnAnswered(): void {
    clearTimeout(this.spawnReadyTimer);
  }

  /** After terminate(): the exit report comes within `graceMs`, or the runner and its tree are killed. */
  armTerminate(graceMs: number): void {
    const { channel } = this.host;
    this.terminateTimer = setTimeout(() => {
      // The pipe is ordered: a runner that stopped reading (its command does not read stdin and
      // its bounded queue is full) never sees the terminate frame.
      const stuck = channel.conn?.toRunner.writableLength ?? 0;
      let why = stuck > 0 ? ` (${stuck} bytes are still queued ahead of it: the command is not reading its stdin)` : '';
      // codex's version-1 runners built before close_stdin/resize existed (upstream PR #15578, e.g.
      // codex 0.116.0) stop reading input at the first such frame: the terminate went unread.
      if (channel.v1LateMessageSent) why += ` (a version-1 runner built before codex added close_stdin and resize, such as codex 0.116.0, stops reading at the first of them; this session sent ${channel.v1LateMessageSent} before terminate)`;
      this.host.fail(new SessionError('running', `runner pid ${channel.conn?.runner.pid} did not report an exit within ${graceMs} ms of terminate${why}; killed it and its processes`));
    }, graceMs);
  }

  /**
   * The runner enforces `timeoutMs`; a runner that is frozen (stopped, hung) cannot. Past the
   * timeout plus a grace, the parent ends the runner and its whole tree itself.
   */
  armBackstop(timeoutMs: number | null | undefined): void {
    if (!timeoutMs || timeoutMs + TIMEOUT_BACKSTOP_MS > 0x7fff_ffff) return;
    this.backstopTimer = setTimeout(() => void this.backstop(timeoutMs), timeoutMs + TIMEOUT_BACKSTOP_MS);
  }

  clear(): void {
    clearTimeout(this.spawnReadyTimer);
    clearTimeout(this.terminateTimer);
    clearTimeout(this.backstopTimer);
  }

  private async backstop(timeoutMs: number): Promise<void> {
    if (this.host.phase.ending) return;
    const runner = this.host.channel.conn?.runner;
    const state = runner ? await processStateNote(runner.pid) : '';
    this.host.fail(
      new SessionError('running', `runner pid ${runner?.pid} did not report the command's exit ${TIMEOUT_BACKSTOP_MS} ms after its ${timeoutMs} ms timeout${state}; killed the runner and its processes`),
      true,
    );
  }
}
