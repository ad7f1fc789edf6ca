// Windows: a command's child process with plain pipes, started by the runner itself inside its own
// kill-on-close job, shaped like the ChildProcess the runner drives (as PtyProcess is).
//
// Why not child_process.spawn: libuv puts its children in a job created with
// JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK, so every grandchild leaves that job silently, and nothing
// ends a tree but a tool looked up by name. Here the child is created suspended, put in a job with
// no breakaway allowed, then resumed: everything it ever starts is in the job, TerminateJobObject
// ends the tree, and closing the job (at the child's exit, or when the runner dies) ends whatever
// is left.
//
// The child inherits exactly its three pipe ends (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), nothing else
// of the runner's. Our ends go to Node's own I/O (uv_open_osfhandle), so reads never block the
// loop; the exit is seen by polling the process handle from a timer, never a parked wait.
import { ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { encodeEnvironmentBlock } from '../../os/win32/environment-block';
import { socketForHandle } from '../../os/win32/handle-stream';
import {
  CREATE_NO_WINDOW,
  CREATE_SUSPENDED,
  CREATE_UNICODE_ENVIRONMENT,
  EXTENDED_STARTUPINFO_PRESENT,
  HANDLE_FLAG_INHERIT,
  PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
  PROCESS_INFORMATION_SIZE,
  processApi,
  STARTF_USESTDHANDLES,
  STARTUPINFOEXW_SIZE,
  WAIT_OBJECT_0,
  type ProcessApi,
} from '../../os/win32/process-api';
import { win32, type Win32Api } from '../../os/win32/win32-api';
import { lastWin32Error } from '../../os/win32/win32-error';
import { KillOnCloseJob } from './kill-on-close-job';
import { windowsLaunch } from './resolve-executable';

const EXIT_POLL_MS = 25;
/** Our pipes' buffer size hint, as libuv uses for its own child pipes. */
const PIPE_BUFFER_BYTES = 65536;
/** What TerminateJobObject gives every process in the tree: upstream's TerminateProcess(h, 1). */
const KILLED_EXIT_CODE = 1;

export interface JobChildOptions {
  cwd: string;
  env: Record<string, string>;
  /** false: the child's stdin reads end-of-file at once (and `stdin` is null, as with 'ignore'). */
  stdinOpen: boolean;
}

/** Starts `file` with `args` in a kill-on-close job of its own. Throws (leaving nothing open) when it cannot. */
export function spawnJobChild(file: string, args: readonly string[], options: JobChildOptions): JobChild {
  return new JobChild(file, args, options);
}

export class JobChild extends ChildProcess {
  private readonly api: Win32Api & ProcessApi;
  /** Owned until release(): the job (closing it ends the tree) and the process handle. */
  private job?: KillOnCloseJob;
  private processHandle = 0;
  private pollTimer?: NodeJS.Timeout;
  private sockets: net.Socket[] = [];
  private childExited = false;
  private openOutputs = 2;

  constructor(file: string, args: readonly string[], options: JobChildOptions) {
    super();
    // ChildProcess makes a libuv process handle for a spawn() that never comes here; drop it, as
    // PtyProcess does, so ref/unref/kill never reach an uninitialized handle.
    (this as unknown as { _handle: unknown })._handle = null;
    const api = (this.api = { ...win32(), ...processApi() });
    const launch = windowsLaunch([file, ...args], options.cwd, options.env); // the request's PATH, never ours
    const commandLine = Buffer.from(`${launch.commandLine}\0`, 'utf16le'); // CreateProcessW may write into it
    const environment = encodeEnvironmentBlock(options.env);

    const owned = new Set<number>(); // raw handles not yet closed or handed to a socket
    let attributeList: unknown; // koffi-allocated: Windows keeps pointers into it until it is deleted
    let attributeListInitialized = false;
    let handleList: unknown; // the HANDLE array the attribute points at
    let thread = 0;
    try {
      const stdin = this.pipe(owned);
      const stdout = this.pipe(owned);
      const stderr = this.pipe(owned);
      if (!options.stdinOpen) this.close(stdin.write, owned); // a pipe with no writer: the child reads EOF at once
      const childEnds = [stdin.read, stdout.write, stderr.write];
      // Inheritable only so the handle list may name them; the list keeps every other inheritable
      // handle of the runner out of the child. (This runs on the loop thread, start to finish, so no
      // other CreateProcess of ours can pick them up meanwhile; they are closed right after.)
      for (const handle of childEnds) {
        if (!api.SetHandleInformation(handle, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) throw lastWin32Error('SetHandleInformation');
      }

      const listSize: [number] = [0];
      api.InitializeProcThreadAttributeList(null, 1, 0, listSize); // fails with 122, reporting the size
      attributeList = api.koffi.alloc('uint8_t', listSize[0]);
      if (!api.InitializeProcThreadAttributeList(attributeList, 1, 0, listSize)) throw lastWin32Error('InitializeProcThreadAttributeList');
      attributeListInitialized = true;
      handleList = api.koffi.alloc('intptr_t', childEnds.length);
      api.koffi.encode(handleList, 'intptr_t', childEnds, childEnds.length);
      const listAddress = Number(api.koffi.address(handleList));
      if (!api.UpdateProcThreadAttribute(attributeList, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, listAddress, childEnds.length * 8, null, null)) {
        throw lastWin32Error('UpdateProcThreadAttribute(HANDLE_LIST)');
      }

      this.job = KillOnCloseJob.create();

      const startupInfo = Buffer.alloc(STARTUPINFOEXW_SIZE);
      startupInfo.writeUInt32LE(STARTUPINFOEXW_SIZE, 0); // StartupInfo.cb
      startupInfo.writeUInt32LE(STARTF_USESTDHANDLES, 60); // StartupInfo.dwFlags
      childEnds.forEach((handle, i) => startupInfo.writeBigInt64LE(BigInt(handle), 80 + 8 * i)); // hStdInput, hStdOutput, hStdError
      startupInfo.writeBigUInt64LE(BigInt(api.koffi.address(attributeList)), 104); // lpAttributeList
      const processInfo = Buffer.alloc(PROCESS_INFORMATION_SIZE);
      const flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW;
      if (!api.CreateProcessW(launch.application, commandLine, null, null, 1, flags, environment, options.cwd, startupInfo, processInfo)) {
        throw lastWin32Error(`CreateProcessW(${launch.application})`);
      }
      this.processHandle = Number(processInfo.readBigInt64LE(0));
      thread = Number(processInfo.readBigInt64LE(8));
      const pid = processInfo.readUInt32LE(16);
      for (const handle of childEnds) this.close(handle, owned); // the child has its own copies now

      try {
        this.job.assign(this.processHandle); // still suspended: nothing it starts can escape the job
      } catch (err) {
        api.TerminateProcess(this.processHandle, KILLED_EXIT_CODE); // never ran a single instruction
        throw err;
      }
      // Our ends become Node streams before the child runs: if that fails, it still never ran.
      const stdinSocket = options.stdinOpen ? this.socket(stdin.write, 'writable', owned) : null;
      const stdoutSocket = this.socket(stdout.read, 'readable', owned);
      const stderrSocket = this.socket(stderr.read, 'readable', owned);
      if (api.ResumeThread(thread) === 0xffff_ffff) {
        const error = lastWin32Error('ResumeThread'); // read before another call replaces it
        api.TerminateProcess(this.processHandle, KILLED_EXIT_CODE);
        throw error;
      }
      Object.assign(this, { spawnfile: launch.application, spawnargs: [file, ...args] });
      this.started(pid, stdinSocket, stdoutSocket, stderrSocket);
    } catch (err) {
      for (const socket of this.sockets) socket.destroy();
      this.sockets = [];
      for (const handle of owned) api.CloseHandle(handle);
      this.release();
      throw err;
    } finally {
      if (thread) api.CloseHandle(thread);
      if (attributeListInitialized) api.DeleteProcThreadAttributeList(attributeList);
      if (attributeList) api.koffi.free(attributeList);
      if (handleList) api.koffi.free(handleList);
    }
  }

  private started(pid: number, stdin: net.Socket | null, stdout: net.Socket, stderr: net.Socket): void {
    if (stdin) {
      // end() alone leaves the handle open; the child sees EOF only once our end is closed.
      stdin.once('finish', () => stdin.destroy());
    }
    for (const output of [stdout, stderr]) {
      output.once('end', () => output.destroy()); // one-way pipe, half-open allowed: close it ourselves
      output.once('close', () => {
        this.openOutputs--;
        this.emitCloseWhenDone();
      });
    }
    // ChildProcess declares these read-only for users; the subclass is the one that spawns.
    const self = this as unknown as { pid: number; stdin: Writable | null; stdout: Readable; stderr: Readable; stdio: unknown[] };
    self.pid = pid;
    self.stdin = stdin;
    self.stdout = stdout;
    self.stderr = stderr;
    self.stdio = [stdin, stdout, stderr];
    this.pollTimer = setInterval(() => this.pollExit(), EXIT_POLL_MS);
    process.nextTick(() => this.emit('spawn'));
  }

  private pollExit(): void {
    const api = this.api;
    if (!this.processHandle || api.WaitForSingleObject(this.processHandle, 0) !== WAIT_OBJECT_0) return;
    clearInterval(this.pollTimer);
    const code: [number] = [0];
    // Windows exit codes are 32-bit; the protocol carries them signed, as upstream's `as i32`.
    const exitCode = api.GetExitCodeProcess(this.processHandle, code) ? code[0] | 0 : KILLED_EXIT_CODE;
    // Whatever the child left running ends with the job, so it cannot hold our pipes open.
    this.release();
    this.childExited = true;
    (this as unknown as { exitCode: number }).exitCode = exitCode;
    this.emit('exit', exitCode, null);
    this.emitCloseWhenDone();
  }

  /** 'close' once the child has exited and both output pipes have ended (as ChildProcess does). */
  private emitCloseWhenDone(): void {
    if (this.childExited && this.openOutputs === 0) this.emit('close', this.exitCode, null);
  }

  /** Closes the job (ending anything still in it) and the process handle. Idempotent. */
  private release(): void {
    this.job?.close();
    this.job = undefined;
    if (this.processHandle) this.api.CloseHandle(this.processHandle);
    this.processHandle = 0;
  }

  /** Ends the child and everything it started (TerminateJobObject); the signal is not used. */
  override kill(_signal?: NodeJS.Signals | number): boolean {
    if (!this.job || this.childExited) return false;
    const ended = this.job.terminate(KILLED_EXIT_CODE);
    if (ended) (this as unknown as { killed: boolean }).killed = true;
    return ended;
  }

  /** Lets the runner exit while the child runs (or not): the exit poll and the pipes follow. */
  override ref(): void {
    this.pollTimer?.ref();
    for (const socket of this.sockets) socket.ref();
  }

  override unref(): void {
    this.pollTimer?.unref();
    for (const socket of this.sockets) socket.unref();
  }

  private pipe(owned: Set<number>): { read: number; write: number } {
    const read: [number] = [0];
    const write: [number] = [0];
    if (!this.api.CreatePipe(read, write, null, PIPE_BUFFER_BYTES)) throw lastWin32Error('CreatePipe');
    owned.add(read[0]);
    owned.add(write[0]);
    return { read: read[0], write: write[0] };
  }

  private close(handle: number, owned: Set<number>): void {
    this.api.CloseHandle(handle);
    owned.delete(handle);
  }

  /** The pipe end as a Node socket; it owns the handle from then on. */
  private socket(handle: number, direction: 'readable' | 'writable', owned: Set<number>): net.Socket {
    const socket = socketForHandle(handle, direction);
    owned.delete(handle);
    this.sockets.push(socket);
    return socket;
  }
}
