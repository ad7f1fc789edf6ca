// One command run through the runner: runner found and connected, protocol version chosen, spawn,
// stream, exit, and cleanup whatever happens. Runs in Electron's main process or any Node process.
import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { FrameReader } from '../../protocol/frame-reader';
import { encodeDataFrame, encodeFrame, splitForFrames } from '../../protocol/framing';
import { describeRunnerError, isCommandSignal, payloadBytes, toRunnerMessage, type ParentMessage, type RunnerMessage, type Versioned } from '../../protocol/messages';
import { NEWEST_PROTOCOL_VERSION, versionSpec, type ProtocolVersion } from '../../protocol/versions';
import { describeWin32Error } from '../../os/win32/win32-error';
import type { Admission } from './admission';
import { codexHomeAccess } from './codex-home-access';
import { codexSandboxField } from './codex-sandbox-use';
import { resolveLaunch, type CodexHomeAccess, type ResolvedLaunch } from '../launch/launch-plan';
import { runnerIdentity } from './protocol-choice';
import { ManagerState } from './manager-state';
import { processStateNote } from '../../os/posix/process-state';
import { delay, describeExit, NeedsSandboxRecovery, openRunnerConnection, stderrNote, type LaunchPlan, type RunnerConnection } from './runner-connection';
import { commandEnd, type CommandEnd } from './end-reason';
import { SessionError } from './session-error';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SPAWN_READY_TIMEOUT_MS,
  DEFAULT_TERMINATE_GRACE_MS,
  type PasswordSource,
  type SessionOptions,
  validateSessionOptions,
  withAbsoluteCwd,
} from './session-options';
import type { SessionStage, SessionStatus, SetupStage } from './session-status';
import { checkRequestSize, prepareSpawn, type PreparedSpawn } from './spawn-input';
import { StdinWritable } from './stdin-writable';
import { isRefreshableLogonError, VersionSearch, type TryResult } from './version-search';
import type { WarmRunnerPool } from './warm-pool';
import { PrivateDesktops } from '../codex/sandbox-prep/private-desktops';

/** A plan for warm runners: a background launch never deletes codex's users file nor runs setup (a session does, when its app opted in). */
function withoutRecovery(plan: LaunchPlan): LaunchPlan {
  if (!plan.logon?.recover) return plan;
  const { recover: _recover, ...logon } = plan.logon;
  return { ...plan, logon };
}

/** After codex's setup ran for a session: one launch more, and no further recovery or logon retry (issue 20 §4). */
function afterRecovery(plan: LaunchPlan): LaunchPlan {
  const { logon } = withoutRecovery(plan);
  return { ...plan, logon: { ...logon!, retryOnLogonFailure: false } };
}

/** The first thing a runner said after the spawn request, or that it ended without a frame. */
type FirstReply = Exclude<TryResult, { kind: 'undelivered' | 'unencodable' }>;

export { SessionError } from './session-error';

/** How a session ended. `exitCode` is -1 when it failed before the command reported an exit. */
export interface SessionResult extends CommandEnd {
  state: 'exited' | 'failed';
  /** As the runner reported it (upstream: 1 after terminate, 192 after a timeout). */
  exitCode: number;
  timedOut: boolean;
  error?: SessionError;
}

