// The main process's side of the runner launcher (src/launcher/): one small helper process per
// owner (a SessionManager) that does the runner spawns, so Node's synchronous fork never runs on
// the app's main thread (300 sessions started at once spent 16 s inside spawn() there). Started
// lazily on the first launch, restarted on the first launch after it died, closed with its owner.
// The process itself: launcher-process.ts; its launches: pending-launches.ts; its runners:
// launched-runners.ts.
import { promises as fs } from 'node:fs';
import { boundedWait } from '../../util/bounded-wait';
import { LauncherProcess, LauncherUnavailableError, type LauncherStart } from './launcher-process';
import type { LaunchBounds } from './pending-launches';
import { RunnerLaunchError, type RunnerProcess } from './runner-process';

export { LAUNCHER_ANSWER_TIMEOUT_MS, LauncherUnavailableError, type LauncherStart } from './launcher-process';
export type { LaunchBounds } from './pending-launches';

/** After a launcher failed to start, launches go direct for this long before one is tried again. */
const LAUNCHER_RETRY_MS = 30_000;

/** One owner's launcher: started on demand, replaced after it dies, ended by close(). */
export class LauncherRegistry {
  private current?: LauncherProcess;
  private startPromise?: Promise<LauncherProcess>;
  private unavailable?: { until: number; error: LauncherUnavailableError };
  private readonly warned = new Set<string>();
  private closed = false;

  constructor(private readonly start: () => Promise<LauncherStart>) {}

  /** Launches a runner through the launcher; LauncherUnavailableError when no launcher can run. */
  async launch(exe: string, args: string[], env: Record<string, string>, cwd: string, bounds: LaunchBounds = {}): Promise<RunnerProcess> {
    // A launcher that could not start is not retried at every launch (each try costs a process start).
    if (this.unavailable && Date.now() < this.unavailable.until) throw this.unavailable.error;
    let launcher: LauncherProcess;
    try {
      launcher = this.current?.usable ? this.current : await this.startNew(exe);
      await boundedWait(launcher.ready, { signal: bounds.signal });
    } catch (err) {
      if (err instanceof LauncherUnavailableError) this.unavailable = { until: Date.now() + LAUNCHER_RETRY_MS, error: err };
      throw err;
    }
    this.unavailable = undefined;
    return launcher.launch(exe, args, env, cwd, bounds);
  }

  pid(): number | undefined {
    return this.current?.alivePid();
  }

  /** A one-time warning per distinct message (a missing subreaper, a fallback to direct launches). */
  warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    process.emitWarning(message, 'CodexRunnerIpcWarning');
  }

  /** Ends the launcher (and any runner it still holds); no launcher starts after this. */
  async close(): Promise<void> {
    this.closed = true;
    await this.startPromise?.catch(() => {});
    await this.current?.close();
  }

  private startNew(exe: string): Promise<LauncherProcess> {
    if (this.closed) return Promise.reject(new RunnerLaunchError(`runner ${exe} could not be started: its runner launcher was closed with its session manager`));
    // Concurrent first launches share one start.
    this.startPromise ??= (async () => {
      try {
        const start = await this.start();
        try {
          await fs.access(start.script);
        } catch {
          throw new LauncherUnavailableError(`the runner launcher script ${start.script} is missing (scripts/bundle.mjs builds it next to the runner)`);
        }
        const launcher = new LauncherProcess(
          start,
          (gone) => {
            if (this.current === gone) this.current = undefined;
          },
          (message) => this.warnOnce(message),
        );
        this.current = launcher;
        return launcher;
      } finally {
        this.startPromise = undefined;
      }
    })();
    return this.startPromise;
  }
}
