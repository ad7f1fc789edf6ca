// The main process's side of the runner launcher (src/launcher/): one small helper process per
// main process that does the runner spawns, so Node's synchronous fork never runs on the app's
// main thread (300 sessions started at once spent 16 s inside spawn() there). Started lazily on
// the first launch, restarted on the first launch after it died. Its process and IPC channel hold
// the event loop only while a launch is pending or a runner it started is alive, as a runner
// spawned directly did: an idle app can exit, and then the launcher ends every runner tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { toLauncherEvent, type LauncherEvent, type LauncherRequest } from '../../protocol/launcher-messages';
import { readStatFields } from '../../os/posix/proc-stat';
import { TailBuffer, RunnerLaunchError, launchFailureReason, type RunnerExit, type RunnerProcess } from './runner-process';

/** The launcher answers `ready` within this, or it is taken as unable to start. */
const READY_TIMEOUT_MS = 10_000;
/**
 * A launch must be answered, and a killed runner's exit reported, within this; otherwise the
 * launcher is hung (frozen, or stuck in the kernel) and is killed, failing what it held. Far above
 * a real queue: forks in the small launcher take a few ms each, so even hundreds queue for seconds.
 */
export const LAUNCHER_ANSWER_TIMEOUT_MS = 30_000;

/** After a launcher failed to start, launches go direct for this long before one is tried again. */
const LAUNCHER_RETRY_MS = 30_000;

/** The launcher cannot be used (could not start): the caller launches directly and says why. */
export class LauncherUnavailableError extends Error {
  override readonly name = 'LauncherUnavailableError';
}

interface PendingLaunch {
  exe: string;
  resolve: (runner: RunnerProcess) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** The caller gave up (its abort, its own bound): a runner started anyway is killed at once. */
  abandoned?: boolean;
  stopWaiting?: () => void;
}

/** What bounds one launch besides the launcher's own answer timeout: the caller's abort and its time. */
export interface LaunchBounds {
  signal?: AbortSignal;
  /** The caller's bound on the answer (a session's connect timeout). */
  timeoutMs?: number;
}

interface LaunchedRunner {
  pid: number;
  tail: TailBuffer;
  exit?: RunnerExit;
  settle: (exit: RunnerExit) => void;
  killTimer?: NodeJS.Timeout;
  /** Idle in the warm pool: not a reason to keep the process alive. */
  released?: boolean;
}

export interface LauncherStart {
  script: string;
  /** The launcher's own environment (the runners get the one each launch sends). */
  env: Record<string, string>;
  /** Defaults to LAUNCHER_ANSWER_TIMEOUT_MS. */
  answerTimeoutMs?: number;
}

/** One running launcher process and what it holds for us. */
class LauncherConnection {
  readonly ready: Promise<void>;
  pid: number | undefined;
  /** Set once the launcher is gone (or unusable): why, in words for an error message. */
  gone?: string;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, PendingLaunch>();
  private readonly runners = new Map<number, LaunchedRunner>();
  private readonly stderr = new TailBuffer();
  private nextId = 1;
  private isReady = false;
  private killReason?: string;
  private markReady!: () => void;
  private failStart!: (err: Error) => void;
  private readonly answerMs: number;

