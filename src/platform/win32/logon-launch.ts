// Starts the runner as the sandbox user: CreateProcessWithLogonW with upstream's arguments, the
// process watched by polling its handle from an unref'd timer (never a blocking wait on the main
// thread, never a parked threadpool call).
import type { RunnerProcess } from '../../launch/launch-runner';
import { RunnerLaunchError } from '../../launch/launch-runner';
import { runnerArgs, type RunnerSpec } from '../../launch/runner-spec';
import { windowsCommandLine } from '../../launch/windows-command-line';
import {
  CREATE_NO_WINDOW,
  CREATE_UNICODE_ENVIRONMENT,
  LOGON_WITH_PROFILE,
  SEM_FAILCRITICALERRORS,
  SEM_NOGPFAULTERRORBOX,
  win32,
} from './win32-api';
import { environmentBlock } from './environment-block';
import { watchProcessHandle } from './process-watch';
import { lastWin32Error } from './win32-error';

export interface LogonLaunchOptions {
  username: string;
  password: string;
  /** Defaults to `.`, the local machine (upstream). */
  domain?: string;
  /** The runner's own cwd (upstream: `<codexHome>/.sandbox/runner-cwd`). */
  cwd: string;
}

/** sizeof(STARTUPINFOW) and sizeof(PROCESS_INFORMATION) on x64. */
const STARTUPINFOW_SIZE = 104;
const PROCESS_INFORMATION_SIZE = 24;

export async function launchRunnerAsUser(spec: RunnerSpec, names: { in: string; out: string }, options: LogonLaunchOptions): Promise<RunnerProcess> {
  const api = win32();
  for (const [what, value] of [['username', options.username], ['password', options.password], ['cwd', options.cwd]] as const) {
    if (typeof value !== 'string' || (what !== 'password' && value === '')) throw new TypeError(`sandbox ${what} must be a ${what === 'password' ? '' : 'non-empty '}string`);
  }
  const environment = spec.env && Object.keys(spec.env).length > 0 ? environmentBlock(spec.env) : null;
  const commandLine = windowsCommandLine(spec.exe, runnerArgs(spec, names));
  // CreateProcessWithLogonW may write into the command line: give it a buffer of its own.
  const commandLineBuffer = Buffer.from(`${commandLine}\0`, 'utf16le');
  const startupInfo = Buffer.alloc(STARTUPINFOW_SIZE);
  startupInfo.writeUInt32LE(STARTUPINFOW_SIZE, 0); // cb
  const processInfo = Buffer.alloc(PROCESS_INFORMATION_SIZE);

  const previousMode = api.SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  let failure: Error | undefined;
  try {
    const ok = api.CreateProcessWithLogonW(
      options.username,
      options.domain ?? '.',
      options.password,
      LOGON_WITH_PROFILE,
      spec.exe,
      commandLineBuffer,
      CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT,
      environment,
      options.cwd,
      startupInfo,
      processInfo,
    );
    if (!ok) failure = lastWin32Error(`CreateProcessWithLogonW(${options.domain ?? '.'}\\${options.username}, ${spec.exe})`);
  } finally {
    api.SetErrorMode(previousMode);
  }
  if (failure) throw new RunnerLaunchError(`runner ${spec.exe} could not be started as ${options.username}: ${failure.message}`);

  const processHandle = Number(processInfo.readBigInt64LE(0));
  const threadHandle = Number(processInfo.readBigInt64LE(8));
  const pid = processInfo.readUInt32LE(16);
  api.CloseHandle(threadHandle); // never used: the runner's main thread runs on its own
  // Its stderr cannot be captured: a process of another logon session gets no pipes of ours
  // (upstream passes none either), so the RunnerProcess's stderrTail() is ''.
  return watchProcessHandle(processHandle, pid);
}
