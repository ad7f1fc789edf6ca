// node-pty's IPty over a Session: what node-pty's users write keeps working, with the command
// run by the runner (on a terminal by default) instead of forked by this process.
import { EventEmitter } from 'node:events';
import { constants as osConstants } from 'node:os';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { isCommandSignal } from '../../protocol/messages';
import { checkCommandPid } from '../session/command-pid';
import { Session, type SessionResult } from '../session/session';
import { isFinalStage } from '../session/session-status';
import { startOnDefaultManager } from './default-manager';
import { foregroundProgram } from './foreground-process';
import { PtyEmitter, type IEvent } from './pty-event';
import { checkSpawn, RUNNER_START_COLS, RUNNER_START_ROWS } from './pty-options';

export interface IExitEvent {
  /**
   * node-pty's: the command's exit code; 0 when a signal ended it (then `signal` says which); 1
   * when it could not be started; -1 when the session failed otherwise (`result.error`).
   */
  exitCode: number;
  /** node-pty's: the number of the signal that ended the command, else 0 (Linux/macOS); undefined on Windows. */
  signal?: number;
  /** This package's: how it ended (`endReason`, the runner's own exit code, the signal's name) and, for a failed session, why. */
  result: SessionResult;
}

export interface IPty {
  /**
   * The command's own pid once it runs and the kernel confirmed it (Linux: the runner's child);
   * where that cannot be confirmed, the runner's pid. 0 until then: see `pidReady`/`onPid`.
   */
  readonly pid: number;
  readonly cols: number;
  readonly rows: number;
  /** The terminal's foreground program (Linux, as node-pty's), else the file given to spawn. */
  readonly process: string;
  /** node-pty's: whether write() of the flow-control strings pauses/resumes output. */
  handleFlowControl: boolean;
  /** Output as strings (the `encoding`, UTF-8 by default; a character split between chunks arrives whole), or Buffers with `encoding: null`. */
  readonly onData: IEvent<string>;
  /** Once, after the last onData. */
  readonly onExit: IEvent<IExitEvent>;
  resize(columns: number, rows: number): void;
  write(data: string | Buffer): void;
  /** node-pty's: a signal to the command (default SIGHUP) on Linux/macOS; on Windows it ends the command and a signal throws. */
  kill(signal?: string): void;
  /** Stops onData; once the bounded buffers fill, the command itself waits (backpressure). */
  pause(): void;
  resume(): void;
  /** node-pty's: clears the terminal's buffer on Windows, a no-op elsewhere. A no-op here everywhere. */
  clear(): void;
}

/** node-pty's IPty, plus what this facade adds. */
export class SessionPty implements IPty {
  /** The session behind this terminal: status(), exited, and everything node-pty has no word for. */
  readonly session: Session;
  /** node-pty's flow-control settings (its field names: node-pty's own tests read them); settable, as in node-pty. */
  handleFlowControl: boolean;
  private readonly _flowControlPause: string;
  private readonly _flowControlResume: string;
  /** Settles with `pid` once it is known (0 when the session ended before the command ran). Never rejects. */
  readonly pidReady: Promise<number>;
  private readonly file: string;
  private readonly encoding: BufferEncoding | null;
  private columns: number;
  private lines: number;
  private knownPid = 0;
  /** The verified command pid (Linux): what `process` is read from. */
  private commandPid?: number;
  private runnerPid?: number;
  private foreground?: string;
  private foregroundRead?: Promise<void>;
  private lastForegroundRead = 0;
  /** Output is held until the pid is settled, so that onData never comes before `pid` is known. */
  private held = true;
  private userPaused = false;
  private destroyed = false;
  private readonly data = new PtyEmitter<string | Buffer>();
  private readonly exit = new PtyEmitter<IExitEvent>();
  private readonly pidKnown = new PtyEmitter<number>();
  /** node-pty's EventEmitter-style events ('data', 'exit', 'close'). */
  private readonly legacy = new EventEmitter();
  readonly onData = this.data.event as IEvent<string>;
  readonly onExit = this.exit.event;
  /** This package's: fires once with `pid` when it becomes known. */
  readonly onPid = this.pidKnown.event;

