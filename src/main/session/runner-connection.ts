// A runner launched, connected to both pipes and verified, ready for its spawn request: the part of
// a session that does not depend on the command. Every step is bounded (timeout, the runner's
// death, the caller's abort) and a failure at any step releases what the earlier ones acquired.
import type { Duplex } from 'node:stream';
import type { RunnerExit, RunnerProcess, RunnerStarter } from '../launch/launch-runner';
import type { SecretText } from '../codex/home/secret-text';
import type { RunnerSpec } from '../launch/runner-spec';
import type { LogonLaunchOptions } from '../launch/win32/logon-launch';
import { createRunnerPipePair, type PipeRole, type RunnerPipePair } from '../../os/runner-pipes';
import { boundedWait } from '../../util/bounded-wait';
import { withLogonRetry } from '../launch/logon-retry';
import { SessionError } from './session-error';
import type { PipeStatus, SetupStage } from './session-status';

/** How to log on as the sandbox user (Windows). The password is fetched per launch and wiped after it. */
export interface LogonSource {
  username: string;
  domain?: string;
  password(): Promise<SecretText>;
  /** Re-read the credentials and retry once after logon errors 1326/1312, as upstream does. */
  retryOnLogonFailure: boolean;
  /**
   * The password comes from a source asked at each launch (codex's files, the caller's function),
   * so a warm runner may be launched with it later. A fixed password is never kept for that.
   */
  reusable: boolean;
  /**
   * codex's sandbox users: what follows a logon error upstream answers with a new setup (see
   * session/sandbox-gate.ts). Resolves when one more launch is worth it; else throws the error
   * the session fails with. Replaces the plain re-read retry. Never called inside a launch: the
   * launch throws NeedsSandboxRecovery, and the session recovers holding no launch slot.
   */
  recover?(code: number, failedAt: SetupStage): Promise<void>;
  /** Starts the runner as this user. Default: CreateProcessWithLogonW (Windows only); Linux tests stand in for it. */
  launchAs?(spec: RunnerSpec, names: { in: string; out: string }, options: LogonLaunchOptions): Promise<RunnerProcess>;
}

/**
 * A logon error after which codex's users are set up again (LogonSource.recover). Thrown out of
 * the launch, so the session runs that setup (UAC, minutes) after giving up its launch slot and
 * its pipes, bounded by its own timeoutMs and end.
 */
export class NeedsSandboxRecovery extends Error {
  constructor(
    readonly logonError: number,
    readonly failedAt: SetupStage,
  ) {
    super(`the sandbox user's logon failed with Windows error ${logonError} at ${failedAt}: codex's sandbox setup comes next`);
    this.name = 'NeedsSandboxRecovery';
  }
}

export interface LaunchPlan {
  spec: RunnerSpec;
  /** The runner's own cwd (codex's runner: the command's cwd, as upstream). */
  runnerCwd?: string;
  /** The only account the pipes admit; default the current user. */
  sandboxUsername?: string;
  logon?: LogonSource;
}

export interface ConnectionHooks {
  stage(stage: SetupStage): void;
  pipesCreated(pipes: RunnerPipePair): void;
  runnerLaunched(runner: RunnerProcess): void;
  pipeConnected(role: PipeRole): void;
  clientVerified(role: PipeRole, clientPid: number): void;
}

export interface ConnectOptions {
  connectTimeoutMs: number;
  signal: AbortSignal;
  /** Starts the runner as the current user (the owner's launcher); a logon launch goes its own way. */
  launcher: RunnerStarter;
  hooks: ConnectionHooks;
}

export class RunnerConnection {
  private closed = false;

  constructor(
    readonly pipes: RunnerPipePair,
    readonly runner: RunnerProcess,
    /** We write frames here (pipe-in). */
    readonly toRunner: Duplex,
    /** We read frames here (pipe-out). */
    readonly fromRunner: Duplex,
  ) {
    toRunner.on('error', () => {}); // a dead runner is reported through the reader and its exit
  }

  /** Both pipes as a session's status shows them: connected, and verified to be this runner. */
  pipeStatus(): { in: PipeStatus; out: PipeStatus } {
    const one = (role: PipeRole): PipeStatus => ({ name: this.pipes.names[role], connected: true, clientPid: this.runner.pid, access: this.pipes.describeAccess(role) });
    return { in: one('in'), out: one('out') };
  }

  /**
   * Closes our ends first (a healthy runner sees EOF and exits by itself within `graceMs`), then
   * ends the runner and its whole tree if it has not. Idempotent.
   */
  async close(graceMs: number): Promise<RunnerExit> {
    if (!this.closed) {
      this.closed = true;
      this.toRunner.destroy();
      this.fromRunner.destroy();
      await this.pipes.close().catch(() => {});
    }
    const exited = await boundedWait(this.runner.exited, { timeoutMs: graceMs }).catch(() => undefined);
    if (!exited) {
      this.runner.kill();
      return this.runner.exited;
    }
    return exited;
  }
}

