// The runner an embedding app starts, found where the app ships it: plain Node (no `electron`
// import), so tests and build scripts load it too. Packaged, the runner and the launcher are
// extraResources in resources/runner/ (a child process cannot run a file inside app.asar) and
// koffi comes from app.asar.unpacked (runner-spec.ts koffiPackages()).
import type { RunnerLauncherOptions } from '../../src/main/launch/launch-runner';
import { defaultRunnerSpec } from '../../src/main/launch/runner-spec';
import type { RunnerChoice } from '../../src/main/session/public-options';
import { launcherScript, preloadBundle, rendererDir, runnerScript } from './app-paths';

export { launcherScript, runnerScript } from './app-paths';

/** What decides where the runner is: Electron's `app.isPackaged` and `process.resourcesPath`. */
export interface AppFacts {
  isPackaged: boolean;
  /** Default: `process.resourcesPath` (Electron's). */
  resourcesPath?: string;
}

/** The app's copies of the runner and of its launcher, for a SessionManager. */
export interface AppRunner {
  /** For the manager's `defaults.runner`: this package's runner at the app's copy. */
  runner: Extract<RunnerChoice, { kind: 'custom' }>;
  /** For the manager's `launcher`: the app's copy of the launcher script. */
  launcher: RunnerLauncherOptions;
}

/**
 * The runner spec and the launcher settings of the app's copies:
 * `new SessionManager({ defaults: { runner }, launcher })`.
 */
export function configureAppRunner(app: AppFacts): AppRunner {
  const packaged = app.isPackaged ? { resourcesPath: packagedResources(app) } : null;
  return { runner: { kind: 'custom', spec: defaultRunnerSpec(runnerScript(packaged)) }, launcher: { script: launcherScript(packaged) } };
}

/** The preload script to give a panel window (inside the package; Electron reads it from app.asar). */
export function preloadPath(): string {
  return preloadBundle();
}

/** The folder holding the panel's page, script and stylesheet. */
export function panelDir(): string {
  return rendererDir();
}

function packagedResources(app: AppFacts): string {
  const resources = app.resourcesPath ?? (process as { resourcesPath?: string }).resourcesPath;
  if (typeof resources !== 'string' || resources.length === 0) {
    throw new TypeError('a packaged app needs its resources folder: pass resourcesPath (Electron sets process.resourcesPath)');
  }
  return resources;
}
