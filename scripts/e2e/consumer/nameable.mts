// Every type the API's values and options carry can be named from the package's entries: tsc
// writes this file's declarations, and a type reachable only through a file outside the exports map
// would be an error (TS2742 "cannot be named ... not portable"). Compiled, never run.
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
export const spec = core.defaultRunnerSpec();
export const pipes = core.createRunnerPipePair();
export const logon = core.loadSandboxLogon;
export const runners = core.listCodexRunners;
export const optionFields = [options.sandbox, options.runner, options.permissions, options.protocolVersion, options.env] as const;
export const statusFields = [status.stages, status.pipes, status.protocol, status.policy, status.runner, status.traffic, status.failure] as const;
export const managerFields = [managerOptions.defaults] as const;
export const panel = electron.openRunnerPipesPanel;
export const panelFields = [panelOptions.manager] as const;
export const appRunnerSpec = electron.configureAppRunner;
export const fragment = builder.runnerPipesBuilderConfig();
export const entries = [core, electron, builder] as const;