  constructor(file?: string, args?: readonly string[] | string, options?: object) {
    const spawn = checkSpawn(file, args, options);
    this.file = spawn.file;
    this.encoding = spawn.encoding;
    this.handleFlowControl = spawn.flowControl.handle;
    this._flowControlPause = spawn.flowControl.pause;
    this._flowControlResume = spawn.flowControl.resume;
    this.columns = spawn.cols;
    this.lines = spawn.rows;
    this.session = spawn.manager ? spawn.manager.start(spawn.session) : startOnDefaultManager(spawn.session);
    let settlePid!: (pid: number) => void;
    this.pidReady = new Promise((resolve) => (settlePid = resolve));
    // The runner's terminal starts at 80x24; the size given goes right after spawn_ready, ahead of any input.
    if (spawn.session.tty && (spawn.cols !== RUNNER_START_COLS || spawn.rows !== RUNNER_START_ROWS)) this.session.resize(spawn.cols, spawn.rows);
    const decoders = this.encoding === null ? undefined : { stdout: new StringDecoder(this.encoding), stderr: new StringDecoder(this.encoding) };
    // Output flows from the start, as node-pty's does: without a listener it is dropped, not held.
    this.session.onData((chunk, stream) => {
      const out = decoders ? decoders[stream].write(chunk) : chunk;
      if (out.length > 0) this.fireData(out);
    });
    this.applyFlow();
    const onUpdate = () => {
      if (this.session.state !== 'running' && !isFinalStage(this.session.state)) return;
      this.session.off('update', onUpdate);
      void this.settlePid().then((pid) => {
        this.knownPid = pid;
        this.held = false;
        this.applyFlow();
        settlePid(pid);
        this.pidKnown.fire(pid);
        this.pidKnown.clear();
      });
    };
    this.session.on('update', onUpdate);
    const drained = (stream: NodeJS.ReadableStream) => finished(stream).catch(() => {});
    void Promise.all([this.session.exited, this.pidReady, drained(this.session.stdout), drained(this.session.stderr)]).then(([result]) => {
      for (const decoder of Object.values(decoders ?? {})) {
        const rest = decoder.end(); // an incomplete character at the very end: U+FFFD, as node-pty's decoder gives
        if (rest) this.fireData(rest);
      }
      // node-pty prints execvp's failure on the terminal and exits 1; the runner's reason goes there too.
      if (result.error?.spawnFailed) this.fireData(this.encode(`${result.error.message}\r\n`, decoders !== undefined));
      this.fireExit(toExitEvent(result));
    });
  }

  get pid(): number {
    return this.knownPid;
  }

  get cols(): number {
    return this.columns;
  }

  get rows(): number {
    return this.lines;
  }

  /**
   * node-pty's: the foreground program's argv[0] (Linux: read from /proc for the verified command's
   * terminal, no fresher than the last output or the last call), else the file given to spawn.
   */
  get process(): string {
    if (isFinalStage(this.session.state)) return this.file; // node-pty: no terminal left to ask
    this.readForeground();
    return this.foreground ?? this.file;
  }

