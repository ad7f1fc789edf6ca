// kernel32's process calls: starting a process (the runner's children and ConPTY sessions), and
// holding one by its handle (a logged-on runner, codex's setup helper, the tests' children):
// polled with WaitForSingleObject(0), never a blocking wait on the main thread.
import { lazyApi, win32, type Out } from './win32-api';

export interface ProcessApi {
  OpenProcess(access: number, inherit: number, pid: number): number;
  WaitForSingleObject(handle: number, milliseconds: number): number;
  GetExitCodeProcess(process: number, code: Out<number>): number;
  TerminateProcess(process: number, code: number): number;

  CreatePipe(read: Out<number>, write: Out<number>, attributes: null, size: number): number;
  SetHandleInformation(handle: number, mask: number, flags: number): number;
  InitializeProcThreadAttributeList(list: unknown, count: number, flags: number, size: Out<number>): number;
  UpdateProcThreadAttribute(list: unknown, flags: number, attribute: number, value: number, size: number, previous: null, returnSize: null): number;
  DeleteProcThreadAttributeList(list: unknown): void;
  CreateProcessW(application: string | null, commandLine: Buffer, processAttributes: null, threadAttributes: null, inherit: number, flags: number, environment: Buffer, cwd: string, startupInfo: Buffer, processInfo: Buffer): number;
  ResumeThread(thread: number): number;
}

export const processApi = lazyApi<ProcessApi>((dll) => {
  const kernel32 = dll('kernel32.dll');
  const k = (proto: string) => kernel32.func(proto);
  return {
    OpenProcess: k('intptr_t __stdcall OpenProcess(uint32_t access, int inherit, uint32_t pid)'),
    WaitForSingleObject: k('uint32_t __stdcall WaitForSingleObject(intptr_t handle, uint32_t milliseconds)'),
    GetExitCodeProcess: k('int __stdcall GetExitCodeProcess(intptr_t process, _Out_ uint32_t *code)'),
    TerminateProcess: k('int __stdcall TerminateProcess(intptr_t process, uint32_t code)'),

    CreatePipe: k('int __stdcall CreatePipe(_Out_ intptr_t *read, _Out_ intptr_t *write, void *attributes, uint32_t size)'),
    SetHandleInformation: k('int __stdcall SetHandleInformation(intptr_t handle, uint32_t mask, uint32_t flags)'),
    InitializeProcThreadAttributeList: k('int __stdcall InitializeProcThreadAttributeList(void *list, uint32_t count, uint32_t flags, _Inout_ size_t *size)'),
    UpdateProcThreadAttribute: k('int __stdcall UpdateProcThreadAttribute(void *list, uint32_t flags, uintptr_t attribute, intptr_t value, size_t size, void *previous, void *returnSize)'),
    DeleteProcThreadAttributeList: k('void __stdcall DeleteProcThreadAttributeList(void *list)'),
    CreateProcessW: k(
      'int __stdcall CreateProcessW(const char16_t *application, uint8_t *commandLine, void *processAttributes, void *threadAttributes, int inherit, uint32_t flags, uint8_t *environment, const char16_t *cwd, uint8_t *startupInfo, _Out_ uint8_t *processInfo)',
    ),
    ResumeThread: k('uint32_t __stdcall ResumeThread(intptr_t thread)'),
  } as ProcessApi;
});

export const WAIT_OBJECT_0 = 0;
export const SYNCHRONIZE = 0x00100000;
export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

export const CREATE_SUSPENDED = 0x00000004;
export const CREATE_UNICODE_ENVIRONMENT = 0x00000400;
export const CREATE_NO_WINDOW = 0x08000000;
export const EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
export const STARTF_USESTDHANDLES = 0x00000100;
export const HANDLE_FLAG_INHERIT = 0x1;
export const PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x00020002;
/** x64 struct sizes for CreateProcess*: STARTUPINFOW, STARTUPINFOEXW (+ the attribute list pointer), PROCESS_INFORMATION. */
export const STARTUPINFOW_SIZE = 104;
/** STARTUPINFOW.dwFlags on x64: cb, 3 pointers, 8 DWORDs before it. */
export const STARTUPINFOW_DWFLAGS_OFFSET = 60;
export const STARTUPINFOEXW_SIZE = 112;
export const PROCESS_INFORMATION_SIZE = 24;

/** Whether the process behind `handle` (SYNCHRONIZE) has exited; never waits. */
export function processHasExited(handle: number): boolean {
  return processApi().WaitForSingleObject(handle, 0) === WAIT_OBJECT_0;
}

/** The exit code of an exited process (PROCESS_QUERY_LIMITED_INFORMATION), or null when it cannot be read. */
export function processExitCode(handle: number): number | null {
  const code: [number] = [0];
  return processApi().GetExitCodeProcess(handle, code) ? code[0] : null;
}

/** TerminateProcess (PROCESS_TERMINATE); false when Windows refused (or the process is exiting already). */
export function terminateProcess(handle: number, exitCode = 1): boolean {
  return processApi().TerminateProcess(handle, exitCode) !== 0;
}

export function closeHandle(handle: number): void {
  win32().CloseHandle(handle);
}
