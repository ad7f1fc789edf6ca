// The runner's side of the protocol: runs one command for the parent at the other end of the
// pipes. It enforces no sandbox policy: the account it runs as is the boundary.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import * as net from 'node:net';
import type { Readable } from 'node:stream';
import { FrameReader } from '../protocol/frame-reader';
import { encodeDataFrame, encodeFrame, splitForFrames } from '../protocol/framing';
import { payloadBytes, toParentMessage, type OutputStream, type ParentMessage, type RunnerMessage, type SpawnRequest } from '../protocol/messages';
import { signalTree } from './kill-tree';
import { PtyProcess, spawnPty } from './pty/spawn-pty';

/** Upstream: a timed-out child reports 128 + 64. */
export const TIMEOUT_EXIT_CODE = 192;
/** Upstream's TerminateProcess(h, 1). */
export const TERMINATED_EXIT_CODE = 1;
const TERMINATE_GRACE_MS = 1000;
const MAX_TIMER_MS = 0x7fff_ffff;
/** How long to wait for a dead child's stdio to drain when a grandchild keeps it open. */
const STDIO_DRAIN_MS = 2000;
/** Stdin bytes queued toward the child before the runner stops reading the pipe. */
const STDIN_QUEUE_LIMIT = 1024 * 1024;

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

export async function runCommandRunner(pipeIn: string, pipeOut: string): Promise<number> {
  const input = await connect(pipeIn, 'in');
  let output: net.Socket;
  try {
    output = await connect(pipeOut, 'out');
  } catch (err) {
    input.destroy();
    throw err;
  }
  output.on('error', () => {}); // a parent that went away is seen on the input side
  return new Promise<number>((resolve) => new RunnerSession(input, output, resolve).start());
}

class RunnerSession {
  private reader!: FrameReader<ParentMessage>;
  private child?: ChildProcess;
  private request?: SpawnRequest;
  private timedOut = false;
  private terminated = false;
  private killTimer?: NodeJS.Timeout;
  private timeoutTimer?: NodeJS.Timeout;
  private finished = false;

  constructor(
    private readonly input: net.Socket,
    private readonly output: net.Socket,
    private readonly done: (code: number) => void,
  ) {}

  start(): void {
    this.reader = new FrameReader(this.input, toParentMessage, {
      message: (m) => this.onMessage(m),
      error: (err) => this.onParentGone(`runner: bad input from parent: ${err.message}`),
      end: () => this.onParentGone(),
    });
  }

  private send(message: RunnerMessage): void {
    if (!this.output.destroyed) this.output.write(encodeFrame(message));
  }

  private onMessage(message: ParentMessage): void {
    if (!this.request) {
      if (message.type !== 'spawn_request') return this.fail('protocol_error', `runner: expected spawn_request, got ${message.type}`);
      this.request = message.payload;
      return this.spawnChild(message.payload);
    }
    const child = this.child;
    switch (message.type) {
      case 'spawn_request':
        return this.fail('protocol_error', 'runner: spawn_request received twice');
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
    }
  }

  private spawnChild(req: SpawnRequest): void {
    const [file, ...args] = req.command;
    let child: ChildProcess;
    try {
      // A terminal session: the same ChildProcess shape, attached to a PTY (ConPTY on Windows).
      child = req.tty ? spawnPty(file!, args, req) : spawn(file!, args, {
        cwd: req.cwd,
        env: req.env,
        stdio: [req.stdin_open ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32', // own process group, so terminate reaches the tree
        windowsHide: true,
      });
    } catch (err) {
      return this.fail('spawn_failed', `failed to spawn ${file}: ${(err as Error).message}`);
    }
    child.once('error', (err) => {
      if (child.pid === undefined) this.fail('spawn_failed', `failed to spawn ${file}: ${err.message}`);
    });
    child.once('spawn', () => {
      this.child = child;
      child.stdin?.on('error', () => {}); // EPIPE when the child stops reading is not the runner's failure
      this.send({ type: 'spawn_ready', payload: { process_id: child.pid! } });
      this.pump(child.stdout!, 'stdout');
      this.pump(child.stderr!, 'stderr');
      // Node timers overflow past 2^31-1 ms and fire at once; a longer timeout (~25 days) is none in practice.
      if (req.timeout_ms !== null && req.timeout_ms > 0 && req.timeout_ms <= MAX_TIMER_MS) {
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
      for (const piece of splitForFrames(chunk)) flowing = this.output.write(encodeDataFrame('output', piece, name));
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
    signalTree(pid, process.platform === 'win32' ? 'SIGKILL' : 'SIGTERM');
    this.killTimer ??= setTimeout(() => signalTree(pid, 'SIGKILL'), TERMINATE_GRACE_MS);
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.timeoutTimer);
    let exitCode: number;
    if (this.timedOut) exitCode = TIMEOUT_EXIT_CODE;
    else if (this.terminated) exitCode = TERMINATED_EXIT_CODE;
    else if (code !== null) exitCode = code;
    else exitCode = 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 0);
    // Make sure nothing the child started outlives it holding our pipes.
    if (process.platform !== 'win32') signalTree(child.pid!, 'SIGKILL');
    const report = () => {
      clearTimeout(drainTimer);
      clearTimeout(this.killTimer);
      this.send({ type: 'exit', payload: { exit_code: exitCode, timed_out: this.timedOut } });
      this.finish(exitCode);
    };
    const drainTimer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      report();
    }, STDIO_DRAIN_MS);
    if (child.stdout?.closed !== false && child.stderr?.closed !== false) report();
    else child.once('close', report);
  }

  private fail(code: string, message: string): void {
    this.send({ type: 'error', payload: { code, message } });
    process.stderr.write(`${message}\n`);
    if (this.child) this.killTree();
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

