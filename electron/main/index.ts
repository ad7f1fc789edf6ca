// The package's `./electron` entry: what an Electron app's main process imports to embed the panel,
// the three calls of docs/electron.md (and the scheme's entry, for an app that registers privileged
// schemes of its own). Runs only inside Electron (it imports `electron`).
export { registerPanelScheme, PANEL_SCHEME_PRIVILEGES } from './panel-protocol';
export { configureAppRunner, type AppFacts, type AppRunner } from './app-runner';
export { openRunnerPipesPanel, type OpenRunnerPipesPanelOptions, type RunnerPipesPanel } from './open-panel';
