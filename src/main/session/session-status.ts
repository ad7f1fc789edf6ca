// The session's status snapshot: plain, serializable data. This is the shape the Electron
// panel receives, so it is part of the contract between processes.
import type { SandboxPrepStatus } from '../codex/sandbox-prep/prepare-sandbox';
import type { EndReason } from './end-reason';

export type { SandboxPrepStatus };
export type { EndReason } from './end-reason';

/** The stages a session passes through, in order; it ends in `exited` or `failed`. */
export const SESSION_STAGES = [
  /** Finding the runner file and the sandbox account, copying the runner where that account can run it. */
  'preparing',
  /**
   * codex's sandbox users were not ready (or their logon failed) and the session option
   * autoSetupSandbox is on: codex's setup helper runs (sandbox-setup/), with elevation.
   */
  'setting_up_sandbox',
  /**
   * codex's runner only: what codex's parent does before each command (sandbox-prep/): the
   * capability SIDs from `<codexHome>/cap_sid`, the environment, codex's setup helper's refresh,
   * the private desktop. Its status is `sandboxPrep`.
   */
  'preparing_sandbox',
  /**
   * Waiting for a launch slot (admission control), once prepared: slots bound runner launches and
   * connects only. Not counted against any connect timeout.
   */
  'queued',
  'creating_pipes',
  'launching_runner',
  'connecting_in',
  'connecting_out',
  'verifying_client',
  'spawn_sent',
  'running',
  'exited',
  'failed',
] as const;
export type SessionStage = (typeof SESSION_STAGES)[number];
export type SetupStage = Exclude<SessionStage, 'exited' | 'failed'>;

export interface StageMark {
  stage: SessionStage;
  /** Milliseconds since the Unix epoch. */
  at: number;
}

export interface TrafficCounter {
  bytes: number;
  frames: number;
}

export interface PipeStatus {
  name: string;
  connected: boolean;
  /** The process the OS says is on the other end, once connected. */
  clientPid?: number;
  /** Who may open it: the DACL as SDDL on Windows, mode and owner on Unix. */
  access?: string;
}

export interface SessionFailure {
  /** The stage the session was in when it failed. */
  stage: SetupStage;
  message: string;
}

/** The runner protocol version a session speaks, and how it was chosen. */
export interface ProtocolStatus {
  /** The version of the frames on the wire (the one the command runs under, once found). */
  version: number;
  /**
   * given: the caller named it; detected: found by trying versions newest first; remembered:
   * found earlier by the same SessionManager for the same runner file (path, size, mtime).
   */
  chosen: 'given' | 'detected' | 'remembered';
  /** Versions tried before `version` that the runner refused, with what it answered. */
  refused: { version: number; reply: string }[];
}

/** Whether the session's permission profile is enforced, and by whom. */
export interface PolicyStatus {
  /** 'read-only', 'workspace-write', 'full-access', or 'custom' (a PermissionProfile object). */
  profile: string;
  /** True only when codex's own runner, which applies the profile, runs the command. */
  enforced: boolean;
  /** One line for people: who enforces it, or why nobody does. */
  note: string;
}

/** Which runner file ran the session, and whether it was started ahead of time (warm). */
export interface RunnerStatus {
  /** The file launched (after materialization). */
  file: string;
  /** codex: codex's codex-command-runner; bundled: this package's runner; custom: a caller's runner. */
  kind: 'codex' | 'bundled' | 'custom';
  /** Taken from the manager's pool of runners already connected and verified. */
  warm: boolean;
}

/** One group of warm runners: those launched the same way (file, user, version, codex home). */
export interface PoolStatus {
  /** Short human label of the launch identity. */
  identity: string;
  /** Connected, verified runners waiting for a session. */
  idle: number;
  /** Runners being launched to refill the pool. */
  starting: number;
}

/**
 * A session that logs on as codex's sandbox users on Windows (`sandbox: 'codex'`, the default with
 * `runner: 'codex'`): the options its gate reads readiness with (sandbox-gate.ts), so that the panel
 * reads it the same way. Other sessions, and every session off Windows, have none.
 */
export interface CodexSandboxUse {
  codexHome: string;
  codexInstall?: string;
  setupHelper?: string;
  /** The profile restricts the network: codex's offline user, whose marker proxy settings must match. */
  networkRestricted: boolean;
}

export interface SessionStatus {
  id: string;
  command: string[];
  tty: boolean;
  /** A tty session's terminal size: 80x24 at start (upstream), then the last `resize`. */
  ttySize?: { cols: number; rows: number };
  state: SessionStage;
  stages: StageMark[];
  pipes: { in?: PipeStatus; out?: PipeStatus };
  protocol?: ProtocolStatus;
  policy: PolicyStatus;
  runner?: RunnerStatus;
  /** The codex home the session uses (the codexHome option), when it has one. */
  codexHome?: string;
  /** Windows, codex's sandbox users: what its sandbox readiness is read with (see CodexSandboxUse). */
  codexSandbox?: CodexSandboxUse;
  /**
   * codex's runner: what was prepared for it (stage `preparing_sandbox`): the capability SIDs
   * sent and where they came from, the private desktop's name, whether the refresh ran.
   */
  sandboxPrep?: SandboxPrepStatus;
  runnerPid?: number;
  /** What the runner reported as the command's pid: shown, never acted on (a runner may lie). */
  childPid?: number;
  traffic: {
    /** Payload bytes of the command's output, and the frames that carried them. */
    stdout: TrafficCounter;
    stderr: TrafficCounter;
    /** Payload bytes sent to the command's stdin. */
    stdin: TrafficCounter;
    /** Everything on the wire, framing included. */
    toRunner: TrafficCounter;
    fromRunner: TrafficCounter;
  };
  exitCode?: number;
  timedOut?: boolean;
  /** Once ended: how the command ended (see EndReason), and the signal where one ended it (POSIX). */
  endReason?: EndReason;
  signal?: string;
  failure?: SessionFailure;
}

export function isFinalStage(stage: SessionStage): stage is 'exited' | 'failed' {
  return stage === 'exited' || stage === 'failed';
}
