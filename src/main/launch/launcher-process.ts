// One running runner launcher (src/launcher/) and its Node IPC channel: started detached, ready
// within a bound, its events dispatched to the launches it was asked for and the runners it
// started, killed when it is unusable (hung, stopped, unreachable), and closed with its owner.
// Its process and channel hold the event loop only while a launch is pending or a runner it
// started is in use, as a runner spawned directly did: an idle app can exit, and then the
// launcher ends every runner tree.
import { spawn, type ChildProcess } from 'node:child_process';
import { toLauncherEvent, type LauncherEvent, type LauncherRequest } from '../../protocol/launcher-messages';
import { readStatFields } from '../../os/posix/proc-stat';
import { boundedWait } from '../../util/bounded-wait';
import { LaunchedRunners } from './launched-runners';
import { PendingLaunches, type LaunchBounds } from './pending-launches';
import { launchFailureReason, RunnerLaunchError, TailBuffer, type RunnerProcess } from './runner-process';

/** The launcher answers `ready` within this, or it is taken as unable to start. */
const READY_TIMEOUT_MS = 10_000;
/**
 * A launch must be answered, and a killed runner's exit reported, within this; otherwise the
 * launcher is hung (frozen, or stuck in the kernel) and is killed, failing what it held. Far above
 * a real queue: forks in the small launcher take a few ms each, so even hundreds queue for seconds.
 */
export const LAUNCHER_ANSWER_TIMEOUT_MS = 30_000;
/**
 * Closing: the launcher ends its runners' trees (its own bound on that is 2 s) and exits; past
 * this it is killed.
 */
const CLOSE_TIMEOUT_MS = 5_000;

/** The launcher cannot be used (could not start): the caller launches directly and says why. */
export class LauncherUnavailableError extends Error {
  override readonly name = 'LauncherUnavailableError';
}

export interface LauncherStart {
  script: string;
  /** The launcher's own environment (the runners get the one each launch sends). */
  env: Record<string, string>;
  /** Defaults to LAUNCHER_ANSWER_TIMEOUT_MS. */
  answerTimeoutMs?: number;
}

/** What the launch and runner tables need from their launcher. */
export interface LauncherLink {
  readonly pid: number | undefined;
  readonly answerMs: number;
  send(request: LauncherRequest): void;
  /** The launcher is unusable: kill it; its exit fails what it held. */
  kill(reason: string): void;
  /** Kills the launcher when the kernel says it is stopped; true when it did. */
  killIfStopped(): Promise<boolean>;
  /** What holds the event loop changed. */
  updateRef(): void;
}

export class LauncherProcess implements LauncherLink {
  readonly ready: Promise<void>;
  readonly pid: number | undefined;
  readonly answerMs: number;
  /** Set once the launcher is gone (or unusable): why, in words for an error message. */
  gone?: string;
  private readonly child: ChildProcess;
  private readonly launches = new PendingLaunches(this);
  private readonly runners = new LaunchedRunners(this);
  private readonly stderr = new TailBuffer();
  private isReady = false;
  private killReason?: string;
  /** close() was called: no new launches, and the exit that follows is the owner's doing. */
  private closing = false;
  private markReady!: () => void;
  private failStart!: (err: Error) => void;
  private markGone!: () => void;
  private readonly goneNow = new Promise<void>((resolve) => (this.markGone = resolve));

