// Starts the runner as the sandbox user: CreateProcessWithLogonW with upstream's arguments. The call
// logs the user on (a profile load, possibly seconds), so it runs on libuv's threadpool through
// koffi's `.async`, never on the main thread. It cannot be interrupted once made: an abort stops
// the wait at once, and a process the call creates after that is terminated when it returns. The
// started process is watched by polling its handle from an unref'd timer.
import { SecretText } from '../../codex/home/secret-text';
import type { RunnerProcess } from '../launch-runner';
import { RunnerLaunchError } from '../launch-runner';
import { runnerArgs, type RunnerSpec } from '../runner-spec';
import { windowsCommandLine } from '../../../os/win32/windows-command-line';
import {
  CREATE_NO_WINDOW,
  CREATE_UNICODE_ENVIRONMENT,
  LOGON_FLAGS_NONE,
  STARTF_FORCEOFFFEEDBACK,
  SEM_FAILCRITICALERRORS,
  SEM_NOGPFAULTERRORBOX,
  win32, STARTUPINFOW_SIZE, STARTUPINFOW_DWFLAGS_OFFSET, PROCESS_INFORMATION_SIZE
} from '../../../os/win32/win32-api';
import { environmentBlock } from '../../../os/win32/environment-block';
import { watchProcessHandle } from './process-watch';
import { Win32Error } from '../../../os/win32/win32-error';

export interface LogonLaunchOptions {
  username: string;
  /** The caller wipes it once this returns. */
  password: SecretText;
  /** Stops waiting for the logon (the session ended); what it starts later is terminated. */
  signal?: AbortSignal;
  /** Defaults to `.`, the local machine (upstream). */
  domain?: string;
  /** The runner's own cwd (upstream: the command's cwd). */
  cwd: string;
}


export async function launchRunnerAsUser(spec: RunnerSpec, names: { in: string; out: string }, options: LogonLaunchOptions): Promise<RunnerProcess> {
  const api = win32();
  for (const [what, value] of [['username', options.username], ['cwd', options.cwd]] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`sandbox ${what} must be a non-empty string`);
  }
  if (!(options.password instanceof SecretText) || options.password.wiped) throw new TypeError('the sandbox password must be a SecretText that is not wiped');
  const environment = spec.env && Object.keys(spec.env).length > 0 ? environmentBlock(spec.env) : null;
  const commandLine = windowsCommandLine(spec.exe, runnerArgs(spec, names));
  // CreateProcessWithLogonW may write into the command line: give it a buffer of its own.
  const commandLineBuffer = Buffer.from(`${commandLine}\0`, 'utf16le');
  const startupInfo = logonStartupInfo();
  const processInfo = Buffer.alloc(PROCESS_INFORMATION_SIZE);

  const call = `CreateProcessWithLogonW(${options.domain ?? '.'}\\${options.username}, ${spec.exe})`;
  // The error mode is per process; upstream sets it around the call so a missing DLL in the runner
  // shows no dialog. It stays set while the call runs on the threadpool.
  const previousMode = api.SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  let outcome: { ok: boolean; error: number };
  try {
    outcome = await abortable(
      new Promise((resolve, reject) => {
        api.CreateProcessWithLogonW.async(
          options.username,
          options.domain ?? '.',
          // Passed as the secret's own NUL-terminated UTF-16 buffer: never a JS string.
          options.password.utf16z(),
          // Upstream since #34629: codex's sandbox users have no profile to load.
          LOGON_FLAGS_NONE,
          spec.exe,
          commandLineBuffer,
          CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT,
          environment,
          options.cwd,
          startupInfo,
          processInfo,
          (err: unknown, ok: number) => {
            // koffi (3.2+) hands the worker thread's last error to the async callback's thread.
            if (err) reject(err as Error);
            else resolve({ ok: ok !== 0, error: ok !== 0 ? 0 : api.GetLastError() });
          },
        );
      }),
      options.signal,
      (late) => {
        // The session is gone: whatever the logon started must not live on.
        if (late.ok) closeStarted(processInfo, true);
      },
    );
  } finally {
    api.SetErrorMode(previousMode);
  }
  if (!outcome.ok) {
    const failure = new Win32Error(call, outcome.error);
    throw Object.assign(new RunnerLaunchError(`runner ${spec.exe} could not be started as ${options.username}: ${failure.message}`), { win32Code: outcome.error });
  }

  const processHandle = Number(processInfo.readBigInt64LE(0));
  const threadHandle = Number(processInfo.readBigInt64LE(8));
  const pid = processInfo.readUInt32LE(16);
  api.CloseHandle(threadHandle); // never used: the runner's main thread runs on its own
  // Its stderr cannot be captured: a process of another logon session gets no pipes of ours
  // (upstream passes none either), so the RunnerProcess's stderrTail() is ''.
  return watchProcessHandle(processHandle, pid);
}

/** The STARTUPINFOW upstream's runner_client passes: only cb, and (6-B) STARTF_FORCEOFFFEEDBACK, so no busy cursor while the runner starts. */
export function logonStartupInfo(): Buffer {
  const startupInfo = Buffer.alloc(STARTUPINFOW_SIZE);
  startupInfo.writeUInt32LE(STARTUPINFOW_SIZE, 0); // cb
  startupInfo.writeUInt32LE(STARTF_FORCEOFFFEEDBACK, STARTUPINFOW_DWFLAGS_OFFSET);
  return startupInfo;
}

/** Closes the handles a successful CreateProcess* returned, terminating the process first if asked. */
function closeStarted(processInfo: Buffer, terminate: boolean): void {
  const api = win32();
  const processHandle = Number(processInfo.readBigInt64LE(0));
  const threadHandle = Number(processInfo.readBigInt64LE(8));
  if (terminate) api.TerminateProcess(processHandle, 1);
  api.CloseHandle(threadHandle);
  api.CloseHandle(processHandle);
}

/**
 * `work`'s result, or the abort signal's reason as soon as it fires; a result that arrives after
 * the abort goes to `late` (so its resources can be released), never to the caller.
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, late: (value: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) late(value);
        else resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(err);
      },
    );
  });
}
