// One command run through the runner: pipes, runner launch, connect and verify, spawn, stream,
// exit, and cleanup whatever happens. Runs in Electron's main process or any Node process.
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { launchRunner, type RunnerProcess } from '../launch/launch-runner';
import { materializeRunner } from '../launch/materialize-runner';
import { defaultRunnerSpec, withMaterializedFile, type RunnerSpec } from '../launch/runner-spec';
import { createRunnerPipePair, type PipeRole, type RunnerPipePair } from '../platform/runner-pipes';
import { FrameReader } from '../protocol/frame-reader';
import { encodeDataFrame, encodeFrame, splitForFrames } from '../protocol/framing';
import { payloadBytes, toRunnerMessage, type ParentMessage, type RunnerMessage, type SpawnRequest } from '../protocol/messages';
import { signalTree } from '../runner/kill-tree';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SPAWN_READY_TIMEOUT_MS,
  DEFAULT_TERMINATE_GRACE_MS,
  type SessionOptions,
  validateSessionOptions,
} from './session-options';
import type { SessionStage, SessionStatus, SetupStage } from './session-status';
import { inheritedCommandEnv } from './command-env';

/** How a session ended. `exitCode` is -1 when it failed before the command reported an exit. */
export interface SessionResult {
  state: 'exited' | 'failed';
  exitCode: number;
  timedOut: boolean;
  error?: SessionError;
}

/** A session's failure: `stage` says which step stalled or broke. */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly stage: SetupStage,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes of output held per stream for a consumer that is behind, before the runner is paused. */
const OUTPUT_HIGH_WATER = 1024 * 1024;
/** How long a runner that reported its exit (or whose pipe ended) gets to exit by itself. */
const RUNNER_EXIT_GRACE_MS = 2000;

let nextId = 1;

