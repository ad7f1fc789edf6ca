// The launches one launcher process was asked for and has not answered yet: each bounded by the
// launcher's answer timeout (past it the launcher is hung and killed), and by its caller's abort
// and time. A caller that gives up leaves the launch asked for; a runner started for it anyway is
// killed as soon as it is reported.
import { boundedWait } from '../../util/bounded-wait';
import type { LauncherLink } from './launcher-process';
import { RunnerLaunchError, type RunnerProcess } from './runner-process';

/** What bounds one launch besides the launcher's own answer timeout: the caller's abort and its time. */
export interface LaunchBounds {
  signal?: AbortSignal;
  /** The caller's bound on the answer (a session's connect timeout). */
  timeoutMs?: number;
}

export interface PendingLaunch {
  exe: string;
  resolve: (runner: RunnerProcess) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** The caller gave up (its abort, its own bound): a runner started anyway is killed at once. */
  abandoned?: boolean;
}

export class PendingLaunches {
  private readonly pending = new Map<number, PendingLaunch>();
  private nextId = 1;

  constructor(private readonly link: LauncherLink) {}

  /** Launches a caller still waits for: each holds the event loop. */
  get waitedFor(): number {
    return [...this.pending.values()].filter((p) => !p.abandoned).length;
  }

  /**
   * Sends a launch request. Rejects with RunnerLaunchError naming why not, or with the signal's
   * reason as soon as it aborts: the caller never waits on a launcher past its own bounds.
   */
  ask(exe: string, args: string[], env: Record<string, string>, cwd: string, bounds: LaunchBounds): Promise<RunnerProcess> {
    const { signal, timeoutMs } = bounds;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    const answer = new Promise<RunnerProcess>((resolve, reject) => {
      const timer = setTimeout(() => this.link.kill(`did not answer a launch within ${this.link.answerMs} ms; killed it`), this.link.answerMs);
      timer.unref();
      this.pending.set(id, { exe, resolve, reject, timer });
    });
    // At the caller's bound a stopped launcher is killed, which fails this launch naming why; a
    // busy one is only left behind.
    const boundTimer = timeoutMs === undefined ? undefined : setTimeout(() => void this.atBound(id, exe, timeoutMs), timeoutMs);
    this.link.updateRef();
    this.link.send({ type: 'launch', id, exe, args, env, cwd });
    return boundedWait(answer, { signal })
      .catch((err: unknown) => {
        if (!signal?.aborted || err !== signal.reason) throw err;
        this.abandon(id);
        throw err instanceof Error ? err : new RunnerLaunchError(String(err));
      })
      .finally(() => clearTimeout(boundTimer));
  }

  /** The answer to launch `id`: its entry, settled (undefined when it is not pending). */
  take(id: number): PendingLaunch | undefined {
    const waiting = this.pending.get(id);
    if (!waiting) return undefined;
    clearTimeout(waiting.timer);
    this.pending.delete(id);
    this.link.updateRef();
    return waiting;
  }

  /** The launcher is gone: every launch still waited for fails, naming why. */
  failAll(why: string): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(id);
      if (!waiting.abandoned) waiting.reject(new RunnerLaunchError(`runner ${waiting.exe} could not be started: the runner launcher ${why}`));
    }
  }

  private async atBound(id: number, exe: string, timeoutMs: number): Promise<void> {
    if (!this.pending.has(id) || (await this.link.killIfStopped())) return;
    const waiting = this.abandon(id);
    waiting?.reject(new RunnerLaunchError(`runner ${exe} could not be started: the runner launcher (pid ${this.link.pid}) did not answer within ${timeoutMs} ms`));
  }

  /**
   * The caller stops waiting for launch `id`. A launcher that is stopped (SIGSTOP, a debugger) is
   * known hung: it is killed now, not after the answer timeout.
   */
  private abandon(id: number): PendingLaunch | undefined {
    const waiting = this.pending.get(id);
    if (!waiting || waiting.abandoned) return undefined;
    waiting.abandoned = true;
    this.link.updateRef();
    void this.link.killIfStopped();
    return waiting;
  }
}
