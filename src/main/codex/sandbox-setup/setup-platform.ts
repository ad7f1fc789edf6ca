// How setup starts codex's helper: directly when this process is elevated, else behind the UAC
// prompt (ShellExecuteExW "runas"). The Windows side loads only on Windows; tests pass their own
// SetupPlatform at this boundary (UAC cannot run here), named as such.
import { spawn } from 'node:child_process';

/** What only Windows can do: the token's user, the elevation check, the UAC launch. */
export interface SetupPlatform {
  realUser(): Promise<string>;
  isElevated(): boolean;
  /** Throws an error with a numeric `code` (the launch's Win32 error; 1223: the user said no). */
  startElevated(file: string, parameters: string): Promise<Run>;
}

/** A started helper: its exit code, and a way to end it (false: it could not be ended). */
export type Run = { exited: Promise<number>; terminate(): boolean };

/** A helper started after its run was abandoned (the prompt was accepted late): ended if it can be, else waited for. */
export function endOrAwait(run: Run): Promise<number> {
  run.terminate();
  return run.exited;
}

/** The helper as a hidden child (Node's windowsHide is CREATE_NO_WINDOW), no stdio, as upstream; resolves once it started. */
export function startDirect(helper: string, payload: string): Promise<Run> {
  const child = spawn(helper, [payload], { stdio: 'ignore', windowsHide: true });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  return new Promise((resolve, reject) => {
    child.once('error', reject); // ENOENT, EACCES: a launch failure
    child.once('spawn', () => resolve({ exited, terminate: () => child.kill('SIGKILL') }));
  });
}

/** The real one: the token user, CheckTokenMembership, ShellExecuteExW "runas". */
export async function windowsSetupPlatform(): Promise<SetupPlatform> {
  const [{ currentSetupUser }, { isProcessElevated }, { shellExecute }, { quoteWindowsArg }] = await Promise.all([
    import('../../../os/win32/current-user'),
    import('../../../os/win32/elevation'),
    import('../../../os/win32/elevated-launch'),
    import('../../../os/win32/windows-command-line'),
  ]);
  return {
    realUser: currentSetupUser,
    isElevated: isProcessElevated,
    startElevated: (file, parameters) => shellExecute({ verb: 'runas', file, parameters: quoteWindowsArg(parameters) }),
  };
}