  resize(columns: number, rows: number): void {
    // node-pty's words for the same mistakes; the session checks the upper bound.
    if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns <= 0 || rows <= 0) throw new Error('resizing must be done using positive cols and rows');
    if (isFinalStage(this.session.state)) throw new Error(process.platform === 'win32' ? 'Cannot resize a pty that has already exited' : 'ioctl(2) failed, EBADF (the terminal has exited)');
    this.session.resize(columns, rows);
    this.columns = columns;
    this.lines = rows;
  }

  write(data: string | Buffer): void {
    // node-pty: after the end, writes go nowhere (Session.write throws once its stdin is gone).
    if (this.destroyed || isFinalStage(this.session.state) || this.session.stdin.destroyed) return;
    if (this.handleFlowControl) {
      // The pause/resume strings are the client's flow control, not input for the program.
      if (data === this._flowControlPause) return this.pause();
      if (data === this._flowControlResume) return this.resume();
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, this.encoding ?? 'utf8') : Buffer.from(data);
    if (bytes.length > 0) this.session.write(bytes);
  }

  kill(given?: string): void {
    const signal = given || undefined; // node-pty: `signal || 'SIGHUP'`, and on Windows `if (signal)`
    if (process.platform === 'win32' && signal) throw new Error('Signals not supported on windows.');
    if (signal !== undefined && !isCommandSignal(signal)) throw new TypeError(`kill(${JSON.stringify(signal)}): unknown signal`);
    if (isFinalStage(this.session.state)) return; // node-pty: a kill after the end is swallowed
    if (this.session.takesSignals) return this.session.signal(signal ?? 'SIGHUP');
    // codex's runner (and a custom one) has no signals: the command's tree is ended, as node-pty's Windows kill() ends the process.
    if (signal) throw new Error(`Signals not supported by this runner (codex's runner, or a custom one): kill() with no signal ends the command`);
    this.session.terminate();
  }

  /** node-pty's: stop delivering output, then SIGHUP (Windows: end the command). onExit still comes. */
  destroy(): void {
    if (this.destroyed) return;
    this.kill();
    this.destroyed = true;
  }

  clear(): void {
    // node-pty's Unix clear() is a no-op; its Windows one clears ConPTY's buffer, which the protocol cannot reach.
  }

  pause(): void {
    this.userPaused = true;
    this.applyFlow();
  }

  resume(): void {
    this.userPaused = false;
    this.applyFlow();
  }

  // node-pty's EventEmitter-style events, which it still forwards: 'data' (data), 'exit' (exitCode, signal), 'close'.
  on(event: string, listener: (...args: any[]) => void): void {
    this.legacy.on(event, listener);
  }

  addListener(event: string, listener: (...args: any[]) => void): void {
    this.legacy.on(event, listener);
  }

  once(event: string, listener: (...args: any[]) => void): void {
    this.legacy.once(event, listener);
  }

  removeListener(event: string, listener: (...args: any[]) => void): void {
    this.legacy.removeListener(event, listener);
  }

  off(event: string, listener: (...args: any[]) => void): void {
    this.legacy.removeListener(event, listener);
  }

  removeAllListeners(event?: string): void {
    this.legacy.removeAllListeners(event);
  }

  listeners(event: string): Function[] {
    return this.legacy.listeners(event);
  }

  emit(event: string, ...args: unknown[]): boolean {
    const listeners = this.legacy.rawListeners(event);
    for (const listener of listeners) {
      try {
        (listener as (...a: unknown[]) => void).apply(this, args);
      } catch (err) {
        warnListenerThrew(err);
      }
    }
    return listeners.length > 0;
  }

  // ---- inside ------------------------------------------------------------------------------

  /**
   * The command's pid where the kernel confirms the runner's claim (Linux: a child of the runner
   * verified on the pipes, started after it); else the runner's own pid; 0 when nothing ran.
   */
  private async settlePid(): Promise<number> {
    const status = this.session.status();
    const runnerPid = status.runnerPid;
    if (status.state !== 'running' || runnerPid === undefined) return 0;
    this.runnerPid = runnerPid;
    const claimed = status.childPid;
    if (process.platform !== 'linux' || claimed === undefined) return runnerPid;
    const check = await checkCommandPid(runnerPid, claimed);
    if (check === 'child') {
      this.commandPid = claimed;
      return claimed;
    }
    // A runner that lies, or a command already gone (its pid free for reuse): never exposed.
    if (check === 'not-child') process.emitWarning(`runner pid ${runnerPid} reported pid ${claimed} for its command, which is not its child: pid is the runner's`, 'CodexRunnerIpcWarning');
    return runnerPid;
  }

  private applyFlow(): void {
    const flowing = !this.held && !this.userPaused;
    for (const stream of [this.session.stdout, this.session.stderr]) {
      if (flowing) stream.resume();
      else stream.pause();
    }
  }

  private fireData(data: string | Buffer): void {
    if (this.destroyed) return;
    this.readForeground(true);
    this.data.fire(data);
    this.emit('data', data);
  }

  private fireExit(event: IExitEvent): void {
    this.emit('close');
    this.exit.fire(event);
    this.emit('exit', event.exitCode, event.signal);
    this.data.clear();
    this.exit.clear();
    this.legacy.removeAllListeners();
  }

  /** Re-reads the foreground program in the background (one read at a time; after output, at most every 50 ms). */
  private readForeground(afterOutput = false): void {
    if (this.commandPid === undefined || this.runnerPid === undefined || this.foregroundRead) return;
    if (afterOutput && Date.now() - this.lastForegroundRead < 50) return;
    if (isFinalStage(this.session.state)) return;
    this.lastForegroundRead = Date.now();
    this.foregroundRead = foregroundProgram(this.commandPid, this.runnerPid).then((name) => {
      this.foreground = name;
      this.foregroundRead = undefined;
    });
  }

  private encode(text: string, asString: boolean): string | Buffer {
    return asString ? text : Buffer.from(text, 'utf8');
  }
}

/** node-pty's exit shape for a session's result. */
export function toExitEvent(result: SessionResult): IExitEvent {
  const signal = result.signal !== undefined ? osConstants.signals[result.signal as NodeJS.Signals] : undefined;
  // node-pty (waitpid): the exit code only when the command exited; a signal's end is code 0.
  const exitCode = signal !== undefined ? 0 : result.error?.spawnFailed ? 1 : result.exitCode;
  const signalField = process.platform === 'win32' ? (signal !== undefined ? { signal } : {}) : { signal: signal ?? 0 };
  return { exitCode, ...signalField, result };
}

function warnListenerThrew(err: unknown): void {
  process.emitWarning(`a node-pty facade listener threw: ${err instanceof Error ? err.message : String(err)}`, 'CodexRunnerIpcWarning');
}
