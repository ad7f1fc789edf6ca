// The handshake: from options to a running command. Prepare (launch plan, sandbox preparation),
// take a launch slot, then per try a runner (warm or new, launched and connected), the spawn request
// in one protocol version, and its first reply, until the version search says the command runs or
// the session fails. Every wait is bounded by the session's end; setup ones also by timeoutMs.
import { describeWin32Error } from '../../os/win32/win32-error';
import { versionSpec } from '../../protocol/versions';
import { boundedWait } from '../../util/bounded-wait';
import { PrivateDesktops } from '../codex/sandbox-prep/private-desktops';
import { resolveLaunch, type ResolvedLaunch } from '../launch/launch-plan';
import { codexHomeAccess } from './codex-home-access';
import { runnerIdentity } from './protocol-choice';
import { ManagerState } from './manager-state';
import type { RunnerChannel } from './runner-channel';
import { NeedsSandboxRecovery, openRunnerConnection, type LaunchPlan, type RunnerConnection } from './runner-connection';
import { RUNNER_EXIT_GRACE_MS } from './runner-death';
import type { SessionHost } from './session';
import { SessionError } from './session-error';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SPAWN_READY_TIMEOUT_MS, type PasswordSource, type SessionConfig } from './session-options';
import type { PhaseMachine } from './session-phase';
import { checkRequestSize, type PreparedSpawn } from './spawn-input';
import type { StatusRecorder } from './status-recorder';
import { isRefreshableLogonError, VersionSearch, type TryResult } from './version-search';
import type { Watchdogs } from './watchdogs';

/** The first thing a runner said after the spawn request, or that it ended without a frame. */
export type FirstReply = Exclude<TryResult, { kind: 'undelivered' | 'unencodable' }>;

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

/** What the handshake works with: the session's parts, lent. */
export interface HandshakeContext {
  readonly options: SessionConfig;
  readonly spawn: PreparedSpawn;
  readonly host: SessionHost;
  readonly recorder: StatusRecorder;
  readonly phase: PhaseMachine;
  /** Aborts when the session ends. */
  readonly signal: AbortSignal;
  readonly channel: RunnerChannel;
  readonly watchdogs: Watchdogs;
  /** Reads `conn`'s frames (the session dispatches them) and watches its runner's death. */
  attach(conn: RunnerConnection): void;
}

export class Handshake {
  /** Lives only until the runner is launched (or the session ends). */
  private password?: PasswordSource;
  private firstReply?: (reply: FirstReply) => void;
  /** A lone session's own private desktops, closed when it ends. */
  private ownDesktops?: PrivateDesktops;
  /** A lone session's own launcher and caches (a manager lends its own), ended with it. */
  private ownState?: ManagerState;

  constructor(
    private readonly cx: HandshakeContext,
    password: PasswordSource | undefined,
  ) {
    this.password = password;
  }

