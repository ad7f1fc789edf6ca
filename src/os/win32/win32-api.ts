// Every kernel32/advapi32 function this package calls (main process and runner), declared once with koffi's C prototypes
// (`__stdcall`, which x64 ignores and x86 needs). Loaded on first use, so this package imports on
// Linux/macOS where neither DLL exists.
//
// HANDLE is declared `intptr_t`: handles come back as plain numbers (INVALID_HANDLE_VALUE is -1),
// easy to compare, store and pass to uv_open_osfhandle. Memory the OS allocates for us
// (LocalAlloc'd SIDs, descriptors, strings) is `void *` and must go back through LocalFree.
// BOOL is `int` (4 bytes), never koffi's 1-byte `bool`.
import type koffiModule from 'koffi';

type Ptr = unknown; // an opaque pointer from koffi
type Out<T> = [T];

export interface Win32Api {
  koffi: typeof koffiModule;
  GetLastError(): number;
  FormatMessageW(flags: number, source: null, messageId: number, languageId: number, buffer: Buffer, size: number, args: null): number;
  LocalFree(memory: Ptr): Ptr;
  CloseHandle(handle: number): number;
  GetCurrentProcess(): number;
  GetCurrentProcessId(): number;
  GetProcessHandleCount(process: number, count: Out<number>): number;
  SetErrorMode(mode: number): number;

  GetUserNameW(buffer: Buffer, size: Out<number>): number;
  LookupAccountNameW(system: null, account: string, sid: Buffer | null, sidSize: Out<number>, domain: Buffer | null, domainSize: Out<number>, use: Out<number>): number;
  /** `sid`: a Buffer holding the SID, or a pointer to one (e.g. inside a TOKEN_USER). */
  ConvertSidToStringSidW(sid: Buffer | Ptr, out: Out<Ptr>): number;
  /** May ask a domain controller: call through `.async`, never on the main thread. */
  LookupAccountSidW: AsyncCapable<(system: null, sid: Buffer | Ptr, name: Buffer, nameSize: Out<number>, domain: Buffer, domainSize: Out<number>, use: Out<number>) => number>;

  ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl: string, revision: number, out: Out<Ptr>, size: null): number;
  ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor: Ptr, revision: number, info: number, out: Out<Ptr>, length: null): number;
  /** Returns a Win32 error code itself (0 = success); does not set the last error. */
  GetSecurityInfo(handle: number, objectType: number, info: number, owner: null, group: null, dacl: null, sacl: null, descriptor: Out<Ptr>): number;

  CreateNamedPipeW(name: string, openMode: number, pipeMode: number, maxInstances: number, outSize: number, inSize: number, timeout: number, attributes: SecurityAttributes): number;
  ConnectNamedPipe(pipe: number, overlapped: Buffer): number;
  GetOverlappedResult(handle: number, overlapped: Buffer, transferred: Out<number>, wait: number): number;
  CancelIoEx(handle: number, overlapped: Buffer | null): number;
  GetNamedPipeClientProcessId(pipe: number, pid: Out<number>): number;

  OpenProcess(access: number, inherit: number, pid: number): number;
  /** Logs the user on (loads a profile): call through `.async`, never on the main thread. */
  CreateProcessWithLogonW: AsyncCapable<
    (user: string, domain: string, password: Buffer, logonFlags: number, application: string, commandLine: Buffer, creationFlags: number, environment: Buffer | null, cwd: string, startupInfo: Buffer, processInfo: Buffer) => number
  >;
  WaitForSingleObject(handle: number, milliseconds: number): number;
  GetExitCodeProcess(process: number, code: Out<number>): number;
  TerminateProcess(process: number, code: number): number;

  // The runner process's ConPTY sessions and kill-on-close job:
  CreatePipe(read: Out<number>, write: Out<number>, attributes: null, size: number): number;
  /** Returns an HRESULT (0 = S_OK). */
  CreatePseudoConsole(size: number, input: number, output: number, flags: number, console: Out<number>): number;
  ResizePseudoConsole(console: number, size: number): number;
  /** May block until the console host has flushed its output: call through `.async`. */
  ClosePseudoConsole: ((console: number) => void) & { async(console: number, done: (err: unknown) => void): void };
  InitializeProcThreadAttributeList(list: unknown, count: number, flags: number, size: Out<number>): number;
  UpdateProcThreadAttribute(list: unknown, flags: number, attribute: number, value: number, size: number, previous: null, returnSize: null): number;
  DeleteProcThreadAttributeList(list: unknown): void;
  CreateProcessW(application: string | null, commandLine: Buffer, processAttributes: null, threadAttributes: null, inherit: number, flags: number, environment: Buffer, cwd: string, startupInfo: Buffer, processInfo: Buffer): number;
  ResumeThread(thread: number): number;
  CreateJobObjectW(attributes: null, name: null): number;
  SetInformationJobObject(job: number, infoClass: number, info: Buffer, size: number): number;
  AssignProcessToJobObject(job: number, process: number): number;
  TerminateJobObject(job: number, exitCode: number): number;

  // The runner's job children (pipes with an explicit handle list), program lookup, the token's user:
  SetHandleInformation(handle: number, mask: number, flags: number): number;
  /** Characters written (without the NUL), or the size needed (with it) when `size` is too small; 0 on failure. */
  GetSystemDirectoryW(buffer: Buffer, size: number): number;
  OpenProcessToken(process: number, access: number, token: Out<number>): number;
  GetTokenInformation(token: number, infoClass: number, info: Buffer | null, size: number, returned: Out<number>): number;

  /** Decodes a NUL-terminated UTF-16 string the OS allocated. */
  wideString(pointer: Ptr): string;
}

