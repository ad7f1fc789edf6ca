// CreateProcessWithLogonW with upstream's arguments: starts a program as another user. The call
// logs the user on (possibly seconds), so it runs on libuv's threadpool through koffi's `.async`,
// never on the main thread. It cannot be interrupted once made: an abort stops the wait at once,
// and a process the call creates after that is terminated when it returns.
import { boundedWait } from '../../util/bounded-wait';
import { CREATE_NO_WINDOW, CREATE_UNICODE_ENVIRONMENT, PROCESS_INFORMATION_SIZE, STARTUPINFOW_DWFLAGS_OFFSET, STARTUPINFOW_SIZE, terminateProcess } from './process-api';
import { lazyApi, win32, type AsyncCapable } from './win32-api';
import { Win32Error } from './win32-error';

interface LogonApi {
  /** Logs the user on: call through `.async`, never on the main thread. */
  CreateProcessWithLogonW: AsyncCapable<
    (user: string, domain: string, password: Buffer, logonFlags: number, application: string, commandLine: Buffer, creationFlags: number, environment: Buffer | null, cwd: string, startupInfo: Buffer, processInfo: Buffer) => number
  >;
  SetErrorMode(mode: number): number;
}

const logonApi = lazyApi<LogonApi>((dll) => ({
  CreateProcessWithLogonW: dll('advapi32.dll').func(
    'int __stdcall CreateProcessWithLogonW(const char16_t *user, const char16_t *domain, const uint8_t *password, uint32_t logonFlags, const char16_t *application, void *commandLine, uint32_t creationFlags, void *environment, const char16_t *cwd, void *startupInfo, void *processInfo)',
  ) as LogonApi['CreateProcessWithLogonW'],
  SetErrorMode: dll('kernel32.dll').func('uint32_t __stdcall SetErrorMode(uint32_t mode)'),
}));

/** CreateProcessWithLogonW's dwLogonFlags as upstream passes them since #34629: codex's sandbox users have no profile to load. */
export const LOGON_FLAGS_NONE = 0;
export const STARTF_FORCEOFFFEEDBACK = 0x00000080;
export const SEM_FAILCRITICALERRORS = 0x0001;
export const SEM_NOGPFAULTERRORBOX = 0x0002;

/** The process error mode (SetErrorMode): set, returning the previous one. */
export function setErrorMode(mode: number): number {
  return logonApi().SetErrorMode(mode);
}

export interface LogonProcessRequest {
  username: string;
  domain: string;
  /** The password as a NUL-terminated UTF-16 buffer (never a JS string); the caller wipes it. */
  passwordUtf16z: Buffer;
  application: string;
  commandLine: string;
  /** A CREATE_UNICODE_ENVIRONMENT block, or null for the user's own environment. */
  environment: Buffer | null;
  cwd: string;
  /** Stops waiting for the logon; a process it starts later is terminated. */
  signal?: AbortSignal | undefined;
}

export interface LogonProcess {
  /** Owned by the caller: SYNCHRONIZE, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE and more. */
  processHandle: number;
  pid: number;
}

/** The STARTUPINFOW upstream's runner_client passes: only cb, and (6-B) STARTF_FORCEOFFFEEDBACK, so no busy cursor while the runner starts. */
export function logonStartupInfo(): Buffer {
  const startupInfo = Buffer.alloc(STARTUPINFOW_SIZE);
  startupInfo.writeUInt32LE(STARTUPINFOW_SIZE, 0); // cb
  startupInfo.writeUInt32LE(STARTF_FORCEOFFFEEDBACK, STARTUPINFOW_DWFLAGS_OFFSET);
  return startupInfo;
}

/**
 * Starts `application` as `domain\username`, hidden (CREATE_NO_WINDOW), with no pipes of ours.
 * Fails with a Win32Error naming the call and its code (1326: wrong password, ...), or with the
 * signal's reason.
 */
export async function createProcessWithLogon(request: LogonProcessRequest): Promise<LogonProcess> {
  const api = logonApi();
  const core = win32();
  // CreateProcessWithLogonW may write into the command line: give it a buffer of its own.
  const commandLine = Buffer.from(`${request.commandLine}\0`, 'utf16le');
  const startupInfo = logonStartupInfo();
  const processInfo = Buffer.alloc(PROCESS_INFORMATION_SIZE);
  // The error mode is per process; upstream sets it around the call so a missing DLL in the new
  // process shows no dialog. It stays set while the call runs on the threadpool.
  const previousMode = api.SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  let outcome: { ok: boolean; error: number };
  try {
    const call = new Promise<{ ok: boolean; error: number }>((resolve, reject) => {
      api.CreateProcessWithLogonW.async(
        request.username,
        request.domain,
        request.passwordUtf16z,
        LOGON_FLAGS_NONE,
        request.application,
        commandLine,
        CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT,
        request.environment,
        request.cwd,
        startupInfo,
        processInfo,
        (err: unknown, ok: number) => {
          // koffi (3.2+) hands the worker thread's last error to the async callback's thread.
          if (err) reject(err as Error);
          else resolve({ ok: ok !== 0, error: ok !== 0 ? 0 : core.GetLastError() });
        },
      );
    });
    outcome = await boundedWait(call, {
      signal: request.signal,
      // Nobody waits any more: whatever the logon started must not live on.
      late: (late) => {
        if (late.ok) terminateStarted(processInfo);
      },
    });
  } finally {
    api.SetErrorMode(previousMode);
  }
  if (!outcome.ok) throw new Win32Error(`CreateProcessWithLogonW(${request.domain}\\${request.username}, ${request.application})`, outcome.error);
  core.CloseHandle(Number(processInfo.readBigInt64LE(8))); // the thread's: never used, the process runs on its own
  return { processHandle: Number(processInfo.readBigInt64LE(0)), pid: processInfo.readUInt32LE(16) };
}

/** Terminates a process a successful CreateProcess* started, and closes both handles it returned. */
function terminateStarted(processInfo: Buffer): void {
  const processHandle = Number(processInfo.readBigInt64LE(0));
  terminateProcess(processHandle, 1);
  win32().CloseHandle(Number(processInfo.readBigInt64LE(8)));
  win32().CloseHandle(processHandle);
}