  constructor(
    start: LauncherStart,
    private readonly onGone: (launcher: LauncherProcess) => void,
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
      const how = this.killReason ?? (this.closing ? 'was closed' : signal ? `was killed by ${signal}` : `exited with code ${code}`);
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

  /** Asks the launcher to start a runner (see PendingLaunches.ask). */
  launch(exe: string, args: string[], env: Record<string, string>, cwd: string, bounds: LaunchBounds = {}): Promise<RunnerProcess> {
    if (this.gone) return Promise.reject(new RunnerLaunchError(`runner ${exe} could not be started: the runner launcher ${this.gone}`));
    return this.launches.ask(exe, args, env, cwd, bounds);
  }

  /** Takes new launches: not gone, and not being killed or closed (its exit, which fails what it held, is on the way). */
  get usable(): boolean {
    return !this.gone && !this.killReason && !this.closing;
  }

  /** For tests and accounting: the launcher's pid while it is up. */
  alivePid(): number | undefined {
    return this.gone ? undefined : this.pid;
  }

  /**
   * Ends the launcher and resolves once it is gone: it is told its owner is gone (the channel and
   * its stdin close, as when the app exits), ends every runner tree it holds and exits; a stopped
   * or hung launcher is killed.
   */
  async close(): Promise<void> {
    if (this.gone) return;
    this.closing = true;
    this.updateRef(); // the close is waited for
    if (!(await this.killIfStopped())) {
      if (this.child.connected) this.child.disconnect();
      this.child.stdin?.end();
      await boundedWait(this.goneNow, { timeoutMs: CLOSE_TIMEOUT_MS }).catch(() => this.kill(`did not exit within ${CLOSE_TIMEOUT_MS} ms of being closed; killed it`));
    }
    await this.goneNow;
  }

  send(request: LauncherRequest): void {
    if (!this.child.connected) return; // its exit is on the way and fails whatever waits
    this.child.send(request, (err: Error | null) => {
      if (err && !this.gone) this.kill(`could not be sent a ${request.type}: ${err.message}`);
    });
  }

  /**
   * Kills the launcher when the kernel says it is stopped (Linux; elsewhere the answer timeout
   * stays the bound). True when it did.
   */
  async killIfStopped(): Promise<boolean> {
    if (this.gone || this.pid === undefined) return false;
    const state = (await readStatFields(this.pid))?.[0];
    if (state !== 'T' && state !== 't') return false;
    this.kill(`is stopped (${state === 'T' ? 'by a signal' : 'by a tracer'}), so it cannot answer; killed it`);
    return true;
  }

  /** The launcher is unusable: kill it; its exit fails what it held. */
  kill(reason: string): void {
    if (this.gone || this.killReason) return;
    this.killReason = reason;
    if (!this.child.kill('SIGKILL')) this.died(reason);
  }

  /** Held only while something waits on the launcher (its start, a launch, a runner, its close): an idle app must be able to exit. */
  updateRef(): void {
    // Both handles: the channel closes when the launcher dies, and its exit (which fails what is
    // pending) is then still to come on the process handle.
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | undefined | null;
    // A launch its caller abandoned holds nothing, nor does a runner its session released (an idle
    // warm one): only a launch still waited for and a runner in use do.
    if ((!this.isReady || this.closing || this.launches.waitedFor + this.runners.held > 0) && !this.gone) {
      channel?.ref?.();
      this.child.ref();
    } else {
      channel?.unref?.();
      this.child.unref();
    }
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
        const waiting = this.launches.take(event.id);
        if (!waiting) return;
        const runner = this.runners.track(event.id, event.pid);
        if (waiting.abandoned) runner.kill(); // nobody waits for it any more
        else waiting.resolve(runner);
        return;
      }
      case 'launch-failed': {
        const waiting = this.launches.take(event.id);
        waiting?.reject(new RunnerLaunchError(`runner ${waiting.exe} could not be started: ${launchFailureReason(event.code, event.message)}`, event.code));
        return;
      }
      case 'stderr':
        this.runners.stderr(event.id, Buffer.from(event.data, 'base64'));
        return;
      case 'exit':
        this.runners.exited(event.id, { code: event.code, signal: event.signal });
        return;
    }
  }

  /** Everything the launcher held fails, naming its end; the next launch starts a new launcher. */
  private died(how: string): void {
    if (this.gone) return;
    const why = `(pid ${this.pid ?? 'none'}) ${how}`;
    this.gone = why;
    this.failStart(new LauncherUnavailableError(`the runner launcher ${why}`));
    this.launches.failAll(why);
    this.runners.loseAll(why);
    this.updateRef();
    this.child.channel && this.child.connected && this.child.disconnect();
    this.markGone();
    this.onGone(this);
  }
}
