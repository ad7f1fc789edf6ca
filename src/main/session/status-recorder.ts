// What `status()` shows, and the one place that writes it: stages, pipes, pids, traffic, the end.
// Every write says so through `changed` (the session's 'update' event); consumers coalesce.
import type { ResolvedPermissions } from '../../protocol/permissions';
import type { RunnerConnection, ConnectionHooks } from './runner-connection';
import { codexSandboxField } from './codex-sandbox-use';
import type { CommandEnd } from './end-reason';
import type { SessionConfig } from './session-options';
import type { SessionError } from './session-error';
import type { PolicyStatus, ProtocolStatus, RunnerStatus, SandboxPrepStatus, SessionStage, SessionStatus, SetupStage } from './session-status';

export class StatusRecorder {
  private readonly snapshot: SessionStatus;

  constructor(
    id: string,
    options: SessionConfig,
    permissions: ResolvedPermissions,
    /** The end began: setup abandoned by it may still report a stage on its way out, and is not heard. */
    private readonly ending: () => boolean,
    /** Emits the session's 'update'. */
    readonly changed: () => void,
  ) {
    this.snapshot = {
      id,
      command: [...options.command],
      tty: options.tty === true,
      ...(options.tty === true ? { ttySize: { cols: 80, rows: 24 } } : {}), // upstream's initial pseudo console size
      state: 'preparing',
      stages: [],
      pipes: {},
      policy: { profile: permissions.name, enforced: false, note: 'not known yet' },
      ...(options.codexHome ? { codexHome: options.codexHome } : {}),
      ...codexSandboxField(options, permissions),
      traffic: {
        stdout: { bytes: 0, frames: 0 },
        stderr: { bytes: 0, frames: 0 },
        stdin: { bytes: 0, frames: 0 },
        toRunner: { bytes: 0, frames: 0 },
        fromRunner: { bytes: 0, frames: 0 },
      },
    };
  }

  /** A copy: the caller may keep or change it. */
  status(): SessionStatus {
    return structuredClone(this.snapshot);
  }

  get state(): SessionStage {
    return this.snapshot.state;
  }

  get tty(): boolean {
    return this.snapshot.tty;
  }

  get ttySize(): { cols: number; rows: number } | undefined {
    return this.snapshot.ttySize;
  }

  /** The stage a failure now is reported at (an ended session's late failures count as `running`). */
  setupStage(): SetupStage {
    const s = this.snapshot.state;
    return s === 'exited' || s === 'failed' ? 'running' : s;
  }

  mark(stage: SessionStage): void {
    if (this.ending() && stage !== 'exited' && stage !== 'failed') return;
    this.snapshot.state = stage;
    this.snapshot.stages.push({ stage, at: Date.now() });
    this.changed();
  }

  resized(cols: number, rows: number): void {
    this.snapshot.ttySize = { cols, rows };
    this.changed();
  }

  /** The launch plan is resolved (and for codex's runner, the sandbox prepared). */
  prepared(launch: { runner: RunnerStatus; policy: PolicyStatus; sandboxPrep?: SandboxPrepStatus }): void {
    if (launch.sandboxPrep) this.snapshot.sandboxPrep = launch.sandboxPrep;
    this.snapshot.runner = launch.runner;
    this.snapshot.policy = launch.policy;
    this.changed();
  }

  protocol(protocol: ProtocolStatus): void {
    this.snapshot.protocol = protocol;
  }

  /** spawn_ready: the command's pid as the runner reported it, and the stage `running`. */
  commandStarted(childPid: number): void {
    this.snapshot.childPid = childPid;
    this.mark('running');
  }

  /** The reader's totals so far. */
  fromRunner(frames: number, bytes: number): void {
    this.snapshot.traffic.fromRunner = { frames, bytes };
  }

  /** One output frame of `bytes`. */
  output(stream: 'stdout' | 'stderr', bytes: number): void {
    const counter = this.snapshot.traffic[stream];
    counter.bytes += bytes;
    counter.frames++;
  }

  /** One stdin data frame of `frameBytes` on the wire. */
  stdinFrame(frameBytes: number): void {
    this.countToRunner(frameBytes);
    this.snapshot.traffic.stdin.frames++;
  }

  /** A stdin chunk of `bytes` went out (in one frame or more). */
  stdinWritten(bytes: number): void {
    this.snapshot.traffic.stdin.bytes += bytes;
    this.changed();
  }

  /** One frame written to the runner. */
  countToRunner(bytes: number): void {
    this.snapshot.traffic.toRunner.bytes += bytes;
    this.snapshot.traffic.toRunner.frames++;
  }

  /** What a new runner's connection reports as it is made. */
  connectionHooks(): ConnectionHooks {
    const s = this.snapshot;
    return {
      stage: (stage) => this.mark(stage),
      pipesCreated: (pipes) => {
        s.pipes = {
          in: { name: pipes.names.in, connected: false, access: pipes.describeAccess('in') },
          out: { name: pipes.names.out, connected: false, access: pipes.describeAccess('out') },
        };
      },
      runnerLaunched: (runner) => {
        s.runnerPid = runner.pid;
        this.changed();
      },
      pipeConnected: (role) => {
        s.pipes[role]!.connected = true;
        this.changed();
      },
      clientVerified: (role, pid) => {
        s.pipes[role]!.clientPid = pid;
      },
    };
  }

  /** Whether this try got a warm runner; a warm one's pipes and pid are known already. */
  runnerChosen(warm: RunnerConnection | undefined): void {
    this.snapshot.runner = { ...this.snapshot.runner!, warm: warm !== undefined };
    if (warm) {
      this.snapshot.pipes = warm.pipeStatus();
      this.snapshot.runnerPid = warm.runner.pid;
    }
  }

  /** The final state, written once before the result is published (the caller marks the stage). */
  ended(error: SessionError | undefined, exitCode: number, timedOut: boolean, end: CommandEnd): void {
    if (error) this.snapshot.failure = { stage: error.stage, message: error.message };
    else this.snapshot.exitCode = exitCode;
    Object.assign(this.snapshot, end);
    if (timedOut || !error) this.snapshot.timedOut = timedOut;
  }
}
