// One command run through the runner: runner found and connected, protocol version chosen, spawn,
// stream, exit, and cleanup whatever happens. Runs in Electron's main process or any Node process.
// This file is the public class and the one phase it is in (session-phase.ts); its parts are the
// status (status-recorder.ts), the handshake (handshake.ts), the running channel (runner-channel.ts),
// the reading of a runner's death (runner-death.ts) and the timers (watchdogs.ts).
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { describeRunnerError, isCommandSignal, payloadBytes, type RunnerMessage, type Versioned } from '../../protocol/messages';
import { describeWin32Error } from '../../os/win32/win32-error';
import type { PrivateDesktops } from '../codex/sandbox-prep/private-desktops';
import type { CodexHomeAccess } from '../launch/launch-plan';
import type { Admission } from './admission';
import { commandEnd, type CommandEnd } from './end-reason';
import { Handshake } from './handshake';
import { RunnerChannel } from './runner-channel';
import type { RunnerConnection } from './runner-connection';
import { readEof, readReaderError, RUNNER_EXIT_GRACE_MS, watchRunnerDeath, type DeathVerdict } from './runner-death';
import { SessionError } from './session-error';
import { DEFAULT_TERMINATE_GRACE_MS, type PasswordSource, type SessionConfig, validateSessionConfig, withAbsoluteCwd } from './session-options';
import { PhaseMachine } from './session-phase';
import type { SessionStage, SessionStatus } from './session-status';
import { prepareSpawn, type PreparedSpawn } from './spawn-input';
import { StatusRecorder } from './status-recorder';
import type { WarmRunnerPool } from './warm-pool';
import type { ManagerState } from './manager-state';
import { Watchdogs } from './watchdogs';

export { SessionError } from './session-error';

/** How a session ended. `exitCode` is -1 when it failed before the command reported an exit. */
export interface SessionResult extends CommandEnd {
  state: 'exited' | 'failed';
  /** As the runner reported it (upstream: 1 after terminate, 192 after a timeout). */
  exitCode: number;
  timedOut: boolean;
  error?: SessionError;
}

let nextId = 1;

/** What a manager lends its sessions: launch slots, warm runners and its state. A lone Session has no slots or pool. */
export interface SessionHost {
  admission?: Admission;
  pool?: WarmRunnerPool;
  /** The manager's launcher, remembered versions, refreshes and runner copies (a lone session owns its own). */
  state?: ManagerState;
  /** codex's runner: the private desktops, kept for the host's life (a lone session owns its own). */
  desktops?: PrivateDesktops;
  /** codex's home: its runner, sandbox users and setup. Default the real one; Linux tests stand in for its Windows-only parts. */
  codexHome?: CodexHomeAccess;
}

export interface SessionEvents {
  /** Anything in `status()` changed (stage, counters, pids). Consumers coalesce. */
  update: [];
  exit: [SessionResult];
}

/** How end() was reached, besides its error. */
interface EndCause {
  /** The parent's timeout backstop ended the runner. */
  timedOut?: boolean;
  /** terminate() or dispose() asked for it. */
  stopped?: boolean;
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

  /** The options without the password, which the handshake holds only until the runner is launched. */
  private readonly options: SessionConfig;
  private readonly spawn: PreparedSpawn;
  private readonly phase = new PhaseMachine();
  private readonly recorder: StatusRecorder;
  private readonly channel: RunnerChannel;
  private readonly watchdogs: Watchdogs;
  private readonly handshake: Handshake;
  private readonly abort = new AbortController();
  private settle!: (result: SessionResult) => void;
  /** What the runner reported in its `exit` frame. */
  private exitReport?: { exitCode: number; timedOut: boolean; signal?: string };
  /** Setup in progress: end() waits for it, so nothing it acquires afterwards can leak. */
  private setupTask?: Promise<void>;

  constructor(
    given: SessionConfig,
    host: SessionHost = {},
  ) {
    super();
    validateSessionConfig(given);
    const options: SessionConfig = withAbsoluteCwd(given);
    this.spawn = prepareSpawn(options); // throws (before anything exists) when the request cannot fit a frame
    const { sandbox } = options;
    let password: PasswordSource | undefined;
    if (typeof sandbox === 'object' && sandbox !== null && sandbox.credentials) {
      password = sandbox.credentials.password;
      this.options = { ...options, sandbox: { ...sandbox, credentials: { ...sandbox.credentials, password: '' } } };
    } else {
      this.options = { ...options };
    }
    this.id = `s${nextId++}-${Date.now().toString(36)}`;
    this.recorder = new StatusRecorder(this.id, options, this.spawn.permissions, () => this.phase.ending, () => this.emitSafely('update'));
    this.exited = new Promise((resolve) => (this.settle = resolve));
    this.channel = new RunnerChannel({ id: this.id, recorder: this.recorder, phase: this.phase, on: (e, l) => this.on(e, l), off: (e, l) => this.off(e, l) });
    ({ stdout: this.stdout, stderr: this.stderr, stdin: this.stdin } = this.channel);
    this.watchdogs = new Watchdogs({ phase: this.phase, channel: this.channel, fail: (error, timedOut) => void this.end(error, { timedOut }) });
    const { phase, recorder, channel, watchdogs, spawn } = this;
    this.handshake = new Handshake(
      { options: this.options, spawn, host, recorder, phase, channel, watchdogs, signal: this.abort.signal, attach: (conn) => this.attach(conn) },
      password,
    );
  }

