// The kernel32 calls the runner process makes (ConPTY sessions, the child's kill-on-close job),
// declared with koffi once, loaded on first use (Windows only). HANDLE and HPCON are `intptr_t`
// (plain numbers; INVALID_HANDLE_VALUE is -1); BOOL is `int`; COORD travels by value as one 32-bit value (X in the low 16 bits).
import type koffiModule from 'koffi';

type Out<T> = [T];

export interface RunnerKernel32 {
  koffi: typeof koffiModule;
  GetLastError(): number;
  CloseHandle(handle: number): number;
  CreatePipe(read: Out<number>, write: Out<number>, attributes: null, size: number): number;
  /** Returns an HRESULT (0 = S_OK). */
  CreatePseudoConsole(size: number, input: number, output: number, flags: number, console: Out<number>): number;
  ResizePseudoConsole(console: number, size: number): number;
  /** May block until the console host has flushed its output: call through `.async`. */
  ClosePseudoConsole: ((console: number) => void) & { async(console: number, done: (err: unknown) => void): void };
  InitializeProcThreadAttributeList(list: unknown, count: number, flags: number, size: Out<number>): number;
  UpdateProcThreadAttribute(list: unknown, flags: number, attribute: number, value: number, size: number, previous: null, returnSize: null): number;
  DeleteProcThreadAttributeList(list: unknown): void;
  CreateProcessW(application: null, commandLine: Buffer, processAttributes: null, threadAttributes: null, inherit: number, flags: number, environment: Buffer, cwd: string, startupInfo: Buffer, processInfo: Buffer): number;
  ResumeThread(thread: number): number;
  CreateJobObjectW(attributes: null, name: null): number;
  SetInformationJobObject(job: number, infoClass: number, info: Buffer, size: number): number;
  AssignProcessToJobObject(job: number, process: number): number;
  TerminateJobObject(job: number, exitCode: number): number;
  TerminateProcess(process: number, exitCode: number): number;
  WaitForSingleObject(handle: number, milliseconds: number): number;
  GetExitCodeProcess(process: number, code: Out<number>): number;
}

export const PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE = 0x00020016;
export const EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
export const CREATE_SUSPENDED = 0x00000004;
export const CREATE_UNICODE_ENVIRONMENT = 0x00000400;
export const STARTF_USESTDHANDLES = 0x00000100;
export const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000;
export const JobObjectExtendedLimitInformation = 9;
/** sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on x64; LimitFlags at offset 16. */
export const JOB_EXTENDED_LIMIT_SIZE = 144;
export const WAIT_OBJECT_0 = 0;
export const WAIT_TIMEOUT = 0x102;

let api: RunnerKernel32 | undefined;

export function runnerKernel32(): RunnerKernel32 {
  if (api) return api;
  const koffi = require('koffi') as typeof koffiModule;
  const k32 = koffi.load('kernel32.dll');
  const f = (proto: string) => k32.func(proto);
  api = {
    koffi,
    GetLastError: f('uint32_t __stdcall GetLastError()'),
    CloseHandle: f('int __stdcall CloseHandle(intptr_t handle)'),
    CreatePipe: f('int __stdcall CreatePipe(_Out_ intptr_t *read, _Out_ intptr_t *write, void *attributes, uint32_t size)'),
    CreatePseudoConsole: f('int32_t __stdcall CreatePseudoConsole(uint32_t size, intptr_t input, intptr_t output, uint32_t flags, _Out_ intptr_t *console)'),
    ResizePseudoConsole: f('int32_t __stdcall ResizePseudoConsole(intptr_t console, uint32_t size)'),
    ClosePseudoConsole: f('void __stdcall ClosePseudoConsole(intptr_t console)') as RunnerKernel32['ClosePseudoConsole'],
    InitializeProcThreadAttributeList: f('int __stdcall InitializeProcThreadAttributeList(void *list, uint32_t count, uint32_t flags, _Inout_ size_t *size)'),
    UpdateProcThreadAttribute: f('int __stdcall UpdateProcThreadAttribute(void *list, uint32_t flags, uintptr_t attribute, intptr_t value, size_t size, void *previous, void *returnSize)'),
    DeleteProcThreadAttributeList: f('void __stdcall DeleteProcThreadAttributeList(void *list)'),
    CreateProcessW: f('int __stdcall CreateProcessW(void *application, uint8_t *commandLine, void *processAttributes, void *threadAttributes, int inherit, uint32_t flags, uint8_t *environment, const char16_t *cwd, uint8_t *startupInfo, _Out_ uint8_t *processInfo)'),
    ResumeThread: f('uint32_t __stdcall ResumeThread(intptr_t thread)'),
    CreateJobObjectW: f('intptr_t __stdcall CreateJobObjectW(void *attributes, void *name)'),
    SetInformationJobObject: f('int __stdcall SetInformationJobObject(intptr_t job, int infoClass, uint8_t *info, uint32_t size)'),
    AssignProcessToJobObject: f('int __stdcall AssignProcessToJobObject(intptr_t job, intptr_t process)'),
    TerminateJobObject: f('int __stdcall TerminateJobObject(intptr_t job, uint32_t exitCode)'),
    TerminateProcess: f('int __stdcall TerminateProcess(intptr_t process, uint32_t exitCode)'),
    WaitForSingleObject: f('uint32_t __stdcall WaitForSingleObject(intptr_t handle, uint32_t milliseconds)'),
    GetExitCodeProcess: f('int __stdcall GetExitCodeProcess(intptr_t process, _Out_ uint32_t *code)'),
  } as RunnerKernel32;
  return api;
}

/** COORD { SHORT X; SHORT Y; } by value: ConPTY sizes are signed 16-bit. */
export function coord(cols: number, rows: number): number {
  if (cols > 0x7fff || rows > 0x7fff) throw new RangeError(`ConPTY sizes are at most 32767, got ${cols}x${rows}`);
  return ((rows & 0xffff) << 16 | (cols & 0xffff)) >>> 0;
}
