// Windows: the child attached to a pseudo console (ConPTY), as upstream's runner does it:
// CreatePseudoConsole over two anonymous pipes, the console handed to the child through a
// PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE attribute list, the child started suspended inside a
// kill-on-close job, `resize` -> ResizePseudoConsole, stdin "\n" -> "\r\n".
// Our ends of the pipes go to Node's own I/O (uv_open_osfhandle), so reads never block the loop;
// the exit is seen by polling the process handle from a timer, never a parked wait.
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { CrlfNormalizer } from '../crlf';
import { DEFAULT_TTY_SIZE, PtyProcess, type TtySize } from '../pty-process';
import { encodeEnvironmentBlock } from '../../../os/win32/environment-block';
import {
  CREATE_SUSPENDED,
  CREATE_UNICODE_ENVIRONMENT,
  EXTENDED_STARTUPINFO_PRESENT,
  PROCESS_INFORMATION_SIZE,
  processApi,
  STARTF_USESTDHANDLES,
  STARTUPINFOEXW_SIZE,
  WAIT_OBJECT_0,
  type ProcessApi,
} from '../../../os/win32/process-api';
import { lazyApi, win32, type Out, type Win32Api } from '../../../os/win32/win32-api';
import { KillOnCloseJob } from '../../win32/kill-on-close-job';
import { windowsLaunch } from '../../win32/resolve-executable';
import { socketForHandle } from '../../../os/win32/handle-stream';

const EXIT_POLL_MS = 25;

interface PseudoConsoleApi {
  /** Returns an HRESULT (0 = S_OK). */
  CreatePseudoConsole(size: number, input: number, output: number, flags: number, console: Out<number>): number;
  ResizePseudoConsole(console: number, size: number): number;
  /** May block until the console host has flushed its output: call through `.async`. */
  ClosePseudoConsole: ((console: number) => void) & { async(console: number, done: (err: unknown) => void): void };
}

const pseudoConsoleApi = lazyApi<PseudoConsoleApi>((dll) => {
  const kernel32 = dll('kernel32.dll');
  return {
    CreatePseudoConsole: kernel32.func('int32_t __stdcall CreatePseudoConsole(uint32_t size, intptr_t input, intptr_t output, uint32_t flags, _Out_ intptr_t *console)'),
    ResizePseudoConsole: kernel32.func('int32_t __stdcall ResizePseudoConsole(intptr_t console, uint32_t size)'),
    ClosePseudoConsole: kernel32.func('void __stdcall ClosePseudoConsole(intptr_t console)') as PseudoConsoleApi['ClosePseudoConsole'],
  };
});

const PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE = 0x00020016;

/** COORD { SHORT X; SHORT Y; } by value: ConPTY sizes are signed 16-bit. */
export function coord(cols: number, rows: number): number {
  if (cols > 0x7fff || rows > 0x7fff) throw new RangeError(`ConPTY sizes are at most 32767, got ${cols}x${rows}`);
  return ((rows & 0xffff) << 16 | (cols & 0xffff)) >>> 0;
}

export interface ConPtyOptions {
  cwd: string;
  env: Record<string, string>;
  size?: TtySize;
}

export class ConPty extends PtyProcess {
  private readonly api: Win32Api & ProcessApi & PseudoConsoleApi;
  /** Every handle we own, closed exactly once by release(). */
  private console = 0;
  private job?: KillOnCloseJob;
  private processHandle = 0;
  private pollTimer?: NodeJS.Timeout;

