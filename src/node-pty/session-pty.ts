// node-pty's IPty over a Session: what node-pty's users write keeps working, with the command
// run by the runner (on a terminal by default) instead of forked by this process.
import { constants as osConstants } from 'node:os';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { Session, type SessionResult } from '../session/session';
import { PtyEmitter, type IEvent } from './pty-event';
import { checkSpawn, RUNNER_START_COLS, RUNNER_START_ROWS } from './pty-options';

export interface IExitEvent {
  /** As the runner reported it; -1 when the session failed before the command's exit was known. */
  exitCode: number;
  /** The number of the signal that ended the command (POSIX, this package's runner), as node-pty gives it. */
  signal?: number;
  /** This package's: how it ended (`endReason`, the signal's name) and, for a failed session, why. */
  result: SessionResult;
}

export interface IPty {
  /** The runner's pid (the process this side launched and verified; 0 until it is launched). Not the command's. */
  readonly pid: number;
  readonly cols: number;
  readonly rows: number;
  /** The file given to spawn (node-pty's fallback; the foreground process is not known here). */
  readonly process: string;
  /** Output as UTF-8 strings; a character split between chunks arrives whole. */
  readonly onData: IEvent<string>;
  /** Once, after the last onData. */
  readonly onExit: IEvent<IExitEvent>;
  resize(columns: number, rows: number): void;
  write(data: string | Buffer): void;
  /** Ends the command's whole tree: SIGHUP (default) and SIGTERM through the runner's terminate, SIGKILL at once. */
  kill(signal?: string): void;
  /** Stops onData; once the bounded buffers fill, the command itself waits (backpressure). */
  pause(): void;
  resume(): void;
}

/** What kill() accepts: the signals whose meaning is "end it", which is all the runner can do. */
const ENDING_SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGKILL'];

export class SessionPty implements IPty {
  /** The session behind this terminal: status(), exited, and everything node-pty has no word for. */
  readonly session: Session;
  readonly process: string;
  private columns: number;
  private lines: number;
  private runnerPid = 0;
  private readonly data = new PtyEmitter<string>();
  private readonly exit = new PtyEmitter<IExitEvent>();
  readonly onData = this.data.event;
  readonly onExit = this.exit.event;

  constructor(file: string, args: readonly string[] = [], options: object = {}) {
    const spawn = checkSpawn(file, args, options);
    this.process = file;
    this.columns = spawn.cols;
    this.lines = spawn.rows;
    this.session = spawn.manager ? spawn.manager.start(spawn.session) : new Session(spawn.session);
    // The runner's terminal starts at 80x24; the size given goes right after spawn_ready, ahead of any input.
    if (spawn.session.tty && (spawn.cols !== RUNNER_START_COLS || spawn.rows !== RUNNER_START_ROWS)) this.session.resize(spawn.cols, spawn.rows);
    // Output flows from the start, as node-pty's does: without a listener it is dropped, not held.
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    this.session.onData((chunk, stream) => {
      const text = decoders[stream].write(chunk);
      if (text) this.data.fire(text);
    });
    const drained = (stream: NodeJS.ReadableStream) => finished(stream).catch(() => {});
    void Promise.all([this.session.exited, drained(this.session.stdout), drained(this.session.stderr)]).then(([result]) => {
      for (const decoder of Object.values(decoders)) {
        const rest = decoder.end(); // an incomplete character at the very end: U+FFFD, as node-pty's decoder gives
        if (rest) this.data.fire(rest);
      }
      const signal = result.signal !== undefined ? osConstants.signals[result.signal as NodeJS.Signals] : undefined;
      this.exit.fire({ exitCode: result.exitCode, ...(signal !== undefined ? { signal } : {}), result });
      this.data.clear();
      this.exit.clear();
    });
    if (!spawn.manager) void this.session.start();
  }

  get pid(): number {
    // Never the pid the runner reports for the command: that is a claim; the runner's is known here.
    if (this.runnerPid === 0) this.runnerPid = this.session.status().runnerPid ?? 0;
    return this.runnerPid;
  }

  get cols(): number {
    return this.columns;
  }

  get rows(): number {
    return this.lines;
  }

  resize(columns: number, rows: number): void {
    // node-pty's words for the same mistake; the session checks the upper bound.
    if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns <= 0 || rows <= 0) throw new Error('resizing must be done using positive cols and rows');
    this.session.resize(columns, rows);
    this.columns = columns;
    this.lines = rows;
  }

  write(data: string | Buffer): void {
    // A keystroke after the command ended is dropped, as node-pty's write to a gone terminal is
    // (Session.write throws then).
    if (this.session.stdin.destroyed) return;
    this.session.write(data);
  }

  kill(signal?: string): void {
    if (signal !== undefined && !ENDING_SIGNALS.includes(signal)) {
      const hint = signal === 'SIGINT' ? " (an interrupt on a terminal is write('\\x03'))" : '';
      throw new TypeError(`kill(${JSON.stringify(signal)}): the runner can only end the command's tree; use SIGHUP, SIGTERM or SIGKILL${hint}`);
    }
    // SIGKILL does not wait for the runner's exit report: the runner and its tree are ended now.
    if (signal === 'SIGKILL') void this.session.dispose();
    else this.session.terminate();
  }

  pause(): void {
    this.session.stdout.pause();
    this.session.stderr.pause();
  }

  resume(): void {
    this.session.stdout.resume();
    this.session.stderr.resume();
  }
}
