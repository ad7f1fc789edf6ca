// A started runner as the session sees it, however it was launched (the launcher, a direct
// spawn, CreateProcessWithLogonW on Windows).
import { RUNNER_STDERR_TAIL_BYTES } from '../../protocol/launcher-messages';

export interface RunnerExit {
  code: number | null;
  signal: string | null;
  /** Set when the exit could not be observed (the launcher that held the runner died): why. */
  lost?: string;
}

/** A started runner, whichever way it was launched. */
export interface RunnerProcess {
  readonly pid: number;
  /** Settles when the runner has exited; never rejects. */
  readonly exited: Promise<RunnerExit>;
  /** Set once the runner has exited. */
  exit(): RunnerExit | undefined;
  /** The last few KiB the runner wrote to stderr: why it failed, when it did. */
  stderrTail(): string;
  /** Ends the runner at once, and its whole process tree (through the launcher; a stopped runner too). */
  kill(): void;
  /** Whether this runner keeps the event loop alive (default yes). An idle warm runner must not. */
  holdProcess?(held: boolean): void;
}

/** Keeps the last `limit` bytes of a stream: bounded whatever the runner prints. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit = RUNNER_STDERR_TAIL_BYTES) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8').trim();
  }
}

export class RunnerLaunchError extends Error {
  override readonly name = 'RunnerLaunchError';
  constructor(
    message: string,
    /** The spawn's error code (ENOENT...), when the spawn itself failed. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Why a spawn failed, in the words both launch paths use. */
export function launchFailureReason(code: string | undefined, message: string): string {
  return code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : message;
}
