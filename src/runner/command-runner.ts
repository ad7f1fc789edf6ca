// The runner's side of the protocol: runs one command for the parent at the other end of the
// pipes. It enforces no sandbox policy: the account it runs as is the boundary. On Windows it
// refuses requests that ask for a sandbox unless the launcher opted in (--allow-unenforced-policy).
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as net from 'node:net';
import type { Readable } from 'node:stream';
import { FrameReader } from '../protocol/frame-reader';
import { encodeDataFrame, encodeFrame, splitForFrames } from '../protocol/framing';
import { payloadBytes, ProtocolError, toParentMessage, type ErrorPayload, type OutputStream, type ParentMessage, type RunnerMessage, type SpawnRequest } from '../protocol/messages';
import { errorPayload, NEWEST_PROTOCOL_VERSION, type ErrorStage, type ProtocolVersion } from '../protocol/versions';
import { signalTree } from './kill-tree';
import { holdCommandTree, killCommandTree, noteSpawned } from './command-tree';
import { preloadPty, PtyProcess, spawnPty } from './pty/spawn-pty';
import type { RunnerArgs } from './runner-args';
import { readSpawnRequest, requestsSandbox } from './spawn-request';
import { spawnJobChild } from './win32/job-child';

/** Upstream: a timed-out child reports 128 + 64. */
export const TIMEOUT_EXIT_CODE = 192;
/** Upstream's TerminateProcess(h, 1). */
export const TERMINATED_EXIT_CODE = 1;
const TERMINATE_GRACE_MS = 1000;
const MAX_TIMER_MS = 0x7fff_ffff;
/**
 * A runner still without a request this long after connecting is waiting idle (a warm runner):
 * it loads its terminal support meanwhile. A runner whose parent sends the request at once does
 * not pay for it before the request (a pipes session never needs it).
 */
const IDLE_PRELOAD_MS = 50;
/** How long to wait for a dead child's stdio to drain when a grandchild keeps it open. */
const STDIO_DRAIN_MS = 2000;
/**
 * Stdin bytes queued toward a child that is not reading before the runner stops reading the pipe.
 * The pipe is ordered: while the runner does not read it, a `terminate` behind the queued stdin
 * cannot arrive either. Reading on up to this bound lets it through in every case but a producer
 * that pushed more than this much into a child that never reads (the parent then ends the runner
 * after its grace period).
 */
const STDIN_QUEUE_LIMIT = 8 * 1024 * 1024;

function connect(name: string, role: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: name, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => reject(new Error(`runner: cannot open pipe-${role} ${name}: ${err.message}`)));
  });
}

export async function runCommandRunner(args: RunnerArgs): Promise<number> {
  holdCommandTree();
  const input = await connect(args.pipeIn, 'in');
  let output: net.Socket;
  try {
    output = await connect(args.pipeOut, 'out');
  } catch (err) {
    input.destroy();
    throw err;
  }
  output.on('error', () => {}); // a parent that went away is seen on the input side
  return new Promise<number>((resolve) => new RunnerSession(input, output, args, resolve).start());
}

class RunnerSession {
  private reader!: FrameReader<unknown>;
  private child?: ChildProcess;
  private request?: SpawnRequest;
  /** The version of the request; every frame after it carries it. Until then, the one we would answer in. */
  private version: ProtocolVersion;
  private timedOut = false;
  private terminated = false;
  private killTimer?: NodeJS.Timeout;
  private timeoutTimer?: NodeJS.Timeout;
  private finished = false;
  private preloadTimer?: NodeJS.Timeout;

  constructor(
    private readonly input: net.Socket,
    private readonly output: net.Socket,
    private readonly args: RunnerArgs,
    private readonly done: (code: number) => void,
  ) {
    this.version = args.protocol ?? NEWEST_PROTOCOL_VERSION;
  }

  start(): void {
    // Frames are validated here, not in the reader: the first one by the version it names.
    this.reader = new FrameReader<unknown>(this.input, (value) => value, {
      message: (value) => this.onFrame(value),
      error: (err) => this.onParentGone(`runner: bad input from parent: ${err.message}`),
      end: () => this.onParentGone(),
    });
    this.preloadTimer = setTimeout(preloadPty, IDLE_PRELOAD_MS);
    this.preloadTimer.unref();
  }

  private send(message: RunnerMessage): void {
    if (!this.output.destroyed) this.output.write(encodeFrame(message, this.version));
  }

  private onFrame(value: unknown): void {
    if (!this.request) return this.onSpawnRequest(value);
    let message: ParentMessage;
    try {
      message = toParentMessage(value, this.version);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return this.onParentGone(`runner: bad input from parent: ${err.message}`);
    }
    this.onMessage(message);
  }