  /** Prepares, launches and connects until the command runs; throws what the session fails with. */
  async run(): Promise<void> {
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
   * The runner's first reply to the spawn request (spawn_ready as `ready`). The caller moved the
   * phase on from `awaiting_reply` already.
   */
  reply(first: FirstReply): void {
    const deliver = this.firstReply;
    this.firstReply = undefined;
    deliver?.(first);
  }

  forgetPassword(): void {
    this.password = undefined;
  }

  /** The end: a lone session's desktops, launcher and caches are closed. */
  async release(): Promise<void> {
    await this.ownDesktops?.dispose().catch(() => {});
    await this.ownState?.dispose().catch(() => {});
  }

  /** The manager's state, or a lone session's own. */
  private get managerState(): ManagerState {
    return this.cx.host.state ?? (this.ownState ??= new ManagerState());
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

  /** `work`, or the session fails at `timeoutMs` (when given) naming the step under way; and at its end. */
  private withinTimeoutMs<T>(work: Promise<T>, what: () => string): Promise<T> {
    const limitMs = this.cx.options.timeoutMs ?? undefined;
    const { recorder } = this.cx;
    return boundedWait(work, {
      signal: this.cx.signal,
      timeoutMs: limitMs,
      onTimeout: () => new SessionError(recorder.setupStage(), `${what()}not done within the session's timeoutMs (${limitMs} ms)`),
    });
  }

  /**
   * A launch slot: at once when one is free, else after waiting in `queued` (not counted against
   * any connect timeout), bounded by `queueTimeoutMs` (default: the command's own timeout) and by
   * the session's end.
   */
  private async admit(): Promise<(() => void) | undefined> {
    const admission = this.cx.host.admission;
    if (!admission) return undefined;
    const now = admission.tryAcquire();
    if (now) return now;
    const ahead = admission.queued;
    this.cx.recorder.mark('queued');
    const { options } = this.cx;
    const limitMs = options.queueTimeoutMs ?? options.timeoutMs ?? undefined;
    // The queue entry goes with the wait: acquire() leaves the queue when `giveUp` aborts.
    const giveUp = new AbortController();
    try {
      return await boundedWait(admission.acquire(giveUp.signal), {
        signal: this.cx.signal,
        timeoutMs: limitMs,
        onTimeout: () => new SessionError('queued', `waited ${limitMs} ms for a launch slot (${ahead} sessions were ahead, ${admission.limit} launching at a time)`),
        late: (release) => release(),
      });
    } finally {
      giveUp.abort();
    }
  }

  /**
   * The launch plan, and for codex's runner the sandbox preparation. It touches files and processes
   * others control (codex's home, the runner's source, codex's setup helper): the session's end
   * bounds it, and so does `timeoutMs` when given (the steps' own bounds apply besides).
   */
  private async prepare(): Promise<ResolvedLaunch> {
    const { options, spawn, recorder, host } = this.cx;
    recorder.mark('preparing');
    const desktops = host.desktops ?? (this.ownDesktops ??= new PrivateDesktops());
    let step: string | undefined;
    const launch = await this.withinTimeoutMs(
      resolveLaunch(options, spawn.permissions, this.password, host.codexHome ?? codexHomeAccess, {
        input: spawn.input,
        desktops,
        refreshes: this.managerState.refreshes,
        runnerCopies: this.managerState.runnerCopies,
        signal: this.cx.signal,
        stage: (stage) => recorder.mark(stage),
        step: (name) => (step = name),
      }),
      () => (recorder.state === 'preparing_sandbox' && step ? `${step}: ` : ''),
    );
    if (launch.sandboxPrep) {
      Object.assign(spawn.input, launch.sandboxPrep.spawn);
      checkRequestSize(spawn.input); // the prepared environment is larger: still one frame
    }
    recorder.prepared({ runner: launch.runner, policy: launch.policy, sandboxPrep: launch.sandboxPrep?.status });
    this.checkAborted();
    return launch;
  }

  /** `recoverOutsideSlot`: codex's setup after a logon error, run with the launch slot given back. */
  private async launchAndSpawn(launch: ResolvedLaunch, recoverOutsideSlot: (refused: NeedsSandboxRecovery) => Promise<void>): Promise<void> {
    const { options: o, spawn, recorder } = this.cx;
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
      isRefreshableLogonError: (payload) => plan.logon?.retryOnLogonFailure === true && isRefreshableLogonError(payload, spawn.input.command[0] ?? ''),
      windowsErrorText: describeWin32Error,
    });
    for (let step = search.first(); ; ) {
      if (step.kind === 'run') return;
      if (step.kind === 'fail') {
        recorder.protocol({ version: search.version, chosen: search.chosen, refused: [...search.refused] });
        throw new SessionError(step.stage, step.message, step.spawnFailed === true);
      }
      if (step.forgetRemembered) this.managerState.versions.forget(identity);
      let request: Record<string, unknown>;
      try {
        request = versionSpec(step.version).spawnRequest(spawn.input);
      } catch (err) {
        step = search.after({ kind: 'unencodable', message: (err as Error).message }, false);
        continue;
      }
      this.cx.channel.version = step.version;
      recorder.protocol({ version: step.version, chosen: search.chosen, refused: [...search.refused] });
      const learns = search.learns();
      let tried: { result: TryResult; warm: boolean };
      try {
        tried = await this.attempt(launch, plan, request, step.mayTakeWarm, () => {
          // Runs as spawn_ready is read, not after this await: a command that ends at once ends the
          // session (and aborts the await) in the same read, and must still count as a success.
          if (learns !== undefined) this.managerState.versions.remember(identity, learns);
          this.password = undefined;
          // This identity is in use: keep a runner warm for its next session.
          if (launch.warmKey) this.cx.host.pool?.ensure(launch.warmKey, launch.warmLabel, withoutRecovery(launch.plan));
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
    const { options: o, recorder, channel, signal } = this.cx;
    const warm = mayTakeWarm && launch.warmKey ? await this.cx.host.pool?.take(launch.warmKey, signal) : undefined;
    if (warm && signal.aborted) {
      await warm.close(0); // taken as the session ended: nobody else will close it
      this.checkAborted();
    }
    recorder.runnerChosen(warm);
    const conn = warm ?? (await openRunnerConnection(plan, { connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, signal, launcher: this.managerState.launcher, hooks: recorder.connectionHooks() }));
    // The session may have ended while the last step returned: the connection is the end's to close, and no request goes.
    channel.conn = conn;
    this.checkAborted();
    const reply = new Promise<FirstReply>((resolve) => {
      this.firstReply = (first) => {
        if (first.kind === 'ready') onReady();
        resolve(first);
      };
    });
    this.cx.phase.to('awaiting_reply');
    this.cx.attach(conn);
    // A write that fails (EPIPE) never reached the runner: the one case where silence proves nothing ran.
    const delivered = new Promise<boolean>((resolve) => channel.send({ type: 'spawn_request', payload: request as never }, (err) => resolve(!err)));
    recorder.mark('spawn_sent');
    this.cx.watchdogs.armSpawnReady(conn, o.spawnReadyTimeoutMs ?? DEFAULT_SPAWN_READY_TIMEOUT_MS);
    const first = await boundedWait(reply, { signal });
    if (first.kind !== 'silent') return { result: first, warm: warm !== undefined };
    const reached = await boundedWait(delivered, { timeoutMs: RUNNER_EXIT_GRACE_MS }).catch(() => undefined);
    return { result: reached === false ? { ...first, kind: 'undelivered' } : first, warm: warm !== undefined };
  }

  /** A refused try's runner and pipes go before the next try starts. */
  private async dropConnection(): Promise<void> {
    this.checkAborted(); // the session ended while the reply was weighed: its end closes the connection
    this.cx.watchdogs.spawnAnswered();
    this.firstReply = undefined;
    this.cx.phase.to('setting_up');
    await this.cx.channel.drop();
  }

  private checkAborted(): void {
    if (this.cx.signal.aborted) throw this.cx.signal.reason;
  }
}
