// The package's `./electron` entry: what an embedding Electron app's main process uses. Runs only
// inside Electron (it imports `electron`); the plain parts are also `./electron/app-runner`.
export { registerPanelScheme, PANEL_SCHEME_PRIVILEGES } from './panel-protocol';
export { openRunnerPipesPanel, type OpenRunnerPipesPanelOptions, type RunnerPipesPanel } from './open-panel';
export { configureAppRunner, preloadPath, panelDir, runnerScript, launcherScript, type AppFacts, type AppRunner } from './app-runner';
export { createRunnerPipesWindow, type RunnerPipesWindowOptions } from './create-window';
export { registerRunnerPipesIpc, type RegisterRunnerPipesIpcOptions } from './register-ipc';
export { PANEL_ORIGIN, PANEL_URL } from './panel-files';
export type { RunnerPipesApi, RunnerPipesUpdate } from '../common/ipc-contract';
