// The session's status snapshot: plain, serializable data. This is the shape the Electron
// panel receives, so it is part of the contract between processes.

/** The stages a session passes through, in order; it ends in `exited` or `failed`. */
export const SESSION_STAGES = [
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

export interface SessionStatus {
  id: string;
  command: string[];
  tty: boolean;
  /** A tty session's terminal size: 80x24 at start (upstream), then the last `resize`. */
  ttySize?: { cols: number; rows: number };
  state: SessionStage;
  stages: StageMark[];
  pipes: { in?: PipeStatus; out?: PipeStatus };
  runnerPid?: number;
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
  failure?: SessionFailure;
}

export function isFinalStage(stage: SessionStage): stage is 'exited' | 'failed' {
  return stage === 'exited' || stage === 'failed';
}