export interface SessionEvents {
  /** Anything in `status()` changed (stage, counters, pids). Consumers coalesce. */
  update: [];
  exit: [SessionResult];
}

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  /** The command's stdout and stderr. Unread output is held up to a bound, then the command waits. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The command's stdin (needs `stdinOpen`); `end()` sends `close_stdin`. */
  readonly stdin: Writable;
  /** Settles once the session has ended and everything it held is released. Never rejects. */
  readonly exited: Promise<SessionResult>;

  private readonly options: SessionOptions;
  private readonly snapshot: SessionStatus;
  private readonly abort = new AbortController();
  private settle!: (result: SessionResult) => void;
  private pipes?: RunnerPipePair;
  private runner?: RunnerProcess;
  private toRunner?: Duplex;
  private fromRunner?: Duplex;
  private reader?: FrameReader<RunnerMessage>;
  private spawnReadyTimer?: NodeJS.Timeout;
  private terminateTimer?: NodeJS.Timeout;
  private exitReport?: { exitCode: number; timedOut: boolean };
  private ending = false;
  /** Setup in progress: end() waits for it, so nothing it acquires afterwards can leak. */
  private setupTask?: Promise<void>;

  constructor(options: SessionOptions) {
    super();
    validateSessionOptions(options);
    this.options = options;
    this.id = `s${nextId++}-${Date.now().toString(36)}`;
    this.snapshot = {
      id: this.id,
      command: [...options.command],
      tty: options.tty === true,
      ...(options.tty === true ? { ttySize: { cols: 80, rows: 24 } } : {}), // upstream's initial pseudo console size
      state: 'creating_pipes',
      stages: [],
      policy: { profile: 'workspace-write', enforced: false, note: "this project's runner does not enforce sandbox policies" },
      pipes: {},
      traffic: {
        stdout: { bytes: 0, frames: 0 },
        stderr: { bytes: 0, frames: 0 },
        stdin: { bytes: 0, frames: 0 },
        toRunner: { bytes: 0, frames: 0 },
        fromRunner: { bytes: 0, frames: 0 },
      },
    };
    this.exited = new Promise((resolve) => (this.settle = resolve));
    const resumeReader = () => this.reader?.resume();
    this.stdout = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resumeReader });
    this.stderr = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resumeReader });
    this.stdin = new Writable({
      highWaterMark: 256 * 1024,
      write: (chunk: Buffer, _enc, done) => this.writeStdin(chunk, done),
      final: (done) => this.sendStdinEnd(done),
    });
    this.stdin.on('error', () => {}); // surfaced to callers of write() through its callback
  }

  /** Starts the session; the manager calls this. Resolves when the command is running or the session ended. */
  async start(): Promise<void> {
    // Deferred a tick, so even a listener throwing at the first stage finds setupTask set.
    this.setupTask = Promise.resolve().then(() => this.setUp());
    try {
      await this.setupTask;
    } catch (err) {
      await this.end(this.toSessionError(err));
    }
  }

  status(): SessionStatus {
    return structuredClone(this.snapshot);
  }

  get state(): SessionStage {
    return this.snapshot.state;
  }

  /** node-pty style: output of both streams, as it arrives. Returns a function that unsubscribes. */
  onData(listener: (data: Buffer, stream: 'stdout' | 'stderr') => void): () => void {
    const call = (d: Buffer, stream: 'stdout' | 'stderr') => {
      try {
        listener(d, stream);
      } catch (e) {
        this.listenerThrew('output', e);
      }
    };
    const out = (d: Buffer) => call(d, 'stdout');
    const err = (d: Buffer) => call(d, 'stderr');
    this.stdout.on('data', out);
    this.stderr.on('data', err);
    return () => {
      this.stdout.off('data', out);
      this.stderr.off('data', err);
    };
  }

  /** node-pty style exit listener. Returns a function that unsubscribes. */
  onExit(listener: (result: SessionResult) => void): () => void {
    this.on('exit', listener);
    return () => this.off('exit', listener);
  }

  /** Writes to the command's stdin; false means wait for 'drain' on `stdin`. */
  write(data: string | Uint8Array): boolean {
    if (!this.options.stdinOpen) throw new Error('stdin is not open for this session (start it with stdinOpen: true)');
    return this.stdin.write(data);
  }

  /** Ends the command's stdin (sends `close_stdin` after everything written before it). */
  closeStdin(): void {
    if (!this.options.stdinOpen) throw new Error('stdin is not open for this session (start it with stdinOpen: true)');
    this.stdin.end();
  }

  /** Resizes a tty session's terminal. */
  resize(cols: number, rows: number): void {
    if (!this.snapshot.tty) throw new Error('resize needs a tty session (start it with tty: true)');
    for (const [name, v] of [['cols', cols], ['rows', rows]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 0xffff) throw new RangeError(`${name} must be an integer 1..65535, got ${v}`);
    }
    this.snapshot.ttySize = { cols, rows };
    this.changed();
    // The runner has a terminal to resize only once the child runs; an earlier size goes at spawn_ready.
    if (this.snapshot.state === 'running') this.send({ type: 'resize', payload: { rows, cols } });
  }

  /**
   * Ends the command and its process tree. Before the command runs, setup is abandoned. If the
   * runner does not report the exit within the grace period, the runner itself is killed.
   */
  terminate(): void {
    if (this.ending || this.terminateTimer) return;
    if (this.snapshot.state !== 'running') {
      // end() aborts whatever setup step is pending and waits for it to unwind.
      void this.end(new SessionError(this.setupStage(), `terminated during ${this.snapshot.state}`));
      return;
    }
    this.send({ type: 'terminate', payload: {} });
    const grace = this.options.terminateGraceMs ?? DEFAULT_TERMINATE_GRACE_MS;
    this.terminateTimer = setTimeout(() => {
      void this.end(new SessionError('running', `runner pid ${this.runner?.pid} did not report an exit within ${grace} ms of terminate; killed it`));
    }, grace);
  }

  /** Ends the session now, whatever its stage, and waits until everything is released. */
  async dispose(): Promise<SessionResult> {
    if (!this.ending) void this.end(new SessionError(this.setupStage(), `session disposed during ${this.snapshot.state}`));
    return this.exited;
  }

  // ---- setup -------------------------------------------------------------------------------

  private async setUp(): Promise<void> {
    const o = this.options;
    this.mark('creating_pipes');
    const pipes = await createRunnerPipePair({ sandboxUsername: o.sandbox?.username });
    this.pipes = pipes;
    this.snapshot.pipes = {
      in: { name: pipes.names.in, connected: false, access: pipes.describeAccess('in') },
      out: { name: pipes.names.out, connected: false, access: pipes.describeAccess('out') },
    };
    this.checkAborted();

    this.mark('launching_runner');
    this.runner = await this.launch(pipes);
    this.snapshot.runnerPid = this.runner.pid;
    this.checkAborted();

    await this.connect('in', 'connecting_in');
    await this.connect('out', 'connecting_out');

    this.mark('verifying_client');
    for (const role of ['in', 'out'] as const) {
      const clientPid = pipes.clientProcessId(role);
      this.snapshot.pipes[role]!.clientPid = clientPid;
      if (clientPid !== this.runner.pid) {
        throw new SessionError('verifying_client', `pipe-${role} client pid ${clientPid} did not match runner pid ${this.runner.pid}; refused it`);
      }
    }
    this.toRunner = pipes.openStream('in');
    this.fromRunner = pipes.openStream('out');
    this.toRunner.on('error', () => {}); // a dead runner is reported through the reader and its exit
    this.reader = new FrameReader(this.fromRunner, toRunnerMessage, {
      message: (m) => this.onRunnerMessage(m),
      error: (err) => void this.end(new SessionError(this.setupStage(), `bad data from runner: ${err.message}`)),
      end: () => void this.onRunnerEof(),
    });
    this.watchRunnerDeath();

    this.send({ type: 'spawn_request', payload: this.spawnRequest() });
    this.mark('spawn_sent');
    const readyMs = o.spawnReadyTimeoutMs ?? DEFAULT_SPAWN_READY_TIMEOUT_MS;
    this.spawnReadyTimer = setTimeout(() => {
      void this.end(new SessionError('spawn_sent', `runner pid ${this.runner!.pid} did not answer the spawn request within ${readyMs} ms`));
    }, readyMs);
  }

  private async launch(pipes: RunnerPipePair): Promise<RunnerProcess> {
    const o = this.options;
    let spec: RunnerSpec = o.runner ?? defaultRunnerSpec();
    let runnerCwd: string | undefined;
    if (o.codexHome) {
      if (spec.materialize) spec = withMaterializedFile(spec, await materializeRunner({ source: spec.materialize, codexHome: o.codexHome, logDir: o.logDir }));
      // Upstream: the runner's own cwd is local, so a mapped-drive cwd cannot break its start (error 267).
      runnerCwd = path.join(o.codexHome, '.sandbox', 'runner-cwd');
      await fs.mkdir(runnerCwd, { recursive: true });
    }
    const credentials = o.sandbox?.credentials;
    if (credentials) {
      if (process.platform !== 'win32') throw new SessionError('launching_runner', 'sandbox credentials are only used on Windows (CreateProcessWithLogonW)');
      if (!o.sandbox?.username) throw new SessionError('launching_runner', 'sandbox credentials need sandbox.username');
      const { launchRunnerAsUser } = await import('../platform/win32/logon-launch');
      return launchRunnerAsUser(spec, pipes.names, {
        username: o.sandbox.username,
        password: credentials.password,
        domain: credentials.domain,
        cwd: runnerCwd ?? process.cwd(),
      });
    }
    return launchRunner(spec, pipes.names, runnerCwd);
  }

  /** Waits for the runner on one pipe, bounded by the timeout, the runner's death and dispose. */
  private async connect(role: PipeRole, stage: 'connecting_in' | 'connecting_out'): Promise<void> {
    this.mark(stage);
    const runner = this.runner!;
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const wait = new AbortController();
    const stopWaiting = (reason: SessionError) => wait.abort(reason);
    const timer = setTimeout(() => {
      const exit = runner.exit();
      const fate = exit ? describeExit(runner.pid, exit) : `runner pid ${runner.pid} was still running; killed it`;
      stopWaiting(new SessionError(stage, `runner did not connect to pipe-${role} within ${timeoutMs} ms (${fate})${stderrNote(runner)}`));
    }, timeoutMs);
    const onAbort = () => stopWaiting(this.abort.signal.reason as SessionError);
    this.abort.signal.addEventListener('abort', onAbort, { once: true });
    void runner.exited.then((exit) =>
      stopWaiting(new SessionError(stage, `${describeExit(runner.pid, exit)} before connecting to pipe-${role}${stderrNote(runner)}`)),
    );
    try {
      await this.pipes!.waitForClient(role, wait.signal);
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onAbort);
    }
    this.snapshot.pipes[role]!.connected = true;
    this.changed();
  }

  private spawnRequest(): SpawnRequest {
    const o = this.options;
    const cwd = o.cwd ?? process.cwd();
    const codexHome = o.codexHome ?? '';
    return {
      command: [...o.command],
      cwd,
      env: o.env ?? inheritedCommandEnv(process.env),
      policy_json_or_preset: o.policy ?? 'workspace-write',
      sandbox_policy_cwd: cwd,
      codex_home: codexHome,
      real_codex_home: codexHome,
      cap_sids: o.capSids ?? [],
      ...(o.realUserSid ? { real_user_sid: o.realUserSid } : {}),
      timeout_ms: o.timeoutMs ?? null,
      tty: o.tty === true,
      stdin_open: o.stdinOpen === true,
      use_private_desktop: o.usePrivateDesktop === true,
    };
  }

  // ---- running -----------------------------------------------------------------------------

  private onRunnerMessage(message: RunnerMessage): void {
    const t = this.snapshot.traffic;
    t.fromRunner.frames = this.reader!.frames;
    t.fromRunner.bytes = this.reader!.bytes;
    switch (message.type) {
      case 'spawn_ready':
        if (this.snapshot.state !== 'spawn_sent') return void this.end(new SessionError('running', 'runner sent spawn_ready twice'));
        clearTimeout(this.spawnReadyTimer);
        this.snapshot.childPid = message.payload.process_id;
        this.mark('running');
        if (this.snapshot.ttySize && (this.snapshot.ttySize.cols !== 80 || this.snapshot.ttySize.rows !== 24)) {
          this.send({ type: 'resize', payload: { rows: this.snapshot.ttySize.rows, cols: this.snapshot.ttySize.cols } });
        }
        return;
      case 'output': {
        if (this.snapshot.state !== 'running') return void this.end(new SessionError('spawn_sent', 'runner sent output before spawn_ready'));
        const data = payloadBytes(message.payload);
        const counter = t[message.payload.stream];
        counter.bytes += data.length;
        counter.frames++;
        const target = message.payload.stream === 'stdout' ? this.stdout : this.stderr;
        if (!target.push(data)) this.reader!.pause(); // resumed by the stream's read()
        this.changed();
        return;
      }
      case 'exit':
        if (this.snapshot.state !== 'running') return void this.end(new SessionError('spawn_sent', `runner sent exit (code ${message.payload.exit_code}) before spawn_ready`));
        this.exitReport = { exitCode: message.payload.exit_code, timedOut: message.payload.timed_out };
        void this.end();
        return;
      case 'error':
        return void this.end(new SessionError(this.setupStage(), `runner reported ${message.payload.code}: ${message.payload.message}`));
    }
  }

  private async onRunnerEof(): Promise<void> {
    // The pipe ended without an exit report: the runner quit or died. Its exit code says which.
    const runner = this.runner!;
    const exit = await Promise.race([runner.exited, delay(RUNNER_EXIT_GRACE_MS)]);
    const why = exit ? describeExit(runner.pid, exit) : `runner pid ${runner.pid} closed its pipe`;
    await this.end(new SessionError(this.setupStage(), `${why} before reporting the command's exit${stderrNote(runner)}`));
  }

  private watchRunnerDeath(): void {
    const runner = this.runner!;
    void runner.exited.then(async () => {
      // Frames written before it died are still in the pipe: give the reader time to see them.
      await delay(RUNNER_EXIT_GRACE_MS);
      if (!this.ending) await this.end(new SessionError(this.setupStage(), `${describeExit(runner.pid, runner.exit()!)} but its pipe stayed open${stderrNote(runner)}`));
    });
  }

  private send(message: ParentMessage): void {
    if (!this.toRunner || this.toRunner.destroyed) return;
    const frame = encodeFrame(message);
    this.count(frame.length);
    this.toRunner.write(frame);
  }

  private count(bytes: number): void {
    this.snapshot.traffic.toRunner.bytes += bytes;
    this.snapshot.traffic.toRunner.frames++;
  }

  private writeStdin(chunk: Buffer, done: (err?: Error | null) => void): void {
    this.whenRunning().then(
      () => {
        const socket = this.toRunner!;
        let last: Buffer | undefined;
        for (const piece of splitForFrames(chunk)) {
          last = encodeDataFrame('stdin', piece);
          this.count(last.length);
          this.snapshot.traffic.stdin.frames++;
          socket.write(last, piece.byteOffset + piece.byteLength === chunk.byteOffset + chunk.byteLength ? (err) => done(err) : undefined);
        }
        this.snapshot.traffic.stdin.bytes += chunk.length;
        this.changed();
        if (!last) done();
      },
      (err: Error) => done(err),
    );
  }

  private sendStdinEnd(done: (err?: Error | null) => void): void {
    this.whenRunning().then(
      () => {
        this.send({ type: 'close_stdin', payload: {} });
        done();
      },
      (err: Error) => done(err),
    );
  }

  /** Stdin written before the command starts waits for it; after the end, it fails. */
  private whenRunning(): Promise<void> {
    if (this.snapshot.state === 'running') return Promise.resolve();
    if (this.ending) return Promise.reject(new Error(`session ${this.id} has ended`));
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.snapshot.state === 'running') {
          this.off('update', check);
          resolve();
        } else if (this.ending) {
          this.off('update', check);
          reject(new Error(`session ${this.id} ended before the command started`));
        }
      };
      this.on('update', check);
    });
  }

  // ---- the end -----------------------------------------------------------------------------

  /** Ends the session exactly once: release everything, then publish the final state. */
  private async end(error?: SessionError): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.changed(); // wakes stdin writers waiting for `running`
    if (!this.abort.signal.aborted) this.abort.abort(error ?? new SessionError(this.setupStage(), 'session ended'));
    // Every wait in setUp watches the abort signal, so this is short; afterwards pipes and runner are known.
    await this.setupTask?.catch(() => {});
    clearTimeout(this.spawnReadyTimer);
    clearTimeout(this.terminateTimer);
    this.reader?.detach();
    // Ask our side of the pipes to close first: a healthy runner sees EOF and exits by itself.
    this.toRunner?.destroy();
    this.fromRunner?.destroy();
    await this.pipes?.close().catch(() => {});
    const runner = this.runner;
    if (runner) {
      const exited = await Promise.race([runner.exited, delay(error ? 0 : RUNNER_EXIT_GRACE_MS)]);
      if (!exited) {
        runner.kill();
        await runner.exited;
      }
      // A runner that died without reporting leaves its command orphaned: end that tree too.
      const childPid = this.snapshot.childPid;
      if (error && childPid && process.platform !== 'win32') signalTree(childPid, 'SIGKILL');
    }
    const result: SessionResult = error
      ? { state: 'failed', exitCode: -1, timedOut: false, error }
      : { state: 'exited', exitCode: this.exitReport!.exitCode, timedOut: this.exitReport!.timedOut };
    if (error) this.snapshot.failure = { stage: error.stage, message: error.message };
    else {
      this.snapshot.exitCode = result.exitCode;
      this.snapshot.timedOut = result.timedOut;
    }
    this.stdout.push(null);
    this.stderr.push(null);
    this.stdin.destroy();
    this.mark(result.state);
    this.settle(result);
    this.emitSafely('exit', result);
  }

  private checkAborted(): void {
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
  }

  private toSessionError(err: unknown): SessionError {
    if (err instanceof SessionError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SessionError(this.setupStage(), message);
  }

  private setupStage(): SetupStage {
    const s = this.snapshot.state;
    return s === 'exited' || s === 'failed' ? 'running' : s;
  }

  private mark(stage: SessionStage): void {
    this.snapshot.state = stage;
    this.snapshot.stages.push({ stage, at: Date.now() });
    this.changed();
  }

  private changed(): void {
    this.emitSafely('update');
  }

  /**
   * Our listeners' bugs must not break the session's own bookkeeping (or, thrown from inside a
   * socket callback, take down Electron's main process): a running session fails cleanly, an
   * ended one reports the throw as a process warning.
   */
  private emitSafely<E extends keyof SessionEvents>(event: E, ...args: SessionEvents[E]): void {
    try {
      (this.emit as (e: E, ...a: SessionEvents[E]) => boolean)(event, ...args);
    } catch (err) {
      this.listenerThrew(`'${event}'`, err);
    }
  }

  private listenerThrew(what: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (!this.ending) void this.end(new SessionError(this.setupStage(), `a session ${what} listener threw: ${message}`));
    else process.emitWarning(`a session ${what} listener threw after session ${this.id} ended: ${message}`, 'CodexRunnerIpcWarning');
  }
}

function describeExit(pid: number, exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `runner pid ${pid} was killed by ${exit.signal}` : `runner pid ${pid} exited with code ${exit.code}`;
}

function stderrNote(runner: RunnerProcess): string {
  const tail = runner.stderrTail();
  return tail ? `; runner stderr: ${tail}` : '';
}

/** A grace-period wait; unref'd so a finished session never holds the process open for it. */
function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => {
    const timer: NodeJS.Timeout = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
}

