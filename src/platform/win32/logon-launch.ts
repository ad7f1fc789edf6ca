// Placeholder until the Win32 layer lands: launching as another user needs CreateProcessWithLogonW.
import type { RunnerProcess } from '../../launch/launch-runner';
import type { RunnerSpec } from '../../launch/runner-spec';

export interface LogonLaunchOptions {
  username: string;
  password: string;
  domain?: string;
  cwd: string;
}

export async function launchRunnerAsUser(_spec: RunnerSpec, _names: { in: string; out: string }, _options: LogonLaunchOptions): Promise<RunnerProcess> {
  throw new Error('CreateProcessWithLogonW launch is not implemented yet');
}