/** A koffi function with its `.async` form: same arguments plus a Node-style callback. */
export type AsyncCapable<F extends (...args: never[]) => unknown> = F & {
  async(...args: [...Parameters<F>, (err: unknown, result: ReturnType<F>) => void]): void;
};

export interface SecurityAttributes {
  nLength: number;
  lpSecurityDescriptor: Ptr;
  bInheritHandle: number;
}

let api: Win32Api | undefined;

export function win32(): Win32Api {
  if (api) return api;
  if (process.platform !== 'win32') throw new Error('the Win32 API is only available on Windows');
  const koffi = require('koffi') as typeof koffiModule;
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  koffi.struct('SECURITY_ATTRIBUTES', { nLength: 'uint32_t', lpSecurityDescriptor: 'void *', bInheritHandle: 'int' });
  const k = (proto: string) => kernel32.func(proto);
  const a = (proto: string) => advapi32.func(proto);
  api = {
    koffi,
    GetLastError: k('uint32_t __stdcall GetLastError(void)'),
    FormatMessageW: k('uint32_t __stdcall FormatMessageW(uint32_t flags, void *source, uint32_t id, uint32_t lang, _Out_ uint8_t *buffer, uint32_t size, void *args)'),
    LocalFree: k('void * __stdcall LocalFree(void *mem)'),
    CloseHandle: k('int __stdcall CloseHandle(intptr_t h)'),
    GetCurrentProcess: k('intptr_t __stdcall GetCurrentProcess(void)'),
    GetCurrentProcessId: k('uint32_t __stdcall GetCurrentProcessId(void)'),
    GetProcessHandleCount: k('int __stdcall GetProcessHandleCount(intptr_t process, _Out_ uint32_t *count)'),
    SetErrorMode: k('uint32_t __stdcall SetErrorMode(uint32_t mode)'),

    GetUserNameW: a('int __stdcall GetUserNameW(_Out_ uint8_t *buffer, _Inout_ uint32_t *size)'),
    LookupAccountNameW: a(
      'int __stdcall LookupAccountNameW(const char16_t *system, const char16_t *account, _Out_ uint8_t *sid, _Inout_ uint32_t *sidSize, _Out_ uint8_t *domain, _Inout_ uint32_t *domainSize, _Out_ int *use)',
    ),
    ConvertSidToStringSidW: a('int __stdcall ConvertSidToStringSidW(void *sid, _Out_ void **out)'),
    LookupAccountSidW: a(
      'int __stdcall LookupAccountSidW(const char16_t *system, void *sid, _Out_ uint8_t *name, _Inout_ uint32_t *nameSize, _Out_ uint8_t *domain, _Inout_ uint32_t *domainSize, _Out_ int *use)',
    ) as Win32Api['LookupAccountSidW'],

    ConvertStringSecurityDescriptorToSecurityDescriptorW: a(
      'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *sddl, uint32_t revision, _Out_ void **descriptor, _Out_ uint32_t *size)',
    ),
    ConvertSecurityDescriptorToStringSecurityDescriptorW: a(
      'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *descriptor, uint32_t revision, uint32_t info, _Out_ void **sddl, _Out_ uint32_t *length)',
    ),
    GetSecurityInfo: a(
      'uint32_t __stdcall GetSecurityInfo(intptr_t handle, int objectType, uint32_t info, void *owner, void *group, void *dacl, void *sacl, _Out_ void **descriptor)',
    ),

    CreateNamedPipeW: k(
      'intptr_t __stdcall CreateNamedPipeW(const char16_t *name, uint32_t openMode, uint32_t pipeMode, uint32_t maxInstances, uint32_t outSize, uint32_t inSize, uint32_t timeout, const SECURITY_ATTRIBUTES *attributes)',
    ),
    // The OVERLAPPED lives in a Node Buffer: its memory never moves, and the caller keeps it alive
    // until the operation's completion has been collected.
    ConnectNamedPipe: k('int __stdcall ConnectNamedPipe(intptr_t pipe, void *overlapped)'),
    GetOverlappedResult: k('int __stdcall GetOverlappedResult(intptr_t handle, void *overlapped, _Out_ uint32_t *transferred, int wait)'),
    CancelIoEx: k('int __stdcall CancelIoEx(intptr_t handle, void *overlapped)'),
    GetNamedPipeClientProcessId: k('int __stdcall GetNamedPipeClientProcessId(intptr_t pipe, _Out_ uint32_t *pid)'),

    OpenProcess: k('intptr_t __stdcall OpenProcess(uint32_t access, int inherit, uint32_t pid)'),
    CreateProcessWithLogonW: a(
      'int __stdcall CreateProcessWithLogonW(const char16_t *user, const char16_t *domain, const uint8_t *password, uint32_t logonFlags, const char16_t *application, void *commandLine, uint32_t creationFlags, void *environment, const char16_t *cwd, void *startupInfo, void *processInfo)',
    ) as Win32Api['CreateProcessWithLogonW'],
    WaitForSingleObject: k('uint32_t __stdcall WaitForSingleObject(intptr_t handle, uint32_t milliseconds)'),
    GetExitCodeProcess: k('int __stdcall GetExitCodeProcess(intptr_t process, _Out_ uint32_t *code)'),
    TerminateProcess: k('int __stdcall TerminateProcess(intptr_t process, uint32_t code)'),

    // The runner process's ConPTY sessions and kill-on-close job:
    CreatePipe: k('int __stdcall CreatePipe(_Out_ intptr_t *read, _Out_ intptr_t *write, void *attributes, uint32_t size)'),
    CreatePseudoConsole: k('int32_t __stdcall CreatePseudoConsole(uint32_t size, intptr_t input, intptr_t output, uint32_t flags, _Out_ intptr_t *console)'),
    ResizePseudoConsole: k('int32_t __stdcall ResizePseudoConsole(intptr_t console, uint32_t size)'),
    ClosePseudoConsole: k('void __stdcall ClosePseudoConsole(intptr_t console)') as Win32Api['ClosePseudoConsole'],
    InitializeProcThreadAttributeList: k('int __stdcall InitializeProcThreadAttributeList(void *list, uint32_t count, uint32_t flags, _Inout_ size_t *size)'),
    UpdateProcThreadAttribute: k('int __stdcall UpdateProcThreadAttribute(void *list, uint32_t flags, uintptr_t attribute, intptr_t value, size_t size, void *previous, void *returnSize)'),
    DeleteProcThreadAttributeList: k('void __stdcall DeleteProcThreadAttributeList(void *list)'),
    CreateProcessW: k('int __stdcall CreateProcessW(const char16_t *application, uint8_t *commandLine, void *processAttributes, void *threadAttributes, int inherit, uint32_t flags, uint8_t *environment, const char16_t *cwd, uint8_t *startupInfo, _Out_ uint8_t *processInfo)'),
    ResumeThread: k('uint32_t __stdcall ResumeThread(intptr_t thread)'),
    CreateJobObjectW: k('intptr_t __stdcall CreateJobObjectW(void *attributes, void *name)'),
    SetInformationJobObject: k('int __stdcall SetInformationJobObject(intptr_t job, int infoClass, uint8_t *info, uint32_t size)'),
    AssignProcessToJobObject: k('int __stdcall AssignProcessToJobObject(intptr_t job, intptr_t process)'),
    TerminateJobObject: k('int __stdcall TerminateJobObject(intptr_t job, uint32_t exitCode)'),

    // The runner's job children (pipes with an explicit handle list), program lookup, the token's user:
    SetHandleInformation: k('int __stdcall SetHandleInformation(intptr_t handle, uint32_t mask, uint32_t flags)'),
    GetSystemDirectoryW: k('uint32_t __stdcall GetSystemDirectoryW(_Out_ uint8_t *buffer, uint32_t size)'),
    OpenProcessToken: a('int __stdcall OpenProcessToken(intptr_t process, uint32_t access, _Out_ intptr_t *token)'),
    GetTokenInformation: a('int __stdcall GetTokenInformation(intptr_t token, int infoClass, _Out_ uint8_t *info, uint32_t size, _Out_ uint32_t *returned)'),

    wideString: (pointer) => koffi.decode(pointer, 'char16_t', -1) as string,
  } as Win32Api;
  return api;
}

