// The types of the API's values, its options and its status can be named from the package's
// entries: tsc writes this file's declarations, and a type reachable only through a file outside the
// exports map would be an error (TS2742 "cannot be named ... not portable"). "." exports what an app
// uses, not every record nested in a status (write those as SessionStatus['stages'] and the like).
// Compiled, never run.
import * as core from 'codex-runner-ipc';
import * as electron from 'codex-runner-ipc/electron';
import * as builder from 'codex-runner-ipc/electron-builder';

declare const options: core.SessionOptions;
declare const status: core.SessionStatus;
declare const managerOptions: core.SessionManagerOptions;
declare const panelOptions: electron.OpenRunnerPipesPanelOptions;

export const manager = new core.SessionManager();
export const session = manager.start({ command: ['true'] });
export const sessionStatus = session.status();
export const result = session.exited;
export const pools = manager.poolStatus();
export const readiness = core.sandboxReadiness;
export const setup = core.setupSandbox;
export const runner = core.findCodexRunner;
export const install = core.findCodexInstall;
export const optionFields = [options.sandbox, options.runner, options.permissions, options.timeouts, options.advanced, options.env] as const;
export const statusFields = [status.state, status.command] as const;
export const managerFields = [managerOptions.defaults] as const;
export const panel = electron.openRunnerPipesPanel;
export const panelFields = [panelOptions.manager] as const;
export const appRunnerSpec = electron.configureAppRunner;
export const fragment = builder.runnerPipesBuilderConfig();
export const entries = [core, electron, builder] as const;
