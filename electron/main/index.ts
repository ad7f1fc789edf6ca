// What an embedding Electron app uses: register the scheme before `ready`, then build windows and
// register the IPC for them over the app's own SessionManager. Runs only inside Electron.
export { registerPanelScheme } from './panel-protocol';
export { createRunnerPipesWindow, type RunnerPipesWindowOptions } from './create-window';
export { registerRunnerPipesIpc, type RegisterRunnerPipesIpcOptions } from './register-ipc';
export { runnerScript } from './app-paths';
export type { RunnerPipesApi } from '../common/ipc-contract';