// Constants, named as in the Windows headers.
export const INVALID_HANDLE_VALUE = -1;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_PIPE_BUSY = 231;
export const ERROR_PIPE_CONNECTED = 535;
export const ERROR_OPERATION_ABORTED = 995;
export const ERROR_IO_INCOMPLETE = 996;
export const ERROR_IO_PENDING = 997;
export const ERROR_NOT_FOUND = 1168;
export const ERROR_NONE_MAPPED = 1332;

export const SDDL_REVISION_1 = 1;
export const SE_KERNEL_OBJECT = 6;
export const DACL_SECURITY_INFORMATION = 0x4;

export const PIPE_ACCESS_INBOUND = 0x1;
export const PIPE_ACCESS_OUTBOUND = 0x2;
export const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
export const FILE_FLAG_OVERLAPPED = 0x40000000;
export const PIPE_TYPE_BYTE = 0x0;
export const PIPE_READMODE_BYTE = 0x0;
export const PIPE_WAIT = 0x0;
export const PIPE_REJECT_REMOTE_CLIENTS = 0x8;

export const LOGON_WITH_PROFILE = 0x1;
/** CreateProcessWithLogonW's dwLogonFlags as upstream passes them since #34629. */
export const LOGON_FLAGS_NONE = 0;
export const STARTF_FORCEOFFFEEDBACK = 0x00000080;
export const CREATE_NO_WINDOW = 0x08000000;
export const CREATE_UNICODE_ENVIRONMENT = 0x00000400;
export const SEM_FAILCRITICALERRORS = 0x0001;
export const SEM_NOGPFAULTERRORBOX = 0x0002;
export const WAIT_OBJECT_0 = 0;
export const SYNCHRONIZE = 0x00100000;
export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
export const WAIT_TIMEOUT = 0x102;
export const PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE = 0x00020016;
export const EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
export const CREATE_SUSPENDED = 0x00000004;
export const STARTF_USESTDHANDLES = 0x00000100;
export const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000;
export const JobObjectExtendedLimitInformation = 9;
/** x64 struct sizes for CreateProcess*: STARTUPINFOW, STARTUPINFOEXW (+ the attribute list pointer), PROCESS_INFORMATION. */
export const STARTUPINFOW_SIZE = 104;
/** STARTUPINFOW.dwFlags on x64: cb, 3 pointers, 8 DWORDs before it. */
export const STARTUPINFOW_DWFLAGS_OFFSET = 60;
export const STARTUPINFOEXW_SIZE = 112;
export const PROCESS_INFORMATION_SIZE = 24;
/** sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on x64; LimitFlags at offset 16. */
export const JOB_EXTENDED_LIMIT_SIZE = 144;

