// Starts a program through ShellExecuteExW, as upstream's setup.rs runs its setup helper when this
// process is not elevated: verb "runas" (the UAC prompt), SEE_MASK_NOCLOSEPROCESS |
// SEE_MASK_NOASYNC, SW_HIDE, the parameters one quoted argument. The call blocks until the user
// answers the prompt, so it runs on libuv's threadpool through koffi's `.async`. The process
// handle it returns is then polled from a timer (never a blocking wait on the main thread), its
// exit code read with GetExitCodeProcess, and the handle closed.
import {
  ERROR_CANCELLED,
  SEE_MASK_NOASYNC,
  SEE_MASK_NOCLOSEPROCESS,
  SHELLEXECUTEINFOW_SIZE,
  SW_HIDE,
  shellApi,
  WAIT_OBJECT_0,
  win32,
  type ShellExecuteInfo,
} from './win32-api';
import { Win32Error } from './win32-error';

export { ERROR_CANCELLED };

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
  const api = win32();
  let closed = false;
  const exited = new Promise<number>((resolve) => {
    const poll = () => {
      if (api.WaitForSingleObject(handle, 0) !== WAIT_OBJECT_0) {
        // Ref'd: whoever awaits the setup (a CLI, say) must not exit under it.
        setTimeout(poll, pollMs);
        return;
      }
      const code: [number] = [1];
      // As upstream: an unreadable exit code counts as a failure (1).
      if (!api.GetExitCodeProcess(handle, code)) code[0] = 1;
      closed = true;
      api.CloseHandle(handle);
      resolve(code[0] >>> 0);
    };
    poll();
  });
  return {
    exited,
    terminate: () => !closed && api.TerminateProcess(handle, 1) !== 0,
  };
}

/** One argument for a Windows command line, as upstream's setup.rs `quote_arg` (CommandLineToArgvW rules). */
export function quoteArg(arg: string): string {
  if (arg !== '' && !/[ \t\n\r"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
    } else if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
      backslashes = 0;
    } else {
      out += '\\'.repeat(backslashes) + ch;
      backslashes = 0;
    }
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}
