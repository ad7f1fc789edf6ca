// The launcher's work, apart from its transport: starts runners for the main process (Node's
// spawn forks synchronously, and a burst of launches on the app's main thread stalled its event
// loop for seconds; here it stalls only this small process), reports their pids, stderr and
// exits, and ends their trees. On Linux it is a child subreaper: a runner that dies leaves its
// command tree reparented here, and every process that is ours but not one of our runners is
// such an orphan, so it is killed and reaped before the runner's exit is reported.
import { spawn, type ChildProcess } from 'node:child_process';
import { adoptedChildren, killDescendants, linuxProcessTable, onChildStateChange, reapAdopted } from '../os/posix/process-tree';
import { RUNNER_STDERR_TAIL_BYTES, toLauncherRequest, type LauncherEvent, type LauncherRequest } from '../protocol/launcher-messages';
import { StderrRelay } from './stderr-relay';

/** How long a dead runner's stderr may stay open (held by something it passed it to) before its exit is reported anyway. */
const STDERR_CLOSE_WAIT_MS = 1000;
/** How long shutting down waits for killed runners to be reported exited. */
const SHUTDOWN_WAIT_MS = 2000;

interface LaunchedRunner {
  id: number;
  child: ChildProcess;
  relay: StderrRelay;
  exited: boolean;
}

export type SendEvent = (event: LauncherEvent, sent?: () => void) => void;

export class RunnerLauncher {
  private readonly runners = new Map<number, LaunchedRunner>();
  /** Runner pids Node has not yet reported exited: libuv reaps these, we must never waitpid them. */
  private readonly runnerPids = new Set<number>();
  private shuttingDown = false;
  private readonly stopReaping: () => void;
  private readonly idle = new Set<() => void>();

  constructor(private readonly send: SendEvent) {
    // An orphan's death, a runner's death: reap what is ours to reap, end what was left behind.
    this.stopReaping = onChildStateChange(() => this.killOrphans());
  }

  /** One message from the main process; a malformed one is reported on stderr and dropped. */
  handle(message: unknown): void {
    let request: LauncherRequest;
    try {
      request = toLauncherRequest(message);
    } catch (err) {
      process.stderr.write(`launcher: ${(err as Error).message}\n`);
      return;
    }
    if (request.type === 'launch') this.launch(request);
    else this.kill(request.id);
  }

  get runnerCount(): number {
    return this.runners.size;
  }

  private launch(req: Extract<LauncherRequest, { type: 'launch' }>): void {
    const refuse = (message: string, code?: string) => this.send({ type: 'launch-failed', id: req.id, message, ...(code ? { code } : {}) });
    if (this.shuttingDown) return refuse('the runner launcher is shutting down');
    if (this.runners.has(req.id)) return refuse(`launch id ${req.id} is already in use`);
    let child: ChildProcess;
    try {
      child = spawn(req.exe, req.args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: req.cwd, env: req.env });
    } catch (err) {
      return refuse((err as Error).message, (err as NodeJS.ErrnoException).code); // bad arguments (a NUL in a string)
    }
    // Known from here on, before any SIGCHLD pass can run: never reaped by us.
    if (child.pid !== undefined) this.runnerPids.add(child.pid);
    const relay = new StderrRelay((data, sent) => this.send({ type: 'stderr', id: req.id, data: data.toString('base64') }, sent), RUNNER_STDERR_TAIL_BYTES);
    const runner: LaunchedRunner = { id: req.id, child, relay, exited: false };
    this.runners.set(req.id, runner);
    child.stderr!.on('data', (chunk: Buffer) => relay.push(chunk));
    child.stderr!.on('error', () => {});
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      this.runners.delete(req.id);
      refuse(err.message, err.code);
      this.checkIdle();
    });
    child.once('spawn', () => this.send({ type: 'launched', id: req.id, pid: child.pid! }));
    child.once('exit', (code, signal) => this.onRunnerExit(runner, code, signal));
  }

  /** Ends runner `id` and its whole tree: the runner is frozen first, so it cannot fork or reap meanwhile. */
  private kill(id: number): void {
    const runner = this.runners.get(id);
    if (!runner || runner.exited || runner.child.pid === undefined) return; // its exit is (or was) reported anyway
    // Not exited as far as Node knows, so libuv has not reaped it: the pid is still this runner.
    void killDescendants(runner.child.pid, { includeRoot: true });
  }

  private onRunnerExit(runner: LaunchedRunner, code: number | null, signal: NodeJS.Signals | null): void {
    runner.exited = true;
    this.runnerPids.delete(runner.child.pid!);
    // Its command tree, if it died without ending it, is ours now: gone before we report.
    this.killOrphans();
    const stderr = runner.child.stderr!;
    const report = () => {
      clearTimeout(timer);
      runner.relay.close();
      this.runners.delete(runner.id);
      this.send({ type: 'exit', id: runner.id, code, signal });
      this.checkIdle();
    };
    const timer = setTimeout(() => {
      stderr.destroy();
      report();
    }, STDERR_CLOSE_WAIT_MS);
    if (stderr.closed) report();
    else stderr.once('close', report);
  }

  /**
   * Every live process reparented to us that is not a runner is an orphan of a dead runner
   * (a runner is itself a subreaper, so while it lives its orphans go to it): end its tree.
   * Zombies are reaped. Linux only: nothing is reparented to us elsewhere.
   */
  private killOrphans(): void {
    if (process.platform !== 'linux') return;
    const table = linuxProcessTable(); // one reading for both: a scan costs ~10 us per process
    for (const pid of adoptedChildren(this.runnerPids, table).live) void killDescendants(pid, { includeRoot: true });
    reapAdopted(this.runnerPids, table);
  }

  /** The main process is gone (or we were told to stop): every runner tree goes, then we are done. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const id of this.runners.keys()) this.kill(id);
    this.killOrphans();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
      this.whenIdle(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.killOrphans();
    this.stopReaping();
  }

  private whenIdle(callback: () => void): void {
    if (this.runners.size === 0) return callback();
    this.idle.add(callback);
  }

  private checkIdle(): void {
    if (this.runners.size > 0) return;
    for (const callback of this.idle) callback();
    this.idle.clear();
  }
}