// ---- DPAPI (crypt32) and the kernel32 memory calls that copy and wipe its output ----
// Kept apart from win32() so this block merges on its own; loaded on first use like the rest.
// CryptProtectData / CryptUnprotectData may contact a domain controller (roaming master keys):
// call them through `.async` only. Upstream's declarations: openai/codex
// codex-rs/windows-sandbox-rs/src/dpapi.rs.

/** DATA_BLOB (CRYPT_INTEGER_BLOB): `pbData` is a Buffer going in, an OS pointer (LocalFree it) coming out. */
export interface DataBlob {
  cbData: number;
  pbData: Buffer | Ptr | null;
}

type DpapiCall = (dataIn: DataBlob, description: null, entropy: null, reserved: null, prompt: null, flags: number, dataOut: DataBlob) => number;
type AsyncWin32<F extends (...args: never[]) => number> = F & {
  async(...args: [...Parameters<F>, (err: unknown, result: number) => void]): void;
};

export interface DpapiApi {
  CryptProtectData: AsyncWin32<DpapiCall>;
  CryptUnprotectData: AsyncWin32<DpapiCall>;
  /** Copies OS memory into a Buffer of ours, without a JS array or string in between. */
  RtlMoveMemory(destination: Buffer, source: Ptr, length: number): void;
  /** Overwrites OS memory (the plaintext DPAPI handed us) before it goes back to the heap. */
  RtlZeroMemory(destination: Ptr, length: number): void;
  LocalFree(memory: Ptr): Ptr;
}

