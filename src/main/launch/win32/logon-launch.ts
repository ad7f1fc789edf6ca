// Starts the runner as the sandbox user (createProcessWithLogon: CreateProcessWithLogonW with
// upstream's arguments, off the main thread; an abort stops the wait at once, and a process the
// call creates after that is terminated). The started process is watched by polling its handle
// from an unref'd timer.
import { SecretText } from '../../codex/home/secret-text';
import type { RunnerProcess } from '../launch-runner';
import { RunnerLaunchError } from '../launch-runner';
import { runnerArgs, type RunnerSpec } from '../runner-spec';
import { windowsCommandLine } from '../../../os/win32/windows-command-line';
import { createProcessWithLogon } from '../../../os/win32/logon-process';
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
  for (const [what, value] of [['username', options.username], ['cwd', options.cwd]] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`sandbox ${what} must be a non-empty string`);
  }
  if (!(options.password instanceof SecretText) || options.password.wiped) throw new TypeError('the sandbox password must be a SecretText that is not wiped');
  const environment = spec.env && Object.keys(spec.env).length > 0 ? environmentBlock(spec.env) : null;
  let started;
  try {
    started = await createProcessWithLogon({
      username: options.username,
      domain: options.domain ?? '.',
      // The secret's own NUL-terminated UTF-16 buffer: never a JS string.
      passwordUtf16z: options.password.utf16z(),
      application: spec.exe,
      commandLine: windowsCommandLine(spec.exe, runnerArgs(spec, names)),
      environment,
      cwd: options.cwd,
      signal: options.signal,
    });
  } catch (err) {
    if (!(err instanceof Win32Error)) throw err;
    throw Object.assign(new RunnerLaunchError(`runner ${spec.exe} could not be started as ${options.username}: ${err.message}`), { win32Code: err.code });
  }
  // Its stderr cannot be captured: a process of another logon session gets no pipes of ours
  // (upstream passes none either), so the RunnerProcess's stderrTail() is ''.
  return watchProcessHandle(started.processHandle, started.pid);
}
