// Starts a program through ShellExecuteExW, as upstream's setup.rs runs its setup helper when this
// process is not elevated: verb "runas" (the UAC prompt), SEE_MASK_NOCLOSEPROCESS |
// SEE_MASK_NOASYNC, SW_HIDE, the parameters one quoted argument. The call blocks until the user
// answers the prompt, so it runs on libuv's threadpool through koffi's `.async`. The process
// handle it returns is then polled from a timer (never a blocking wait on the main thread), its
// exit code read with GetExitCodeProcess, and the handle closed.
import { delay } from '../../util/bounded-wait';
import { closeHandle, processExitCode, processHasExited, terminateProcess } from './process-api';
import { lazyApi, win32, type AsyncCapable } from './win32-api';
import { Win32Error } from './win32-error';

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
const SEE_MASK_NOCLOSEPROCESS = 0x00000040;
const SEE_MASK_NOASYNC = 0x00000100;
const SW_HIDE = 0;
/** The user said no at the UAC prompt (upstream: orchestrator_helper_launch_canceled). */
export const ERROR_CANCELLED = 1223;

export const shellApi = lazyApi<ShellApi>((dll, koffi) => {
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
  return {
    ShellExecuteExW: dll('shell32.dll').func('int __stdcall ShellExecuteExW(_Inout_ SHELLEXECUTEINFOW *info)') as ShellApi['ShellExecuteExW'],
    shellExecuteInfoSize: koffi.sizeof(info),
  };
});

export interface ShellLaunch {
  /** "runas" asks for elevation; "open" starts the program as this user (how the Wine tests drive the same path). */
  verb: 'runas' | 'open';
  file: string;
  /** The command line after the program, already quoted. */
  parameters: string;
}

/** A started process we own the handle of, until `exited` settles (the handle is closed then). */
export interface ShellProcess {
  exited: Promise<number>;
  /** TerminateProcess; false when Windows refused (an elevated process from a non-elevated one). */
  terminate(): boolean;
}

/** Fails with a Win32Error whose `code` is the launch error (1223: the user refused elevation). */
export async function shellExecute(launch: ShellLaunch, pollMs = 50): Promise<ShellProcess> {
  const api = shellApi();
  if (api.shellExecuteInfoSize !== SHELLEXECUTEINFOW_SIZE) throw new Error(`SHELLEXECUTEINFOW is ${api.shellExecuteInfoSize} bytes in koffi, not ${SHELLEXECUTEINFOW_SIZE}: refusing to call ShellExecuteExW`);
  const info: ShellExecuteInfo = {
    cbSize: SHELLEXECUTEINFOW_SIZE,
    // Synchronous activation: the call runs on a worker thread with no message loop (upstream's comment).
    fMask: SEE_MASK_NOCLOSEPROCESS | SEE_MASK_NOASYNC,
    hwnd: 0,
    lpVerb: launch.verb,
    lpFile: launch.file,
    lpParameters: launch.parameters,
    lpDirectory: null,
    nShow: SW_HIDE,
    hInstApp: 0,
    lpIDList: null,
    lpClass: null,
    hkeyClass: 0,
    dwHotKey: 0,
    hIconOrMonitor: 0,
    hProcess: 0,
  };
  const { ok, error } = await new Promise<{ ok: boolean; error: number }>((resolve, reject) => {
    api.ShellExecuteExW.async(info, (err: unknown, result: number) => {
      // koffi (3.2+) hands the worker thread's last error to the callback's thread.
      if (err) reject(err as Error);
      else resolve({ ok: result !== 0, error: result !== 0 ? 0 : win32().GetLastError() });
    });
  });
  const handle = Number(info.hProcess);
  if (!ok || handle === 0) {
    if (ok) throw new Error(`ShellExecuteExW(${launch.verb}, ${launch.file}) started nothing it could hand a process handle for`);
    throw new Win32Error(`ShellExecuteExW(${launch.verb}, ${launch.file})`, error);
  }
  return watchHandle(handle, pollMs);
}

function watchHandle(handle: number, pollMs: number): ShellProcess {
  let closed = false;
  const exited = (async () => {
    // Ref'd timers: whoever awaits the setup (a CLI, say) must not exit under it.
    while (!processHasExited(handle)) await delay(pollMs);
    // As upstream: an unreadable exit code counts as a failure (1).
    const code = processExitCode(handle) ?? 1;
    closed = true;
    closeHandle(handle);
    return code >>> 0;
  })();
  return {
    exited,
    terminate: () => !closed && terminateProcess(handle, 1),
  };
}