  /** Starts the session; the manager calls this. Resolves when the command is running or the session ended. */
  async start(): Promise<void> {
    // Deferred a tick, so even a listener throwing at the first stage finds setupTask set.
    this.setupTask = Promise.resolve().then(() => this.handshake.run());
    try {
      await this.setupTask;
    } catch (err) {
      await this.end(this.toSessionError(err));
    }
  }

  status(): SessionStatus {
    return this.recorder.status();
  }

  get state(): SessionStage {
    return this.recorder.state;
  }

  /**
   * node-pty style: output of both streams, as it arrives. Returns a function that unsubscribes.
   * A listener that throws is treated as a `stdout.on('data')` one is (see runner-channel.ts): an
   * uncaught exception, the session and its command going on.
   */
  onData(listener: (data: Buffer, stream: 'stdout' | 'stderr') => void): () => void {
    const out = (d: Buffer) => listener(d, 'stdout');
    const err = (d: Buffer) => listener(d, 'stderr');
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
    if (this.stdin.writableEnded) throw new Error(`stdin of session ${this.id} is already closed (closeStdin was called)`);
    // A destroyed Writable (the session has ended) answers false and never drains: a writer
    // waiting for 'drain' would hang. (Writes while the end is under way fail when it destroys stdin.)
    if (this.stdin.destroyed) throw new Error(`session ${this.id} has ended: its stdin takes no more input`);
    return this.stdin.write(data);
  }

  /** Ends the command's stdin (sends `close_stdin` after everything written before it). */
  closeStdin(): void {
    if (!this.options.stdinOpen) throw new Error('stdin is not open for this session (start it with stdinOpen: true)');
    this.stdin.end();
  }

  /** Resizes a tty session's terminal. */
  resize(cols: number, rows: number): void {
    if (!this.recorder.tty) throw new Error('resize needs a tty session (start it with tty: true)');
    for (const [name, v] of [['cols', cols], ['rows', rows]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 0xffff) throw new RangeError(`${name} must be an integer 1..65535, got ${v}`);
    }
    this.recorder.resized(cols, rows);
    // The runner has a terminal to resize only once the child runs; an earlier size goes at spawn_ready.
    if (this.phase.commandStarted) this.channel.send({ type: 'resize', payload: { rows, cols } });
  }

  /**
   * Whether signal() can reach the command: only this package's own runner (the default, or a
   * spec of kind 'bundled') on Linux/macOS takes the `signal` message. codex's runner has no
   * signals and never receives it; neither does a custom runner.
   */
  get takesSignals(): boolean {
    const runner = this.options.runner;
    return process.platform !== 'win32' && (runner === undefined || (typeof runner === 'object' && runner.kind === 'bundled'));
  }

  /**
   * Sends a POSIX signal (a name from COMMAND_SIGNALS) to the command's own pid, as node-pty's
   * kill() does; an exit it causes is reported as any exit. Sent once the command runs; dropped
   * after the end or after terminate(). Throws when the runner takes no signals (`takesSignals`).
   */
  signal(name: string): void {
    if (!isCommandSignal(name)) throw new TypeError(`unknown signal ${JSON.stringify(name)}`);
    if (!this.takesSignals) throw new Error(`this session's runner takes no signals (${process.platform === 'win32' ? 'Windows' : "codex's or a custom runner"}): terminate() ends the command`);
    this.channel.whenRunning().then(
      () => {
        if (this.phase.is('running')) this.channel.send({ type: 'signal', payload: { signal: name } });
      },
      () => {}, // ended before the command ran: nothing to signal
    );
  }

  /**
   * Ends the command and its process tree. Before the command runs, setup is abandoned. Output not
   * read yet is dropped from here on, so the runner's exit report gets through; if it does not
   * come within the grace period, the runner and its tree are killed.
   */
  terminate(): void {
    if (this.phase.ending || this.phase.is('terminating')) return;
    if (!this.phase.is('running')) {
      // end() aborts whatever setup step is pending and waits for it to unwind.
      void this.end(new SessionError(this.recorder.setupStage(), `terminated during ${this.recorder.state}`), { stopped: true });
      return;
    }
    this.phase.to('terminating');
    this.channel.reader?.resume();
    this.channel.send({ type: 'terminate', payload: {} });
    this.watchdogs.armTerminate(this.options.terminateGraceMs ?? DEFAULT_TERMINATE_GRACE_MS);
  }

  /** Ends the session now, whatever its stage, and waits until everything is released. */
  async dispose(): Promise<SessionResult> {
    if (!this.phase.ending) void this.end(new SessionError(this.recorder.setupStage(), `session disposed during ${this.recorder.state}`), { stopped: true });
    return this.exited;
  }

  // ---- the runner's frames -----------------------------------------------------------------

