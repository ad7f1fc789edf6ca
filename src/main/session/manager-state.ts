// What a SessionManager owns for all its sessions, besides its launch slots, warm runners and
// private desktops: its runner launcher, the protocol version each runner answered, the sandbox
// refreshes it ran and the runner copies it made. None of it is process-wide: two managers share
// nothing, and a lone Session has one of its own, ended with it.
import { RunnerStarter, type RunnerLauncherOptions } from '../launch/launch-runner';
import { RunnerCopies } from '../launch/materialize-runner';
import { SandboxRefreshes } from '../codex/sandbox-prep/sandbox-refresh';
import { RememberedVersions } from './protocol-choice';

export class ManagerState {
  readonly launcher: RunnerStarter;
  readonly versions = new RememberedVersions();
  readonly refreshes = new SandboxRefreshes();
  readonly runnerCopies = new RunnerCopies();

  /** Throws a TypeError naming a bad launcher option. */
  constructor(launcher: RunnerLauncherOptions = {}) {
    this.launcher = new RunnerStarter(launcher);
  }

  /** Ends the launcher; after every session and warm runner of the owner is gone. */
  dispose(): Promise<void> {
    return this.launcher.dispose();
  }
}
