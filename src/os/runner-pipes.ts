// The platform seam: a pair of server-side pipes the runner connects to. Everything above this
// interface (sessions, manager, CLI, Electron) is one code path on every OS.
import type { Duplex } from 'node:stream';

/** `in`: the parent writes and the runner reads. `out`: the runner writes and the parent reads. */
export type PipeRole = 'in' | 'out';

export interface RunnerPipePair {
  /** The names the runner is given: `--pipe-in=<in>` `--pipe-out=<out>`. */
  readonly names: Readonly<Record<PipeRole, string>>;
  /**
   * Resolves once the runner has opened the pipe. Never blocks the event loop. Rejects with
   * `signal.reason` when the signal aborts (timeout, dispose), after the pending wait is cancelled.
   */
  waitForClient(role: PipeRole, signal: AbortSignal): Promise<void>;
  /** The OS's word on which process is connected to the pipe (after `waitForClient`). */
  clientProcessId(role: PipeRole): number;
  /** Hands the connected pipe to Node's own I/O; the stream then owns the OS handle. Once per role. */
  openStream(role: PipeRole): Duplex;
  /** Who may open the pipe, as the OS records it (SDDL on Windows, mode and owner on Unix). */
  describeAccess(role: PipeRole): string | undefined;
  /** Closes every handle and removes every file the pair created. Idempotent; safe at any stage. */
  close(): Promise<void>;
}

export interface RunnerPipeOptions {
  /**
   * The account the runner runs as: the only one the pipes admit (Windows). Defaults to the
   * current user. On Unix the pipes admit only the current user, whatever this says.
   */
  sandboxUsername?: string;
}

/** Creates the pipe pair for this platform. */
export async function createRunnerPipePair(options: RunnerPipeOptions = {}): Promise<RunnerPipePair> {
  if (process.platform === 'win32') {
    const { createNamedPipePair } = await import('./win32/named-pipe-pair');
    return createNamedPipePair(options);
  }
  const { createUnixSocketPair } = await import('./posix/unix-socket-pair');
  return createUnixSocketPair();
}