  private onSpawnRequest(value: unknown): void {
    clearTimeout(this.preloadTimer);
    const read = readSpawnRequest(value, this.args.protocol);
    if ('message' in read) {
      // Answered in this runner's own version, as codex's runners of every release do: versions
      // 1-3 with spawn_failed and the message ("missing field ...", "unsupported protocol version
      // N"), 4+ at stage read_spawn_request. A parent may only move to another version on such a frame.
      this.version = read.replyVersion;
      return this.fail('read_spawn_request', read.message);
    }
    this.version = read.version;
    this.request = read.request;
    if (process.platform === 'win32' && !this.args.allowUnenforcedPolicy && requestsSandbox(read.request)) {
      return this.fail(
        'spawn_child',
        "runner: this runner cannot enforce the requested permission profile (it runs commands as its own account, with no restricted token); use codex's codex-command-runner, or opt in with allowUnenforcedPolicy",
      );
    }
    this.spawnChild(read.request);
  }

  private onMessage(message: ParentMessage): void {
    const child = this.child;
    switch (message.type) {
      case 'spawn_request':
        return this.fail('read_spawn_request', 'runner: spawn_request received twice');
      case 'stdin': {
        const stdin = child?.stdin;
        if (!stdin || stdin.writableEnded) return;
        if (!stdin.write(payloadBytes(message.payload)) && stdin.writableLength > STDIN_QUEUE_LIMIT) {
          this.reader.pause();
          stdin.once('drain', () => this.reader.resume());
        }
        return;
      }
      case 'close_stdin':
        child?.stdin?.end();
        return;
      case 'resize':
        if (child instanceof PtyProcess) child.resize(message.payload.cols, message.payload.rows);
        return; // only tty sessions have a size
      case 'terminate':
        return this.terminate();
      case 'signal':
        return this.signalChild(message.payload.signal);
    }
  }

  /**
   * Our addition: the signal goes to the command's own pid, as node-pty's kill() sends it (a
   * shell's SIGHUP passes it on to its jobs). Its exit, if it ends, is reported as any exit is.
   */
  private signalChild(name: string): void {
    const child = this.child;
    if (!child || this.finished || child.exitCode !== null || child.signalCode !== null) return;
    // Windows has no signals (ends go through terminate); a name this platform lacks (SIGINFO on Linux) is not sent.
    if (process.platform === 'win32' || osConstants.signals[name as NodeJS.Signals] === undefined) {
      process.stderr.write(`runner: signal ${name} does not exist on ${process.platform}; not sent\n`);
      return;
    }
    // ChildProcess.kill signals only a child not yet reaped, so never a reused pid.
    if (!child.kill(name as NodeJS.Signals)) process.stderr.write(`runner: signal ${name} to ${child.pid} was not delivered (it is exiting)\n`);
  }