  constructor(
    start: LauncherStart,
    private readonly onGone: (connection: LauncherConnection) => void,
    private readonly onNote: (message: string) => void,
  ) {
    this.answerMs = start.answerTimeoutMs ?? LAUNCHER_ANSWER_TIMEOUT_MS;
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    this.ready.catch(() => {}); // observed by whoever launches; never an unhandled rejection here
    // Its own session (detached): a terminal's ^C or hangup reaches the app, which decides;
    // the launcher ends its runners when the app is gone, never half-way on a signal of its own.
    this.child = spawn(process.execPath, [start.script], {
      stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
      detached: true,
      env: start.env,
      serialization: 'json',
    });
    this.pid = this.child.pid;
    (this.child.stdin as unknown as { unref?: () => void })?.unref?.();
    this.child.stdin?.on('error', () => {});
    const stderr = this.child.stderr!;
    (stderr as unknown as { unref?: () => void }).unref?.();
    stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    this.updateRef();
    const readyTimer = setTimeout(() => this.kill(`did not start within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    readyTimer.unref();
    this.child.once('error', (err) => {
      clearTimeout(readyTimer);
      if (this.child.pid === undefined) this.died(`could not be started: ${err.message}`);
    });
    this.child.on('message', (message) => this.onMessage(message, readyTimer));
    this.child.once('exit', (code, signal) => {
      clearTimeout(readyTimer);
      const how = this.killReason ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
      // Its last words (a stack trace) are in the stderr pipe, which closes just after the exit.
      const note = () => {
        const tail = this.stderr.toString();
        this.died(`${how}${tail ? `; launcher stderr: ${tail}` : ''}`);
      };
      if (stderr.closed) note();
      else {
        const timer = setTimeout(note, 200);
        stderr.once('close', () => {
          clearTimeout(timer);
          note();
        });
      }
    });
  }

  /**
   * Asks the launcher to start a runner. Rejects with RunnerLaunchError naming why not, or with the
   * signal's reason as soon as it aborts: the caller never waits on a launcher past its own bounds.
   */
  launch(exe: string, args: string[], env: Record<string, string>, cwd: string, bounds: LaunchBounds = {}): Promise<RunnerProcess> {
    if (this.gone) return Promise.reject(new RunnerLaunchError(`runner ${exe} could not be started: the runner launcher ${this.gone}`));
    const { signal, timeoutMs } = bounds;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    return new Promise<RunnerProcess>((resolve, reject) => {
      const timer = setTimeout(() => this.kill(`did not answer a launch within ${this.answerMs} ms; killed it`), this.answerMs);
      timer.unref();
      const waiting: PendingLaunch = { exe, resolve, reject, timer };
      const onAbort = () => this.abandon(id, signal!.reason);
      // At the caller's bound a stopped launcher is killed, which fails this launch naming why;
      // a busy one is only left behind.
      const onBound = async () => {
        if (await this.killIfStopped()) return;
        this.abandon(id, new RunnerLaunchError(`runner ${exe} could not be started: the runner launcher (pid ${this.pid}) did not answer within ${timeoutMs} ms`));
      };
      const boundTimer = timeoutMs === undefined ? undefined : setTimeout(() => void onBound(), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.stopWaiting = () => {
        clearTimeout(boundTimer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, waiting);
      this.updateRef();
      this.send({ type: 'launch', id, exe, args, env, cwd });
    });
  }

  /**
   * The caller stops waiting for launch `id`. A launcher that is stopped (SIGSTOP, a debugger) is
   * known hung: it is killed now, not after the answer timeout. Otherwise the launch stays asked
   * for, and the runner it may still start is killed as soon as it is reported.
   */
  private abandon(id: number, reason: unknown): void {
    const waiting = this.pending.get(id);
    if (!waiting || waiting.abandoned) return;
    waiting.abandoned = true;
    waiting.stopWaiting?.();
    waiting.reject(reason instanceof Error ? reason : new RunnerLaunchError(String(reason)));
    this.updateRef();
    void this.killIfStopped();
  }

  /**
   * Kills the launcher when the kernel says it is stopped (Linux; elsewhere the answer timeout
   * stays the bound). True when it did.
   */
  private async killIfStopped(): Promise<boolean> {
    if (this.gone || this.pid === undefined) return false;
    const state = (await readStatFields(this.pid))?.[0];
    if (state !== 'T' && state !== 't') return false;
    this.kill(`is stopped (${state === 'T' ? 'by a signal' : 'by a tracer'}), so it cannot answer; killed it`);
    return true;
  }

  private send(request: LauncherRequest): void {
    if (!this.child.connected) return; // its exit is on the way and fails whatever waits
    this.child.send(request, (err: Error | null) => {
      if (err && !this.gone) this.kill(`could not be sent a ${request.type}: ${err.message}`);
    });
  }

  private onMessage(raw: unknown, readyTimer: NodeJS.Timeout): void {
    let event: LauncherEvent;
    try {
      event = toLauncherEvent(raw);
    } catch (err) {
      this.onNote(`runner launcher pid ${this.pid} sent a bad message: ${(err as Error).message}`);
      return;
    }
    switch (event.type) {
      case 'ready':
        clearTimeout(readyTimer);
        if (!event.subreaper && process.platform === 'linux') {
          this.onNote(`runner launcher pid ${event.pid} cannot be a child subreaper (${event.note ?? 'no reason given'}): the command tree of a runner that dies is not found`);
        }
        this.isReady = true;
        this.markReady();
        this.updateRef();
        return;
      case 'launched': {
        const waiting = this.pending.get(event.id);
        if (!waiting) return;
        this.settlePending(event.id);
        const runner = this.track(event.id, event.pid);
        if (waiting.abandoned) runner.kill(); // nobody waits for it any more
        else waiting.resolve(runner);
        return;
      }
      case 'launch-failed': {
        const waiting = this.pending.get(event.id);
        if (!waiting) return;
        this.settlePending(event.id);
        waiting.reject(new RunnerLaunchError(`runner ${waiting.exe} could not be started: ${launchFailureReason(event.code, event.message)}`, event.code));
        return;
      }
      case 'stderr':
        this.runners.get(event.id)?.tail.push(Buffer.from(event.data, 'base64'));
        return;
      case 'exit': {
        const runner = this.runners.get(event.id);
        if (!runner) return;
        this.runners.delete(event.id);
        clearTimeout(runner.killTimer);
        runner.exit = { code: event.code, signal: event.signal };
        runner.settle(runner.exit);
        this.updateRef();
        return;
      }
    }
  }

  private settlePending(id: number): void {
    const waiting = this.pending.get(id);
    clearTimeout(waiting?.timer);
    waiting?.stopWaiting?.();
    this.pending.delete(id);
    this.updateRef();
  }

  private track(id: number, pid: number): RunnerProcess {
    let settle!: (exit: RunnerExit) => void;
    const exited = new Promise<RunnerExit>((resolve) => (settle = resolve));
    const runner: LaunchedRunner = { pid, tail: new TailBuffer(), settle };
    this.runners.set(id, runner);
    this.updateRef();
    return {
      pid,
      exited,
      exit: () => runner.exit,
      stderrTail: () => runner.tail.toString(),
      kill: () => {
        if (runner.exit || runner.killTimer) return;
        // The launcher freezes the runner, then kills it and everything below it; even a stopped runner goes.
        runner.killTimer = setTimeout(() => this.kill(`did not report runner pid ${pid} exited within ${this.answerMs} ms of killing it; killed it`), this.answerMs);
        runner.killTimer.unref();
        this.send({ type: 'kill', id });
        // A stopped launcher would leave this wait to the answer timeout (30 s): a session's end must not.
        void this.killIfStopped();
      },
      holdProcess: (held) => {
        runner.released = !held;
        this.updateRef();
      },
    };
  }

  /** Held only while something waits on the launcher (its start, a launch, a runner): an idle app must be able to exit. */
  private updateRef(): void {
    // Both handles: the channel closes when the launcher dies, and its exit (which fails what is
    // pending) is then still to come on the process handle.
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | undefined | null;
    // A launch its caller abandoned holds nothing, nor does a runner its session released (an idle
    // warm one): only a launch still waited for and a runner in use do.
    const waitedFor = [...this.pending.values()].filter((p) => !p.abandoned).length;
    const held = [...this.runners.values()].filter((r) => !r.released).length;
    if ((!this.isReady || waitedFor + held > 0) && !this.gone) {
      channel?.ref?.();
      this.child.ref();
    } else {
      channel?.unref?.();
      this.child.unref();
    }
  }

  /** The launcher is unusable: kill it; its exit fails what it held. */
  private kill(reason: string): void {
    if (this.gone || this.killReason) return;
    this.killReason = reason;
    if (!this.child.kill('SIGKILL')) this.died(reason);
  }

  /** Everything the launcher held fails, naming its end; the next launch starts a new launcher. */
  private died(how: string): void {
    if (this.gone) return;
    const why = `(pid ${this.pid ?? 'none'}) ${how}`;
    this.gone = why;
    this.failStart(new LauncherUnavailableError(`the runner launcher ${why}`));
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.stopWaiting?.();
      this.pending.delete(id);
      if (!waiting.abandoned) waiting.reject(new RunnerLaunchError(`runner ${waiting.exe} could not be started: the runner launcher ${why}`));
    }
    for (const [id, runner] of this.runners) {
      clearTimeout(runner.killTimer);
      this.runners.delete(id);
      // Its real exit can no longer be known: say so. Its session then ends and closes its pipes,
      // and a healthy runner ends its command tree on that end of file.
      runner.exit = { code: null, signal: null, lost: `was lost with its launcher: the runner launcher ${why}` };
      runner.settle(runner.exit);
    }
    this.updateRef();
    this.child.channel && this.child.connected && this.child.disconnect();
    this.onGone(this);
  }

  /** Takes new launches: not gone, and not being killed (its exit, which fails what it held, is on the way). */
  get usable(): boolean {
    return !this.gone && !this.killReason;
  }

  /** For tests and accounting: the launcher's pid while it is up. */
  alivePid(): number | undefined {
    return this.gone ? undefined : this.pid;
  }
}

/** The process's one launcher: started on demand, replaced after it dies. */
export class LauncherRegistry {
  private current?: LauncherConnection;
  private unavailable?: { until: number; error: LauncherUnavailableError };
  private readonly warned = new Set<string>();

  constructor(private readonly start: () => Promise<LauncherStart>) {}

  /** Launches a runner through the launcher; LauncherUnavailableError when no launcher can run. */
  async launch(exe: string, args: string[], env: Record<string, string>, cwd: string, bounds: LaunchBounds = {}): Promise<RunnerProcess> {
    // A launcher that could not start is not retried at every launch (each try costs a process start).
    if (this.unavailable && Date.now() < this.unavailable.until) throw this.unavailable.error;
    let connection: LauncherConnection;
    try {
      connection = this.current?.usable ? this.current : await this.startNew();
      await untilAborted(connection.ready, bounds.signal);
    } catch (err) {
      if (err instanceof LauncherUnavailableError) this.unavailable = { until: Date.now() + LAUNCHER_RETRY_MS, error: err };
      throw err;
    }
    this.unavailable = undefined;
    return connection.launch(exe, args, env, cwd, bounds);
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

  private startPromise?: Promise<LauncherConnection>;

  private startNew(): Promise<LauncherConnection> {
    // Concurrent first launches share one start.
    this.startPromise ??= (async () => {
      try {
        const start = await this.start();
        try {
          await fs.access(start.script);
        } catch {
          throw new LauncherUnavailableError(`the runner launcher script ${start.script} is missing (scripts/bundle.mjs builds it next to the runner)`);
        }
        const connection = new LauncherConnection(
          start,
          (gone) => {
            if (this.current === gone) this.current = undefined;
          },
          (message) => this.warnOnce(message),
        );
        this.current = connection;
        return connection;
      } finally {
        this.startPromise = undefined;
      }
    })();
    return this.startPromise;
  }
}

/** `promise`, or the signal's reason as soon as it aborts (what was awaited goes on by itself). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
