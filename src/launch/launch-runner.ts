// Starts the runner as the current user. (Launching as the sandbox user goes through
// CreateProcessWithLogonW: platform/win32/logon-launch.ts.)
import { spawn } from 'node:child_process';
import { runnerArgs, type RunnerSpec } from './runner-spec';

export interface RunnerExit {
  code: number | null;
  signal: string | null;
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
  /** Ends the runner at once. */
  kill(): void;
}

const STDERR_TAIL_BYTES = 4096;

/** Keeps the last `limit` bytes of a stream: bounded whatever the runner prints. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit = STDERR_TAIL_BYTES) {}
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
}

export function launchRunner(spec: RunnerSpec, names: { in: string; out: string }, cwd?: string): Promise<RunnerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.exe, runnerArgs(spec, names), {
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
      cwd,
      env: spec.env ? { ...process.env, ...spec.env } : process.env,
    });
    const tail = new TailBuffer();
    child.stderr!.on('data', (chunk: Buffer) => tail.push(chunk));
    let exitInfo: RunnerExit | undefined;
    const exited = new Promise<RunnerExit>((settle) => {
      child.once('exit', (code, signal) => {
        exitInfo = { code, signal };
        // stderr may still hold the runner's last words; give it until it closes.
        if (child.stderr!.closed) settle(exitInfo);
        else child.stderr!.once('close', () => settle(exitInfo!));
      });
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable' : err.message;
        reject(new RunnerLaunchError(`runner ${spec.exe} could not be started: ${why}`));
      }
    });
    child.once('spawn', () =>
      resolve({
        pid: child.pid!,
        exited,
        exit: () => exitInfo,
        stderrTail: () => tail.toString(),
        kill: () => {
          if (!exitInfo) child.kill('SIGKILL');
        },
      }),
    );
  });
}