let dpapi: DpapiApi | undefined;

export function dpapiApi(): DpapiApi {
  if (dpapi) return dpapi;
  const { koffi, LocalFree } = win32(); // throws the usual error off Windows
  const crypt32 = koffi.load('crypt32.dll');
  const kernel32 = koffi.load('kernel32.dll');
  koffi.struct('DATA_BLOB', { cbData: 'uint32_t', pbData: 'void *' });
  dpapi = {
    CryptProtectData: crypt32.func(
      'int __stdcall CryptProtectData(const DATA_BLOB *dataIn, const char16_t *description, const DATA_BLOB *entropy, void *reserved, void *prompt, uint32_t flags, _Out_ DATA_BLOB *dataOut)',
    ) as DpapiApi['CryptProtectData'],
    CryptUnprotectData: crypt32.func(
      'int __stdcall CryptUnprotectData(const DATA_BLOB *dataIn, void *description, const DATA_BLOB *entropy, void *reserved, void *prompt, uint32_t flags, _Out_ DATA_BLOB *dataOut)',
    ) as DpapiApi['CryptUnprotectData'],
    // kernel32 exports both, forwarded to ntdll (Wine's kernel32.spec, which follows Windows' exports, lists them).
    RtlMoveMemory: kernel32.func('void __stdcall RtlMoveMemory(_Out_ uint8_t *destination, const void *source, size_t length)'),
    RtlZeroMemory: kernel32.func('void __stdcall RtlZeroMemory(void *destination, size_t length)'),
    LocalFree,
  };
  return dpapi;
}

export const CRYPTPROTECT_UI_FORBIDDEN = 0x1;
export const CRYPTPROTECT_LOCAL_MACHINE = 0x4;

// ---- The desktop this process runs on (doctor): kernel32 + user32, loaded on first use. ----

export interface DesktopApi {
  ProcessIdToSessionId(pid: number, session: Out<number>): number;
  GetProcessWindowStation(): number;
  GetUserObjectInformationW(object: number, index: number, info: Buffer, length: number, needed: Out<number>): number;
  // The private desktop codex's runner puts its command on (sandbox-prep/private-desktop.ts):
  /** Returns an HDESK, 0 on failure. */
  CreateDesktopW(name: string, device: null, mode: null, flags: number, access: number, attributes: SecurityAttributes): number;
  CloseDesktop(desktop: number): number;
  /** Returns an HDESK, 0 when no desktop of that name exists (or access is denied). */
  OpenDesktopW(name: string, flags: number, inherit: number, access: number): number;
}

export const UOI_NAME = 2;

// Desktop access rights (winuser.h); upstream's DESKTOP_ALL_ACCESS is their union.
export const DESKTOP_READOBJECTS = 0x0001;
export const DESKTOP_CREATEWINDOW = 0x0002;
export const DESKTOP_CREATEMENU = 0x0004;
export const DESKTOP_HOOKCONTROL = 0x0008;
export const DESKTOP_JOURNALRECORD = 0x0010;
export const DESKTOP_JOURNALPLAYBACK = 0x0020;
export const DESKTOP_ENUMERATE = 0x0040;
export const DESKTOP_WRITEOBJECTS = 0x0080;
export const DESKTOP_SWITCHDESKTOP = 0x0100;
export const DESKTOP_DELETE = 0x00010000;
export const DESKTOP_READ_CONTROL = 0x00020000;
export const DESKTOP_WRITE_DAC = 0x00040000;
export const DESKTOP_WRITE_OWNER = 0x00080000;
export const SE_WINDOW_OBJECT = 7;