/** Creates the pipes, launches the runner, waits for it on both pipes and checks it is the one connected. */
export async function openRunnerConnection(plan: LaunchPlan, options: ConnectOptions): Promise<RunnerConnection> {
  const { hooks, signal } = options;
  hooks.stage('creating_pipes');
  const pipes = await createRunnerPipePair({ sandboxUsername: plan.sandboxUsername });
  let runner: RunnerProcess | undefined;
  try {
    hooks.pipesCreated(pipes);
    checkAborted(signal);

    hooks.stage('launching_runner');
    runner = await launch(plan, pipes.names, options);
    hooks.runnerLaunched(runner);
    checkAborted(signal);

    await waitForRunner(pipes, runner, 'in', 'connecting_in', options);
    await waitForRunner(pipes, runner, 'out', 'connecting_out', options);

    hooks.stage('verifying_client');
    for (const role of ['in', 'out'] as const) {
      const clientPid = pipes.clientProcessId(role);
      hooks.clientVerified(role, clientPid);
      if (clientPid !== runner.pid) {
        throw new SessionError('verifying_client', `pipe-${role} client pid ${clientPid} did not match runner pid ${runner.pid}; refused it`);
      }
    }
    return new RunnerConnection(pipes, runner, pipes.openStream('in'), pipes.openStream('out'));
  } catch (err) {
    await pipes.close().catch(() => {});
    if (runner) {
      runner.kill();
      await runner.exited;
    }
    throw err;
  }
}

async function launch(plan: LaunchPlan, names: { in: string; out: string }, options: ConnectOptions): Promise<RunnerProcess> {
  const { signal } = options;
  if (!plan.logon) return options.launcher.launch(plan.spec, names, plan.runnerCwd, { signal, timeoutMs: options.connectTimeoutMs });
  const logon = plan.logon;
  if (!logon.launchAs && process.platform !== 'win32') throw new SessionError('launching_runner', 'a sandbox logon (CreateProcessWithLogonW) exists only on Windows');
  const launchAs = logon.launchAs ?? (await import('../launch/win32/logon-launch')).launchRunnerAsUser;
  const once = async () => {
    const password = await logon.password();
    try {
      return await launchAs(plan.spec, names, { username: logon.username, domain: logon.domain, password, cwd: plan.runnerCwd ?? process.cwd(), signal });
    } finally {
      password.wipe(); // the logon is done (or abandoned): nothing keeps the password
    }
  };
  // Setup may wait minutes on a UAC prompt: not here, inside the launch slot with the pipes open.
  return withLogonRetry(once, logon.retryOnLogonFailure, signal, logon.recover && (async (code) => {
    throw new NeedsSandboxRecovery(code, 'launching_runner');
  }));
}

/** Waits for the runner on one pipe, bounded by the timeout, the runner's death and the abort signal. */
async function waitForRunner(pipes: RunnerPipePair, runner: RunnerProcess, role: PipeRole, stage: 'connecting_in' | 'connecting_out', options: ConnectOptions): Promise<void> {
  options.hooks.stage(stage);
  const { connectTimeoutMs, signal } = options;
  // The pipe's own wait is cancelled (its pending connect withdrawn) when this one stops first.
  const giveUp = new AbortController();
  const died = runner.exited.then((exit) => {
    throw new SessionError(stage, `${describeExit(runner.pid, exit)} before connecting to pipe-${role}${stderrNote(runner)}`);
  });
  try {
    await boundedWait(Promise.race([pipes.waitForClient(role, giveUp.signal), died]), {
      signal,
      timeoutMs: connectTimeoutMs,
      onTimeout: () => {
        const exit = runner.exit();
        const fate = exit ? describeExit(runner.pid, exit) : `runner pid ${runner.pid} was still running; killed it`;
        return new SessionError(stage, `runner did not connect to pipe-${role} within ${connectTimeoutMs} ms (${fate})${stderrNote(runner)}`);
      },
    });
  } catch (err) {
    giveUp.abort(err);
    throw err;
  }
  options.hooks.pipeConnected(role);
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

export function describeExit(pid: number, exit: RunnerExit): string {
  if (exit.lost) return `runner pid ${pid} ${exit.lost}`;
  return exit.signal ? `runner pid ${pid} was killed by ${exit.signal}` : `runner pid ${pid} exited with code ${exit.code}`;
}

export function stderrNote(runner: RunnerProcess): string {
  const tail = runner.stderrTail();
  return tail ? `; runner stderr: ${tail}` : '';
}