/** Bytes of output held per stream for a consumer that is behind, before the runner is paused. */
const OUTPUT_HIGH_WATER = 1024 * 1024;
/** How long a runner that reported its exit (or whose pipe ended) gets to exit by itself. */
const RUNNER_EXIT_GRACE_MS = 2000;
/** Past the command's own timeout, how long the runner gets to report it before the parent steps in. */
const TIMEOUT_BACKSTOP_MS = DEFAULT_TERMINATE_GRACE_MS + RUNNER_EXIT_GRACE_MS;

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

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  /** The command's stdout and stderr. Unread output is held up to a bound, then the command waits. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The command's stdin (needs `stdinOpen`); `end()` sends `close_stdin`. */
  readonly stdin: Writable;
  /** Settles once the session has ended and everything it held is released. Never rejects. */
  readonly exited: Promise<SessionResult>;

  /** The options without the password, which lives only in `password` until the runner is launched. */
  private readonly options: SessionOptions;
  private password?: PasswordSource;
  private readonly spawn: PreparedSpawn;
  private readonly snapshot: SessionStatus;
  private readonly abort = new AbortController();
  private settle!: (result: SessionResult) => void;
  private conn?: RunnerConnection;
  private reader?: FrameReader<Versioned<RunnerMessage>>;
  private version: ProtocolVersion = NEWEST_PROTOCOL_VERSION;
  private firstReply?: (reply: FirstReply) => void;
  private spawnReadyTimer?: NodeJS.Timeout;
  private terminateTimer?: NodeJS.Timeout;
  private backstopTimer?: NodeJS.Timeout;
  private exitReport?: { exitCode: number; timedOut: boolean; signal?: string };
  /** terminate() or dispose() was called: the command's end is this side's doing. */
  private stopRequested = false;
  private ending = false;
  /** After terminate(): output is read and dropped, so the runner's exit report can arrive. */
  private terminating = false;
  /** The first close_stdin/resize sent to a version-1 runner: one built before them stops reading there. */
  private v1LateMessageSent?: 'close_stdin' | 'resize';
  /** Called when a consumer lets a paused reader go on (see watchRunnerDeath). */
  private readerResumed?: () => void;
  /** Setup in progress: end() waits for it, so nothing it acquires afterwards can leak. */
  private setupTask?: Promise<void>;
  /** A lone session's own private desktops, closed when it ends. */
  private ownDesktops?: PrivateDesktops;
  /** A lone session's own launcher and caches, ended with it. */
  private ownState?: ManagerState;

  constructor(
    given: SessionOptions,
    private readonly host: SessionHost = {},
  ) {
    super();
    validateSessionOptions(given);
    const options = withAbsoluteCwd(given);
    this.spawn = prepareSpawn(options); // throws (before anything exists) when the request cannot fit a frame
    const { sandbox } = options;
    if (typeof sandbox === 'object' && sandbox !== null && sandbox.credentials) {
      this.password = sandbox.credentials.password;
      this.options = { ...options, sandbox: { ...sandbox, credentials: { ...sandbox.credentials, password: '' } } };
    } else {
      this.options = { ...options };
    }
    this.id = `s${nextId++}-${Date.now().toString(36)}`;
    this.snapshot = {
      id: this.id,
      command: [...options.command],
      tty: options.tty === true,
      ...(options.tty === true ? { ttySize: { cols: 80, rows: 24 } } : {}), // upstream's initial pseudo console size
      state: 'preparing',
      stages: [],
      pipes: {},
      policy: { profile: this.spawn.permissions.name, enforced: false, note: 'not known yet' },
      ...(options.codexHome ? { codexHome: options.codexHome } : {}),
      ...codexSandboxField(options, this.spawn.permissions),
      traffic: {
        stdout: { bytes: 0, frames: 0 },
        stderr: { bytes: 0, frames: 0 },
        stdin: { bytes: 0, frames: 0 },
        toRunner: { bytes: 0, frames: 0 },
        fromRunner: { bytes: 0, frames: 0 },
      },
    };
    this.exited = new Promise((resolve) => (this.settle = resolve));
    const resumeReader = () => {
      this.reader?.resume();
      this.readerResumed?.();
    };
    this.stdout = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resumeReader });
    this.stderr = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resumeReader });
    // A consumer that destroys a stream (as stream.pipeline does when its destination fails) wants
    // no more of it: what follows is dropped, and a reader paused for it must go on.
    this.stdout.once('close', resumeReader);
    this.stderr.once('close', resumeReader);
    this.stdin = new StdinWritable({
      highWaterMark: 256 * 1024,
      // A write after end() is an error to its caller, but must not destroy the stream: what was
      // written before it, and the close_stdin, still go.
      autoDestroy: false,
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

  /**
   * node-pty style: output of both streams, as it arrives. Returns a function that unsubscribes.
   * A listener that throws is treated as a `stdout.on('data')` one is (see pushOutput): an uncaught
   * exception, the session and its command going on.
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
    this.whenRunning().then(
      () => {
        if (!this.terminating && !this.ending) this.send({ type: 'signal', payload: { signal: name } });
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
    if (this.ending || this.terminating) return;
    this.stopRequested = true;
    if (this.snapshot.state !== 'running') {
      // end() aborts whatever setup step is pending and waits for it to unwind.
      void this.end(new SessionError(this.setupStage(), `terminated during ${this.snapshot.state}`));
      return;
    }
    this.terminating = true;
    this.reader?.resume();
    this.send({ type: 'terminate', payload: {} });
    const grace = this.options.terminateGraceMs ?? DEFAULT_TERMINATE_GRACE_MS;
    this.terminateTimer = setTimeout(() => {
      // The pipe is ordered: a runner that stopped reading (its command does not read stdin and
      // its bounded queue is full) never sees the terminate frame.
      const stuck = this.conn?.toRunner.writableLength ?? 0;
      let why = stuck > 0 ? ` (${stuck} bytes are still queued ahead of it: the command is not reading its stdin)` : '';
      // codex's version-1 runners built before close_stdin/resize existed (upstream PR #15578, e.g.
      // codex 0.116.0) stop reading input at the first such frame: the terminate went unread.
      if (this.v1LateMessageSent) why += ` (a version-1 runner built before codex added close_stdin and resize, such as codex 0.116.0, stops reading at the first of them; this session sent ${this.v1LateMessageSent} before terminate)`;
      void this.end(new SessionError('running', `runner pid ${this.conn?.runner.pid} did not report an exit within ${grace} ms of terminate${why}; killed it and its processes`));
    }, grace);
  }

  /** Ends the session now, whatever its stage, and waits until everything is released. */
  async dispose(): Promise<SessionResult> {
    if (!this.ending) {
      this.stopRequested = true;
      void this.end(new SessionError(this.setupStage(), `session disposed during ${this.snapshot.state}`));
    }
    return this.exited;
  }

  // ---- setup -------------------------------------------------------------------------------

  private async setUp(): Promise<void> {
    // Preparation launches nothing: it holds no launch slot (those bound runner launches and
    // connects), so a slow sandbox refresh never stalls other sessions' launches. Nor does the
    // setup after a logon error: the slot is given back for it, and taken again after.
    const launch = await this.prepare();
    let release = await this.admit();
    try {
      await this.launchAndSpawn(launch, async (refused) => {
        release?.();
        release = undefined;
        await this.recoverLogon(launch.plan, refused);
        release = await this.admit();
      });
    } finally {
      release?.();
    }
  }

  /**
   * codex's setup after a logon error (session/sandbox-gate.ts): runs with no launch slot and no
   * pipes held, bounded as preparation is. Throws the error the session fails with when it does not
   * run or fails.
   */
  private async recoverLogon(plan: LaunchPlan, refused: NeedsSandboxRecovery): Promise<void> {
    const recover = plan.logon!.recover!(refused.logonError, refused.failedAt);
    await this.withinTimeoutMs(recover, () => `sandbox setup after logon error ${refused.logonError}: `);
  }

  /** `work`, or the session ends at `timeoutMs` (when given) naming the step under way; and at its end. */
  private async withinTimeoutMs<T>(work: Promise<T>, what: () => string): Promise<T> {
    const limitMs = this.options.timeoutMs ?? undefined;
    const timer = limitMs ? setTimeout(() => void this.end(new SessionError(this.setupStage(), `${what()}not done within the session's timeoutMs (${limitMs} ms)`)), limitMs) : undefined;
    try {
      return await this.untilAborted(work);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A launch slot: at once when one is free, else after waiting in `queued` (not counted against
   * any connect timeout), bounded by `queueTimeoutMs` (default: the command's own timeout) and by
   * the session's end.
   */
  private async admit(): Promise<(() => void) | undefined> {
    const admission = this.host.admission;
    if (!admission) return undefined;
    const now = admission.tryAcquire();
    if (now) return now;
    const ahead = admission.queued;
    this.mark('queued');
    const limitMs = this.options.queueTimeoutMs ?? this.options.timeoutMs ?? undefined;
    const wait = new AbortController();
    const onEnd = () => wait.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener('abort', onEnd, { once: true });
    const timer = limitMs ? setTimeout(() => wait.abort(new SessionError('queued', `waited ${limitMs} ms for a launch slot (${ahead} sessions were ahead, ${admission.limit} launching at a time)`)), limitMs) : undefined;
    try {
      return await admission.acquire(wait.signal);
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onEnd);
    }
  }

  /** The manager's state, or a lone session's own. */
  private get managerState(): ManagerState {
    return this.host.state ?? (this.ownState ??= new ManagerState());
  }

  /**
   * The launch plan, and for codex's runner the sandbox preparation. It touches files and processes
   * others control (codex's home, the runner's source, codex's setup helper): the session's end
   * bounds it, and so does `timeoutMs` when given (the steps' own bounds apply besides).
   */
  private async prepare(): Promise<ResolvedLaunch> {
    const o = this.options;
    this.mark('preparing');
    const desktops = this.host.desktops ?? (this.ownDesktops ??= new PrivateDesktops());
    let step: string | undefined;
    const launch = await this.withinTimeoutMs(
      resolveLaunch(o, this.spawn.permissions, this.password, this.host.codexHome ?? codexHomeAccess, {
        input: this.spawn.input,
        desktops,
        refreshes: this.managerState.refreshes,
        runnerCopies: this.managerState.runnerCopies,
        signal: this.abort.signal,
        stage: (stage) => this.mark(stage),
        step: (name) => (step = name),
      }),
      () => (this.snapshot.state === 'preparing_sandbox' && step ? `${step}: ` : ''),
    );
    if (launch.sandboxPrep) {
      Object.assign(this.spawn.input, launch.sandboxPrep.spawn);
      checkRequestSize(this.spawn.input); // the prepared environment is larger: still one frame
      this.snapshot.sandboxPrep = launch.sandboxPrep.status;
    }
    this.snapshot.runner = launch.runner;
    this.snapshot.policy = launch.policy;
    this.changed();
    this.checkAborted();
    return launch;
  }

  /** `recoverOutsideSlot`: codex's setup after a logon error, run with the launch slot given back. */
  private async launchAndSpawn(launch: ResolvedLaunch, recoverOutsideSlot: (refused: NeedsSandboxRecovery) => Promise<void>): Promise<void> {
    const o = this.options;
    let plan = launch.plan;
    const recover = async (refused: NeedsSandboxRecovery) => {
      await recoverOutsideSlot(refused);
      plan = afterRecovery(plan); // setup runs at most once per session, then one more launch
    };
    const identity = await runnerIdentity([launch.plan.spec.exe, ...(launch.plan.spec.args ?? [])], launch.identityFile);

    const given = o.protocolVersion !== undefined && o.protocolVersion !== 'auto' ? o.protocolVersion : undefined;
    const search = new VersionSearch({
      given,
      remembered: given === undefined ? this.managerState.versions.get(identity) : undefined,
      runnerFile: launch.runner.file,
      isRefreshableLogonError: (payload) => plan.logon?.retryOnLogonFailure === true && isRefreshableLogonError(payload, this.spawn.input.command[0] ?? ''),
      windowsErrorText: describeWin32Error,
    });
    for (let step = search.first(); ; ) {
      if (step.kind === 'run') return;
      if (step.kind === 'fail') {
        this.snapshot.protocol = { version: search.version, chosen: search.chosen, refused: [...search.refused] };
        throw new SessionError(step.stage, step.message, step.spawnFailed === true);
      }
      if (step.forgetRemembered) this.managerState.versions.forget(identity);
      let request: Record<string, unknown>;
      try {
        request = versionSpec(step.version).spawnRequest(this.spawn.input);
      } catch (err) {
        step = search.after({ kind: 'unencodable', message: (err as Error).message }, false);
        continue;
      }
      this.version = step.version;
      this.snapshot.protocol = { version: step.version, chosen: search.chosen, refused: [...search.refused] };
      const learns = search.learns();
      let tried: { result: TryResult; warm: boolean };
      try {
        tried = await this.attempt(launch, plan, request, step.mayTakeWarm, () => {
          // Runs as spawn_ready is read, not after this await: a command that ends at once ends the
          // session (and aborts the await) in the same read, and must still count as a success.
          if (learns !== undefined) this.managerState.versions.remember(identity, learns);
          this.password = undefined;
          // This identity is in use: keep a runner warm for its next session.
          if (launch.warmKey) this.host.pool?.ensure(launch.warmKey, launch.warmLabel, withoutRecovery(launch.plan));
        });
      } catch (err) {
        // The logon was refused before the runner started: set up, then this try once more, on a new runner.
        if (!(err instanceof NeedsSandboxRecovery)) throw err;
        await recover(err);
        step = { ...step, mayTakeWarm: false };
        continue;
      }
      step = search.after(tried.result, tried.warm);
      if (step.kind === 'try') await this.dropConnection();
      // spawn_child refused the logon: the command never started; codex's users are set up again (or the session fails typed).
      if (step.kind === 'try' && step.logonFailure !== undefined && plan.logon?.recover) await recover(new NeedsSandboxRecovery(step.logonFailure, 'spawn_sent'));
    }
  }

  /**
   * One try: a warm runner or a new one connected, the request sent, its first answer awaited.
   * Silence after the request is told apart from a request that never reached the runner.
   */
  private async attempt(launch: ResolvedLaunch, plan: LaunchPlan, request: Record<string, unknown>, mayTakeWarm: boolean, onReady: () => void): Promise<{ result: TryResult; warm: boolean }> {
    const o = this.options;
    const warm = mayTakeWarm && launch.warmKey ? await this.host.pool?.take(launch.warmKey, this.abort.signal) : undefined;
    if (warm && this.abort.signal.aborted) {
      await warm.close(0); // taken as the session ended: nobody else will close it
      this.checkAborted();
    }
    this.snapshot.runner = { ...this.snapshot.runner!, warm: warm !== undefined };
    if (warm) {
      this.snapshot.pipes = warm.pipeStatus();
      this.snapshot.runnerPid = warm.runner.pid;
    }
    const conn = warm ?? await openRunnerConnection(plan, {
      connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      signal: this.abort.signal,
      launcher: this.managerState.launcher,
      hooks: {
        stage: (stage) => this.mark(stage),
        pipesCreated: (pipes) => {
          this.snapshot.pipes = {
            in: { name: pipes.names.in, connected: false, access: pipes.describeAccess('in') },
            out: { name: pipes.names.out, connected: false, access: pipes.describeAccess('out') },
          };
        },
        runnerLaunched: (runner) => {
          this.snapshot.runnerPid = runner.pid;
          this.changed();
        },
        pipeConnected: (role) => {
          this.snapshot.pipes[role]!.connected = true;
          this.changed();
        },
        clientVerified: (role, pid) => {
          this.snapshot.pipes[role]!.clientPid = pid;
        },
      },
    });
    this.conn = conn;
    const reply = new Promise<FirstReply>((resolve) => {
      this.firstReply = (first) => {
        this.firstReply = undefined;
        if (first.kind === 'ready') onReady();
        resolve(first);
      };
    });
    this.reader = new FrameReader(conn.fromRunner, (value) => toRunnerMessage(value, this.version), {
      message: (m) => this.onRunnerMessage(m),
      error: (err) => void this.onReaderError(err),
      end: () => void this.onRunnerEof(),
    });
    this.watchRunnerDeath(conn);
    // A write that fails (EPIPE) never reached the runner: the one case where silence proves nothing ran.
    const delivered = new Promise<boolean>((resolve) => this.send({ type: 'spawn_request', payload: request as never }, (err) => resolve(!err)));
    this.mark('spawn_sent');
    const readyMs = o.spawnReadyTimeoutMs ?? DEFAULT_SPAWN_READY_TIMEOUT_MS;
    this.spawnReadyTimer = setTimeout(() => {
      void processStateNote(conn.runner.pid).then((state) => {
        if (this.snapshot.state !== 'spawn_sent' || this.conn !== conn) return; // it answered meanwhile
        return this.end(new SessionError('spawn_sent', `runner pid ${conn.runner.pid} did not answer the spawn request within ${readyMs} ms${state}`));
      });
    }, readyMs);
    const first = await this.untilAborted(reply);
    if (first.kind !== 'silent') return { result: first, warm: warm !== undefined };
    const reached = await Promise.race([delivered, delay(RUNNER_EXIT_GRACE_MS)]);
    return { result: reached === false ? { ...first, kind: 'undelivered' } : first, warm: warm !== undefined };
  }

  /** A refused attempt's runner and pipes go before the next attempt starts. */
  private async dropConnection(): Promise<void> {
    clearTimeout(this.spawnReadyTimer);
    this.reader?.detach();
    this.reader = undefined;
    this.firstReply = undefined;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.close(0);
  }

  // ---- running -----------------------------------------------------------------------------

  private onRunnerMessage(message: Versioned<RunnerMessage>): void {
    // Nothing after the exit report counts (frames read with it included), nor after the end began.
    if (this.exitReport || this.ending) return;
    const t = this.snapshot.traffic;
    t.fromRunner.frames = this.reader!.frames;
    t.fromRunner.bytes = this.reader!.bytes;
    switch (message.type) {
      case 'spawn_ready':
        if (this.snapshot.state !== 'spawn_sent') return void this.end(new SessionError('running', 'runner sent spawn_ready twice'));
        clearTimeout(this.spawnReadyTimer);
        this.snapshot.childPid = message.payload.process_id;
        this.mark('running');
        this.armTimeoutBackstop();
        if (this.snapshot.ttySize && (this.snapshot.ttySize.cols !== 80 || this.snapshot.ttySize.rows !== 24)) {
          this.send({ type: 'resize', payload: { rows: this.snapshot.ttySize.rows, cols: this.snapshot.ttySize.cols } });
        }
        this.firstReply?.({ kind: 'ready' });
        return;
      case 'output': {
        if (this.snapshot.state !== 'running') return void this.end(new SessionError('spawn_sent', 'runner sent output before spawn_ready'));
        const data = payloadBytes(message.payload);
        const counter = t[message.payload.stream];
        counter.bytes += data.length;
        counter.frames++;
        const target = message.payload.stream === 'stdout' ? this.stdout : this.stderr;
        if (!this.terminating && !target.destroyed && !this.pushOutput(target, data)) this.reader!.pause(); // resumed by the stream's read()
        this.changed();
        return;
      }
      case 'exit':
        if (this.snapshot.state !== 'running') return void this.end(new SessionError('spawn_sent', `runner sent exit (code ${message.payload.exit_code}) before spawn_ready`));
        this.exitReport = { exitCode: message.payload.exit_code, timedOut: message.payload.timed_out, signal: message.payload.signal };
        this.reader?.detach();
        void this.end();
        return;
      case 'error':
        if (this.snapshot.state === 'spawn_sent' && this.firstReply) return this.firstReply({ kind: 'error', payload: message.payload, version: message.version });
        return void this.end(new SessionError(this.setupStage(), `runner ${describeRunnerError(message.payload, describeWin32Error)}`));
    }
  }

  /**
   * push() runs the consumer's 'data' listeners synchronously. One that throws is the consumer's
   * bug, not bad data from the runner: it is rethrown as any EventEmitter listener's throw would
   * surface (an uncaught exception), and the session goes on.
   */
  private pushOutput(target: Readable, data: Buffer): boolean {
    try {
      return target.push(data);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
      return true;
    }
  }

  private async onReaderError(err: Error): Promise<void> {
    const runner = this.conn?.runner;
    // A stream cut off mid-frame is how a runner's death looks from here: say so, and how it died.
    if (runner && /stream ended inside|pipe closed before the end of stream/.test(err.message)) {
      const exit = await Promise.race([runner.exited, delay(RUNNER_EXIT_GRACE_MS)]);
      // Before its first frame, a death is silence after the request: the version search decides.
      if (exit && this.firstReply) return this.firstReply({ kind: 'silent', why: describeExit(runner.pid, exit), stderr: stderrNote(runner) });
      if (exit) return this.end(new SessionError(this.setupStage(), `${describeExit(runner.pid, exit)} mid-stream (${err.message})${stderrNote(runner)}`));
    }
    await this.end(new SessionError(this.setupStage(), `bad data from runner: ${err.message}`));
  }

  private async onRunnerEof(): Promise<void> {
    // The pipe ended without an exit report: the runner quit or died. Its exit code says which.
    const runner = this.conn!.runner;
    const exit = await Promise.race([runner.exited, delay(RUNNER_EXIT_GRACE_MS)]);
    const why = exit ? describeExit(runner.pid, exit) : `runner pid ${runner.pid} closed its pipe`;
    if (this.snapshot.state === 'spawn_sent' && this.firstReply) return this.firstReply({ kind: 'silent', why, stderr: stderrNote(runner) });
    await this.end(new SessionError(this.setupStage(), `${why} before reporting the command's exit${stderrNote(runner)}`));
  }

  private watchRunnerDeath(conn: RunnerConnection): void {
    void conn.runner.exited.then(() => this.judgeRunnerDeath(conn));
  }

  private async judgeRunnerDeath(conn: RunnerConnection): Promise<void> {
    const runner = conn.runner;
    // Frames written before it died are still in the pipe: give the reader time to see them.
    await delay(RUNNER_EXIT_GRACE_MS);
    if (this.ending || this.conn !== conn) return;
    // A reader held back for a slow consumer has not read them yet (the exit report among them):
    // that is no pipe left open. Judged again once the consumer reads on.
    if (this.reader?.paused) {
      this.readerResumed = () => {
        this.readerResumed = undefined;
        void this.judgeRunnerDeath(conn);
      };
      return;
    }
    const why = `${describeExit(runner.pid, runner.exit()!)} but its pipe stayed open`;
    if (this.snapshot.state === 'spawn_sent' && this.firstReply) return this.firstReply({ kind: 'silent', why, stderr: stderrNote(runner) });
    await this.end(new SessionError(this.setupStage(), `${why}${stderrNote(runner)}`));
  }

  /**
   * The runner enforces `timeoutMs`; a runner that is frozen (stopped, hung) cannot. Past the
   * timeout plus a grace, the parent ends the runner and its whole tree itself.
   */
  private armTimeoutBackstop(): void {
    const timeoutMs = this.options.timeoutMs;
    if (!timeoutMs || timeoutMs + TIMEOUT_BACKSTOP_MS > 0x7fff_ffff) return;
    this.backstopTimer = setTimeout(() => void this.backstop(timeoutMs), timeoutMs + TIMEOUT_BACKSTOP_MS);
  }

  private async backstop(timeoutMs: number): Promise<void> {
    if (this.ending) return;
    const runner = this.conn?.runner;
    const state = runner ? await processStateNote(runner.pid) : '';
    this.exitReport = undefined;
    await this.end(
      new SessionError('running', `runner pid ${runner?.pid} did not report the command's exit ${TIMEOUT_BACKSTOP_MS} ms after its ${timeoutMs} ms timeout${state}; killed the runner and its processes`),
      true,
    );
  }

  private send(message: ParentMessage, written?: (err?: Error | null) => void): void {
    const socket = this.conn?.toRunner;
    if (!socket || socket.destroyed) return written?.(new Error('the pipe to the runner is closed'));
    const frame = encodeFrame(message, this.version);
    if (this.version === 1 && (message.type === 'close_stdin' || message.type === 'resize')) this.v1LateMessageSent ??= message.type;
    this.count(frame.length);
    socket.write(frame, written);
  }

  private count(bytes: number): void {
    this.snapshot.traffic.toRunner.bytes += bytes;
    this.snapshot.traffic.toRunner.frames++;
  }

  private writeStdin(chunk: Buffer, done: (err?: Error | null) => void): void {
    this.whenRunning().then(
      () => {
        // After terminate, input has nowhere to go; it must not queue ahead of the terminate frame.
        if (this.terminating) return done();
        const socket = this.conn!.toRunner;
        let last: Buffer | undefined;
        for (const piece of splitForFrames(chunk)) {
          last = encodeDataFrame('stdin', piece, this.version);
          this.count(last.length);
          this.snapshot.traffic.stdin.frames++;
          // A write cut off by the end (the pipe closed under it) says so, not "write after destroyed".
          socket.write(last, piece.byteOffset + piece.byteLength === chunk.byteOffset + chunk.byteLength ? (err) => done(err && this.ending ? this.stdinCutOff() : err) : undefined);
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

  /** `promise`, or the abort's reason as soon as the session is ending. */
  private untilAborted<T>(promise: Promise<T>): Promise<T> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  // ---- the end -----------------------------------------------------------------------------

  /** Ends the session exactly once: release everything, then publish the final state. */
  private async end(error?: SessionError, timedOut = false): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.password = undefined;
    this.changed(); // wakes stdin writers waiting for `running`
    if (!this.abort.signal.aborted) this.abort.abort(error ?? new SessionError(this.setupStage(), 'session ended'));
    // Every wait in setUp watches the abort signal, so this is short; afterwards the connection is known.
    await this.setupTask?.catch(() => {});
    clearTimeout(this.spawnReadyTimer);
    clearTimeout(this.terminateTimer);
    clearTimeout(this.backstopTimer);
    this.reader?.detach();
    // Our side of the pipes closes first: a healthy runner sees EOF and exits by itself. A runner
    // that failed is ended with its whole tree at once. Only the runner we launched is ever
    // signalled: never a pid a runner reported (it may lie).
    await this.conn?.close(error ? 0 : RUNNER_EXIT_GRACE_MS);
    await this.ownDesktops?.dispose().catch(() => {});
    await this.ownState?.dispose().catch(() => {});
    const end = commandEnd({ exitReport: this.exitReport, failed: error !== undefined, backstopTimedOut: timedOut, stopRequested: this.stopRequested });
    const result: SessionResult = error
      ? { state: 'failed', exitCode: -1, timedOut, ...end, error }
      : { state: 'exited', exitCode: this.exitReport!.exitCode, timedOut: this.exitReport!.timedOut, ...end };
    if (error) this.snapshot.failure = { stage: error.stage, message: error.message };
    else this.snapshot.exitCode = result.exitCode;
    Object.assign(this.snapshot, end);
    if (result.timedOut || !error) this.snapshot.timedOut = result.timedOut;
    this.stdout.push(null);
    this.stderr.push(null);
    // Input still queued will never go: a writer waiting for 'drain' gets an 'error' saying so.
    this.stdin.destroy(this.stdin.writableLength > 0 || this.stdin.writableNeedDrain ? this.stdinCutOff() : undefined);
    this.mark(result.state);
    this.settle(result);
    this.emitSafely('exit', result);
  }

  private stdinCutOff(): Error {
    return new Error(`session ${this.id} ended before its stdin took everything written`);
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
    // Setup abandoned by end() may still report a stage on its way out: an ending session keeps its own.
    if (this.ending && stage !== 'exited' && stage !== 'failed') return;
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