let desktop: DesktopApi | undefined;

export function desktopApi(): DesktopApi {
  if (desktop) return desktop;
  const { koffi } = win32(); // throws the usual error off Windows
  const kernel32 = koffi.load('kernel32.dll');
  const user32 = koffi.load('user32.dll');
  desktop = {
    ProcessIdToSessionId: kernel32.func('int __stdcall ProcessIdToSessionId(uint32_t pid, _Out_ uint32_t *session)'),
    // A pseudo handle owned by the system: never closed.
    GetProcessWindowStation: user32.func('intptr_t __stdcall GetProcessWindowStation(void)'),
    GetUserObjectInformationW: user32.func('int __stdcall GetUserObjectInformationW(intptr_t object, int index, _Out_ uint8_t *info, uint32_t length, _Out_ uint32_t *needed)'),
    CreateDesktopW: user32.func('intptr_t __stdcall CreateDesktopW(const char16_t *name, const char16_t *device, void *mode, uint32_t flags, uint32_t access, const SECURITY_ATTRIBUTES *attributes)'),
    CloseDesktop: user32.func('int __stdcall CloseDesktop(intptr_t desktop)'),
    OpenDesktopW: user32.func('intptr_t __stdcall OpenDesktopW(const char16_t *name, uint32_t flags, int inherit, uint32_t access)'),
  } as DesktopApi;
  return desktop;
}

// The runner's job children, program lookup, the token's user:
export const HANDLE_FLAG_INHERIT = 0x1;
export const PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x00020002;
export const TOKEN_QUERY = 0x0008;
/** TOKEN_INFORMATION_CLASS TokenUser: a TOKEN_USER, whose first field points at the SID. */
export const TokenUser = 1;
/** SID_NAME_USE, as LookupAccountNameW reports what a name resolved to. */
export const SidTypeUser = 1;

// ---- Local accounts and elevation (netapi32, userenv, advapi32) ----
// Nothing in the library calls these: the Windows-only tests (test/win32/windows-only/) use them to
// make throwaway local users, check the test process is elevated, and remove the users' profiles
// after. Kept here, in their own block, with every other Win32 declaration. Loaded on first use.

/** USER_INFO_1 (lmaccess.h), level 1 of NetUserAdd. */
export interface UserInfo1 {
  usri1_name: string;
  usri1_password: string;
  usri1_password_age: number;
  usri1_priv: number;
  usri1_home_dir: string | null;
  usri1_comment: string | null;
  usri1_flags: number;
  usri1_script_path: string | null;
}

export interface AccountsApi {
  /** Returns a NET_API_STATUS (0 = NERR_Success), not the last error. */
  NetUserAdd(server: null, level: 1, info: UserInfo1, parmErr: Out<number>): number;
  /** Returns a NET_API_STATUS (0 = NERR_Success). */
  NetUserDel(server: null, username: string): number;
  ConvertStringSidToSidW(sid: string, out: Out<Ptr>): number;
  /** `token` 0: the calling thread's effective token (deny-only groups count as absent). */
  CheckTokenMembership(token: number, sid: Ptr, isMember: Out<number>): number;
  /** Deletes a user's profile folder and registry hive by SID string (admin only). Bound on first call. */
  DeleteProfileW(sid: string, profilePath: null, computer: null): number;
}

let accounts: AccountsApi | undefined;
let userInfoDeclared = false;