  /** A try's connection: its frames come here, and its runner's death is read. */
  private attach(conn: RunnerConnection): void {
    this.channel.attach(conn, {
      message: (m) => this.onRunnerMessage(m),
      error: (err) => void readReaderError(err, this.channel.conn?.runner).then((v) => this.judged(v)),
      end: () => void readEof(conn.runner).then((v) => this.judged(v)),
    });
    watchRunnerDeath(conn, { signal: this.abort.signal, phase: this.phase, channel: this.channel, verdict: (v) => this.judged(v) });
  }

  /** A death before the first reply is silence the version search weighs; after it, the session's failure. */
  private judged(verdict: DeathVerdict): void {
    if (verdict.silence && this.phase.is('awaiting_reply')) {
      this.phase.to('replied');
      return this.handshake.reply({ kind: 'silent', ...verdict.silence });
    }
    void this.end(new SessionError(this.recorder.setupStage(), verdict.failure));
  }

  private onRunnerMessage(message: Versioned<RunnerMessage>): void {
    // Nothing after the exit report counts (frames read with it included), nor after the end began.
    if (this.phase.ending) return;
    this.channel.countFromRunner();
    switch (message.type) {
      case 'spawn_ready': {
        if (!this.phase.is('awaiting_reply')) {
          const already = this.phase.reached('running') ? 'twice' : 'after its first reply refused the request';
          return void this.end(new SessionError(this.phase.reached('running') ? 'running' : 'spawn_sent', `runner sent spawn_ready ${already}`));
        }
        this.watchdogs.spawnAnswered();
        this.phase.to('running');
        this.recorder.commandStarted(message.payload.process_id);
        this.watchdogs.armBackstop(this.options.timeoutMs);
        const size = this.recorder.ttySize;
        if (size && (size.cols !== 80 || size.rows !== 24)) this.channel.send({ type: 'resize', payload: { rows: size.rows, cols: size.cols } });
        this.handshake.reply({ kind: 'ready' });
        return;
      }
      case 'output':
        if (!this.phase.commandStarted) return void this.end(new SessionError('spawn_sent', 'runner sent output before spawn_ready'));
        return this.channel.output(message.payload.stream, payloadBytes(message.payload));
      case 'exit':
        if (!this.phase.commandStarted) return void this.end(new SessionError('spawn_sent', `runner sent exit (code ${message.payload.exit_code}) before spawn_ready`));
        this.exitReport = { exitCode: message.payload.exit_code, timedOut: message.payload.timed_out, signal: message.payload.signal };
        this.channel.reader?.detach();
        void this.end();
        return;
      case 'error':
        if (this.phase.is('awaiting_reply')) {
          this.phase.to('replied');
          return this.handshake.reply({ kind: 'error', payload: message.payload, version: message.version });
        }
        return void this.end(new SessionError(this.recorder.setupStage(), `runner ${describeRunnerError(message.payload, describeWin32Error)}`));
    }
  }

  // ---- the end -----------------------------------------------------------------------------

  /** Ends the session exactly once: release everything, then publish the final state. */
  private async end(error?: SessionError, cause: EndCause = {}): Promise<void> {
    if (this.phase.ending) return;
    const stopRequested = cause.stopped === true || this.phase.reached('terminating');
    const timedOut = cause.timedOut === true;
    this.phase.to('ending');
    this.handshake.forgetPassword();
    this.recorder.changed(); // wakes stdin writers waiting for `running`
    if (!this.abort.signal.aborted) this.abort.abort(error ?? new SessionError(this.recorder.setupStage(), 'session ended'));
    // Every wait in the handshake watches the abort signal, so this is short; afterwards the connection is known.
    await this.setupTask?.catch(() => {});
    this.watchdogs.clear();
    this.channel.reader?.detach();
    // Our side of the pipes closes first: a healthy runner sees EOF and exits by itself. A runner
    // that failed is ended with its whole tree at once. Only the runner we launched is ever
    // signalled: never a pid a runner reported (it may lie).
    await this.channel.conn?.close(error ? 0 : RUNNER_EXIT_GRACE_MS);
    await this.handshake.release();
    const end = commandEnd({ exitReport: this.exitReport, failed: error !== undefined, backstopTimedOut: timedOut, stopRequested });
    const result: SessionResult = error
      ? { state: 'failed', exitCode: -1, timedOut, ...end, error }
      : { state: 'exited', exitCode: this.exitReport!.exitCode, timedOut: this.exitReport!.timedOut, ...end };
    this.recorder.ended(error, result.exitCode, result.timedOut, end);
    this.channel.close();
    this.phase.to('ended');
    this.recorder.mark(result.state);
    this.settle(result);
    this.emitSafely('exit', result);
  }

  private toSessionError(err: unknown): SessionError {
    if (err instanceof SessionError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SessionError(this.recorder.setupStage(), message);
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
      const message = err instanceof Error ? err.message : String(err);
      if (!this.phase.ending) void this.end(new SessionError(this.recorder.setupStage(), `a session '${event}' listener threw: ${message}`));
      else process.emitWarning(`a session '${event}' listener threw after session ${this.id} ended: ${message}`, 'CodexRunnerIpcWarning');
    }
  }
}