  private spawnChild(req: SpawnRequest): void {
    const [file, ...args] = req.command;
    const cwdProblem = checkCwd(req.cwd);
    if (cwdProblem) return this.fail('spawn_child', `failed to spawn ${file}: ${cwdProblem}`);
    let child: ChildProcess;
    try {
      // A terminal session: the same ChildProcess shape, attached to a PTY (ConPTY on Windows).
      // Windows: in a kill-on-close job of the runner's own, the program found on the request's PATH.
      child = req.tty ? spawnPty(file!, args, req) : process.platform === 'win32' ? spawnJobChild(file!, args, { cwd: req.cwd, env: req.env, stdinOpen: req.stdin_open }) : spawn(file!, args, {
        cwd: req.cwd,
        env: req.env,
        stdio: [req.stdin_open ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true, // own process group, so terminate reaches the tree
        windowsHide: true,
      });
    } catch (err) {
      return this.fail('spawn_child', `failed to spawn ${file}: ${(err as Error).message}`, windowsErrorCode(err));
    }
    child.once('error', (err) => {
      if (child.pid === undefined) this.fail('spawn_child', `failed to spawn ${file}: ${err.message}`, windowsErrorCode(err));
    });
    child.once('spawn', () => {
      this.child = child;
      noteSpawned(child.pid!);
      child.stdin?.on('error', () => {}); // EPIPE when the child stops reading is not the runner's failure
      this.send({ type: 'spawn_ready', payload: { process_id: child.pid! } });
      // A terminal whose input is not open reads end-of-file, as a closed stdin would give.
      if (req.tty && !req.stdin_open) child.stdin?.end();
      this.pump(child.stdout!, 'stdout');
      this.pump(child.stderr!, 'stderr');
      // Node timers overflow past 2^31-1 ms and fire at once; a longer timeout (~25 days) is none in practice.
      // 0 is a timeout of 0 ms, as codex's runner takes it (exit 192 at once), never "no timeout".
      if (req.timeout_ms !== null && req.timeout_ms <= MAX_TIMER_MS) {
        this.timeoutTimer = setTimeout(() => {
          this.timedOut = true;
          this.killTree();
        }, req.timeout_ms);
      }
      child.once('exit', (code, signal) => this.onChildExit(child, code, signal));
    });
  }

  /** Child output -> `output` frames; when the pipe to the parent is full, the child waits. */
  private pump(stream: Readable, name: OutputStream): void {
    stream.on('data', (chunk: Buffer) => {
      let flowing = true;
      for (const piece of splitForFrames(chunk)) flowing = this.output.write(encodeDataFrame('output', piece, this.version, name));
      if (!flowing) {
        this.child?.stdout?.pause();
        this.child?.stderr?.pause();
        this.output.once('drain', () => {
          this.child?.stdout?.resume();
          this.child?.stderr?.resume();
        });
      }
    });
    stream.on('error', () => {});
  }

  private terminate(): void {
    if (!this.child || this.terminated) return;
    this.terminated = true;
    this.killTree();
  }

  private killTree(): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.finished) return;
    if (process.platform === 'win32') return void this.child!.kill(); // the child's job ends its whole tree
    signalTree(pid, 'SIGTERM');
    // After the grace, not just the child's group: every descendant, wherever it moved.
    this.killTimer ??= setTimeout(() => void killCommandTree(pid), TERMINATE_GRACE_MS);
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.timeoutTimer);
    let exitCode: number;
    if (this.timedOut) exitCode = TIMEOUT_EXIT_CODE;
    else if (this.terminated) exitCode = TERMINATED_EXIT_CODE;
    else if (code !== null) exitCode = code;
    else exitCode = 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 0);
    // Nothing the child started outlives it (or holds our pipes): its whole tree goes first.
    const treeGone = process.platform === 'win32' ? Promise.resolve() : killCommandTree(child.pid!);
    const report = () => {
      clearTimeout(drainTimer);
      clearTimeout(this.killTimer);
      // Our addition, only when a signal ended the command (POSIX): the frame is otherwise codex's
      // exactly, and codex's parent ignores fields it does not know.
      const bySignal = signal !== null && process.platform !== 'win32' ? { signal } : {};
      this.send({ type: 'exit', payload: { exit_code: exitCode, timed_out: this.timedOut, ...bySignal } });
      this.finish(exitCode);
    };
    let drainTimer: NodeJS.Timeout | undefined;
    void treeGone.then(() => {
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        report();
      }, STDIO_DRAIN_MS);
      if (child.stdout?.closed !== false && child.stderr?.closed !== false) report();
      else child.once('close', report);
    });
  }

  private fail(stage: ErrorStage, message: string, windowsError: number | null = null): void {
    this.send({ type: 'error', payload: errorPayload(this.version, message, stage, windowsError) as ErrorPayload });
    process.stderr.write(`${message}\n`);
    if (this.child?.pid !== undefined && process.platform !== 'win32') void killCommandTree(this.child.pid);
    else if (this.child) this.killTree();
    this.finish(1);
  }

  /** The parent closed the pipe or sent garbage: nobody is left to stream to, so stop the child. */
  private onParentGone(reason?: string): void {
    if (reason) process.stderr.write(`${reason}\n`);
    if (this.finished) return;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.terminated = true;
      this.killTree();
      return; // onChildExit finishes
    }
    if (!this.child) this.finish(reason ? 1 : 0);
  }

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.reader.detach();
    this.output.end(() => {
      this.input.destroy();
      this.output.destroy();
      this.done(code);
    });
    // An output pipe nobody reads must not keep the runner alive forever.
    setTimeout(() => {
      this.input.destroy();
      this.output.destroy();
      this.done(code);
    }, 5000).unref();
  }
}


/** Why `cwd` cannot be a working directory, or null when it can (spawn would only say ENOENT). */
function checkCwd(cwd: string): string | null {
  try {
    if (!statSync(cwd).isDirectory()) return `working directory ${cwd} is not a directory`;
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `working directory ${cwd} does not exist`;
    if (code === 'EACCES' || code === 'EPERM') return `working directory ${cwd} is not accessible to this runner's account`;
    return `working directory ${cwd}: ${(err as Error).message}`;
  }
}

/** The Win32 error code behind a failed spawn: our own Win32 calls throw Win32Error with a numeric code. */
function windowsErrorCode(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code > 0 ? code : null;
}