export function accountsApi(): AccountsApi {
  if (accounts) return accounts;
  const { koffi } = win32(); // throws the usual error off Windows
  const netapi32 = koffi.load('netapi32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  // koffi's type names are global: declared once even if a later step of this function throws.
  if (!userInfoDeclared) declareUserInfo1(koffi);
  userInfoDeclared = true;
  let deleteProfile: AccountsApi['DeleteProfileW'] | undefined;
  accounts = {
    NetUserAdd: netapi32.func('uint32_t __stdcall NetUserAdd(const char16_t *server, uint32_t level, const USER_INFO_1 *info, _Out_ uint32_t *parmErr)'),
    NetUserDel: netapi32.func('uint32_t __stdcall NetUserDel(const char16_t *server, const char16_t *username)'),
    ConvertStringSidToSidW: advapi32.func('int __stdcall ConvertStringSidToSidW(const char16_t *sid, _Out_ void **out)'),
    CheckTokenMembership: advapi32.func('int __stdcall CheckTokenMembership(intptr_t token, void *sid, _Out_ int *isMember)'),
    // Wine's userenv lacks it: bound when first called, so the rest works there.
    DeleteProfileW: (sid, profilePath, computer) => {
      deleteProfile ??= koffi.load('userenv.dll').func('int __stdcall DeleteProfileW(const char16_t *sid, const char16_t *profilePath, const char16_t *computer)');
      return deleteProfile(sid, profilePath, computer);
    },
  };
  return accounts;
}

function declareUserInfo1(koffi: typeof koffiModule): void {
  koffi.struct('USER_INFO_1', {
    usri1_name: 'const char16_t *',
    usri1_password: 'const char16_t *',
    usri1_password_age: 'uint32_t',
    usri1_priv: 'uint32_t',
    usri1_home_dir: 'const char16_t *',
    usri1_comment: 'const char16_t *',
    usri1_flags: 'uint32_t',
    usri1_script_path: 'const char16_t *',
  });
}

export const USER_PRIV_USER = 1;
export const UF_SCRIPT = 0x0001;
export const UF_NORMAL_ACCOUNT = 0x0200;
export const UF_DONT_EXPIRE_PASSWD = 0x10000;
export const NERR_USER_NOT_FOUND = 2221;

// ---- Elevated launch (shell32): codex's setup helper through UAC (sandbox-setup/). Loaded on first use. ----

/**
 * SHELLEXECUTEINFOW (shellapi.h), x64: 112 bytes, hProcess at offset 104. The string fields are
 * koffi-marshalled UTF-16 copies that live for the call; hProcess comes back through `_Inout_`.
 */
export interface ShellExecuteInfo {
  cbSize: number;
  fMask: number;
  hwnd: number;
  lpVerb: string | null;
  lpFile: string;
  lpParameters: string | null;
  lpDirectory: string | null;
  nShow: number;
  hInstApp: number;
  lpIDList: null;
  lpClass: string | null;
  hkeyClass: number;
  dwHotKey: number;
  hIconOrMonitor: number;
  hProcess: number;
}

export interface ShellApi {
  /** Shows the UAC prompt with verb "runas" and waits for the user's answer: call through `.async` only. */
  ShellExecuteExW: AsyncCapable<(info: ShellExecuteInfo) => number>;
  /** koffi's size of SHELLEXECUTEINFOW (112 on x64): checked against the header's. */
  shellExecuteInfoSize: number;
}

export const SHELLEXECUTEINFOW_SIZE = 112;
export const SEE_MASK_NOCLOSEPROCESS = 0x00000040;
export const SEE_MASK_NOASYNC = 0x00000100;
export const SW_HIDE = 0;
/** The user said no at the UAC prompt (upstream: orchestrator_helper_launch_canceled). */
export const ERROR_CANCELLED = 1223;

let shell: ShellApi | undefined;

export function shellApi(): ShellApi {
  if (shell) return shell;
  const { koffi } = win32(); // throws the usual error off Windows
  const shell32 = koffi.load('shell32.dll');
  const info = koffi.struct('SHELLEXECUTEINFOW', {
    cbSize: 'uint32_t',
    fMask: 'uint32_t',
    hwnd: 'intptr_t',
    lpVerb: 'const char16_t *',
    lpFile: 'const char16_t *',
    lpParameters: 'const char16_t *',
    lpDirectory: 'const char16_t *',
    nShow: 'int',
    hInstApp: 'intptr_t',
    lpIDList: 'void *',
    lpClass: 'const char16_t *',
    hkeyClass: 'intptr_t',
    dwHotKey: 'uint32_t',
    hIconOrMonitor: 'intptr_t',
    hProcess: 'intptr_t',
  });
  shell = {
    ShellExecuteExW: shell32.func('int __stdcall ShellExecuteExW(_Inout_ SHELLEXECUTEINFOW *info)') as ShellApi['ShellExecuteExW'],
    shellExecuteInfoSize: koffi.sizeof(info),
  };
  return shell;
}
