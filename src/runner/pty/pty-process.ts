// A child attached to a pseudo terminal, shaped like the ChildProcess the runner already drives
// (pid, stdin, stdout, 'spawn'/'error'/'exit'/'close'), so the runner's session logic (frames,
// backpressure, timeout, terminate, exit report) is one code path for pipes and terminals.
// The terminal merges stdout and stderr: everything arrives on `stdout`; `stderr` is an empty
// stream that ends at once (the runner pumps both).
import { ChildProcess } from 'node:child_process';
import { Readable, type Writable } from 'node:stream';
import { checkTtySize } from './tty-size';

/** Upstream's initial pseudo console size. */
export const DEFAULT_TTY_SIZE = { cols: 80, rows: 24 } as const;

export interface TtySize {
  cols: number;
  rows: number;
}

export abstract class PtyProcess extends ChildProcess {
  private childExited = false;
  /** The process itself was reaped (its 'exit' is reported later, once its session is gone): its pid may be reused. */
  private reaped = false;
  private outputClosed = false;

  constructor() {
    super();
    // ChildProcess makes a libuv process handle for a spawn() that never comes here; drop it as
    // Node does after an exit, so ref/unref/kill never reach an uninitialized handle.
    (this as unknown as { _handle: unknown })._handle = null;
  }

  /**
   * Sets the terminal size; the child sees it (SIGWINCH on POSIX, the console resize on Windows).
   * A bad size or a failed call is reported on the runner's stderr, never thrown: a resize frame
   * must not bring down a running session.
   */
  resize(cols: number, rows: number): boolean {
    if (this.exitCode !== null || this.signalCode !== null) return false;
    try {
      this.applySize(checkTtySize(cols, rows));
      return true;
    } catch (err) {
      process.stderr.write(`runner: resize to ${cols}x${rows} failed: ${(err as Error).message}\n`);
      return false;
    }
  }

  protected abstract applySize(size: TtySize): void;

  /** The runner ends trees through process-tree; a direct kill() reaches the child alone. */
  override kill(signal?: NodeJS.Signals | number): boolean {
    if (this.pid === undefined || this.reaped || this.exitCode !== null || this.signalCode !== null) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  protected attach(pid: number, stdin: Writable, stdout: Readable): void {
    // ChildProcess declares these read-only for users; the subclass is the one that spawns.
    const self = this as unknown as { pid: number; stdin: Writable; stdout: Readable; stderr: Readable; stdio: unknown[] };
    self.pid = pid;
    self.stdin = stdin;
    self.stdout = stdout;
    self.stderr = new Readable({ read() { this.push(null); } });
    self.stdio = [stdin, stdout, self.stderr];
    stdout.once('close', () => {
      this.outputClosed = true;
      this.emitCloseWhenDone();
    });
  }

  /** At once when the process is reaped, before the rest of its terminal session is ended. */
  protected noteReaped(): void {
    this.reaped = true;
  }

  /** 'exit' now; 'close' once the terminal's output has ended too (as ChildProcess does). */
  protected reportExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.childExited) return;
    this.childExited = true;
    (this as unknown as { exitCode: number | null }).exitCode = code;
    (this as unknown as { signalCode: NodeJS.Signals | null }).signalCode = signal;
    this.emit('exit', code, signal);
    this.emitCloseWhenDone();
  }

  private emitCloseWhenDone(): void {
    if (this.childExited && this.outputClosed) this.emit('close', this.exitCode, this.signalCode);
  }
}