  constructor(file: string, args: readonly string[], options: ConPtyOptions) {
    super();
    this.api = { ...win32(), ...processApi(), ...pseudoConsoleApi() };
    const api = this.api;
    // The program from the request's PATH, never searched for by CreateProcessW (see resolve-executable).
    const launch = windowsLaunch([file, ...args], options.cwd, options.env);
    const commandLine = Buffer.from(`${launch.commandLine}\0`, 'utf16le'); // CreateProcessW may write into it
    const environment = encodeEnvironmentBlock(options.env);
    const pipeHandles: number[] = [];
    let attributeList: unknown; // koffi-allocated: Windows keeps pointers into it until it is deleted
    let attributeListInitialized = false;
    let input: net.Socket | undefined;
    let output: net.Socket | undefined;
    try {
      const inRead: [number] = [0], inWrite: [number] = [0], outRead: [number] = [0], outWrite: [number] = [0];
      if (!api.CreatePipe(inRead, inWrite, null, 0)) throw this.win32Error('CreatePipe');
      pipeHandles.push(inRead[0], inWrite[0]);
      if (!api.CreatePipe(outRead, outWrite, null, 0)) throw this.win32Error('CreatePipe');
      pipeHandles.push(outRead[0], outWrite[0]);

      const size = options.size ?? DEFAULT_TTY_SIZE;
      const console: [number] = [0];
      const hr = api.CreatePseudoConsole(coord(size.cols, size.rows), inRead[0], outWrite[0], 0, console);
      if (hr !== 0) throw new Error(`CreatePseudoConsole failed: HRESULT 0x${(hr >>> 0).toString(16)}`);
      this.console = console[0];
      // The console host holds its own duplicates of the far ends.
      this.closeHandle(inRead[0], pipeHandles);
      this.closeHandle(outWrite[0], pipeHandles);

      const listSize: [number] = [0];
      api.InitializeProcThreadAttributeList(null, 1, 0, listSize); // fails with 122, reporting the size
      attributeList = api.koffi.alloc('uint8_t', listSize[0]);
      if (!api.InitializeProcThreadAttributeList(attributeList, 1, 0, listSize)) throw this.win32Error('InitializeProcThreadAttributeList');
      attributeListInitialized = true;
      if (!api.UpdateProcThreadAttribute(attributeList, 0, PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, this.console, 8, null, null)) {
        throw this.win32Error('UpdateProcThreadAttribute(PSEUDOCONSOLE)');
      }

      this.job = KillOnCloseJob.create();

      const startupInfo = Buffer.alloc(STARTUPINFOEXW_SIZE);
      startupInfo.writeUInt32LE(STARTUPINFOEXW_SIZE, 0); // StartupInfo.cb
      // As upstream: std handles INVALID_HANDLE_VALUE, so the child cannot pick up the runner's own
      // stdio instead of the console's.
      startupInfo.writeUInt32LE(STARTF_USESTDHANDLES, 60); // StartupInfo.dwFlags
      for (const offset of [80, 88, 96]) startupInfo.writeBigInt64LE(-1n, offset); // hStdInput, hStdOutput, hStdError
      startupInfo.writeBigUInt64LE(BigInt(api.koffi.address(attributeList)), 104); // lpAttributeList
      const processInfo = Buffer.alloc(PROCESS_INFORMATION_SIZE);
      const flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT;
      if (!api.CreateProcessW(launch.application, commandLine, null, null, 0, flags, environment, options.cwd, startupInfo, processInfo)) {
        throw this.win32Error(`CreateProcessW(${launch.application})`);
      }
      this.processHandle = Number(processInfo.readBigInt64LE(0));
      const thread = Number(processInfo.readBigInt64LE(8));
      const pid = processInfo.readUInt32LE(16);
      let assignError: Error | undefined;
      try {
        this.job.assign(this.processHandle); // still suspended: nothing it starts can escape the job
      } catch (err) {
        assignError = err as Error;
      }
      if (assignError) api.TerminateProcess(this.processHandle, 1); // still suspended: it never ran
      if (!assignError) api.ResumeThread(thread);
      api.CloseHandle(thread);
      if (assignError) throw assignError;

      input = this.socket(inWrite[0], 'writable', pipeHandles);
      output = this.socket(outRead[0], 'readable', pipeHandles);
      this.started(pid, input, output);
    } catch (err) {
      input?.destroy();
      output?.destroy();
      for (const handle of pipeHandles) api.CloseHandle(handle);
      this.release();
      throw err;
    } finally {
      if (attributeListInitialized) api.DeleteProcThreadAttributeList(attributeList);
      if (attributeList) api.koffi.free(attributeList);
    }
  }

  protected applySize(size: TtySize): void {
    if (!this.console) throw new Error('the pseudo console is closed');
    const hr = this.api.ResizePseudoConsole(this.console, coord(size.cols, size.rows));
    if (hr !== 0) throw new Error(`ResizePseudoConsole failed: HRESULT 0x${(hr >>> 0).toString(16)}`);
  }

  private started(pid: number, input: net.Socket, output: net.Socket): void {
    input.on('error', () => {}); // the console went away: later input has nowhere to go
    output.on('error', (err) => process.stderr.write(`runner: pseudo console read failed: ${err.message}\n`));
    output.once('end', () => output.destroy());
    const crlf = new CrlfNormalizer();
    const stdin = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (input.destroyed) return callback();
        input.write(crlf.push(chunk), () => callback());
      },
      final: (callback) => input.end(() => callback()), // closing the input pipe is the console's end of input
    });
    this.attach(pid, stdin, output);
    this.pollTimer = setInterval(() => this.pollExit(input), EXIT_POLL_MS);
    process.nextTick(() => this.emit('spawn'));
  }

  private pollExit(input: net.Socket): void {
    const api = this.api;
    if (api.WaitForSingleObject(this.processHandle, 0) !== WAIT_OBJECT_0) return;
    clearInterval(this.pollTimer);
    const code: [number] = [0];
    const exitCode = api.GetExitCodeProcess(this.processHandle, code) ? code[0] | 0 : 1;
    input.destroy();
    // Closing the console ends its output pipe; it can wait for the host to flush, so off-thread.
    const console = this.console;
    this.console = 0;
    api.ClosePseudoConsole.async(console, () => {});
    this.release();
    this.reportExit(exitCode, null);
  }

  /** Closing the kill-on-close job ends whatever the child left running. */
  private release(): void {
    const api = this.api;
    if (this.console) api.ClosePseudoConsole(this.console);
    this.console = 0;
    this.job?.close();
    this.job = undefined;
    if (this.processHandle) api.CloseHandle(this.processHandle);
    this.processHandle = 0;
  }

  override kill(): boolean {
    return this.job?.terminate(1) ?? false;
  }

  /** The pipe end as a Node socket (shared with the main process's named pipes); it owns the handle now. */
  private socket(handle: number, direction: 'readable' | 'writable', owned: number[]): net.Socket {
    const socket = socketForHandle(handle, direction);
    owned.splice(owned.indexOf(handle), 1);
    return socket;
  }

  private closeHandle(handle: number, owned: number[]): void {
    this.api.CloseHandle(handle);
    owned.splice(owned.indexOf(handle), 1);
  }

  private win32Error(call: string): Error {
    return new Error(`${call} failed: Win32 error ${this.api.GetLastError()}`);
  }
}
