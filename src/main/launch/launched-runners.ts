// The runners one launcher process started for us, as RunnerProcess handles: their stderr tails and
// exits come from the launcher's events, and kill() asks the launcher to end the runner's tree.
import type { LauncherLink } from './launcher-process';
import { TailBuffer, type RunnerExit, type RunnerProcess } from './runner-process';

interface LaunchedRunner {
  pid: number;
  tail: TailBuffer;
  exit?: RunnerExit;
  settle: (exit: RunnerExit) => void;
  killTimer?: NodeJS.Timeout;
  /** Idle in the warm pool: not a reason to keep the process alive. */
  released?: boolean;
}

export class LaunchedRunners {
  private readonly runners = new Map<number, LaunchedRunner>();

  constructor(private readonly link: LauncherLink) {}

  /** Runners in use (not released to a warm pool's idle list): each holds the event loop. */
  get held(): number {
    return [...this.runners.values()].filter((r) => !r.released).length;
  }

  /** The handle for runner `id`, which the launcher reported started as `pid`. */
  track(id: number, pid: number): RunnerProcess {
    let settle!: (exit: RunnerExit) => void;
    const exited = new Promise<RunnerExit>((resolve) => (settle = resolve));
    const runner: LaunchedRunner = { pid, tail: new TailBuffer(), settle };
    this.runners.set(id, runner);
    this.link.updateRef();
    return {
      pid,
      exited,
      exit: () => runner.exit,
      stderrTail: () => runner.tail.toString(),
      kill: () => {
        if (runner.exit || runner.killTimer) return;
        // The launcher freezes the runner, then kills it and everything below it; even a stopped runner goes.
        const ms = this.link.answerMs;
        runner.killTimer = setTimeout(() => this.link.kill(`did not report runner pid ${pid} exited within ${ms} ms of killing it; killed it`), ms);
        runner.killTimer.unref();
        this.link.send({ type: 'kill', id });
        // A stopped launcher would leave this wait to the answer timeout (30 s): a session's end must not.
        void this.link.killIfStopped();
      },
      holdProcess: (held) => {
        runner.released = !held;
        this.link.updateRef();
      },
    };
  }

  stderr(id: number, data: Buffer): void {
    this.runners.get(id)?.tail.push(data);
  }

  exited(id: number, exit: RunnerExit): void {
    const runner = this.runners.get(id);
    if (!runner) return;
    this.runners.delete(id);
    clearTimeout(runner.killTimer);
    runner.exit = exit;
    runner.settle(exit);
    this.link.updateRef();
  }

  /** The launcher is gone: every runner's real exit can no longer be known, and says so. */
  loseAll(why: string): void {
    for (const [id, runner] of this.runners) {
      clearTimeout(runner.killTimer);
      this.runners.delete(id);
      // Its session then ends and closes its pipes, and a healthy runner ends its command tree on
      // that end of file.
      runner.exit = { code: null, signal: null, lost: `was lost with its launcher: the runner launcher ${why}` };
      runner.settle(runner.exit);
    }
  }
}
