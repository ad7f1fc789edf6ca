// Where the app's own files are, unpacked (dist/ in a checkout) or packaged (asar + resources).
import * as path from 'node:path';

/** This file compiles to dist/electron/main/; everything is found from there. */
const distDir = path.resolve(__dirname, '..', '..');

export function rendererDir(): string {
  return path.join(distDir, 'renderer');
}

export function preloadBundle(): string {
  return path.join(distDir, 'electron', 'preload', 'preload.bundle.js');
}

/**
 * The runner script to launch. Packaged, it ships as an extraResource (a child process cannot run
 * a file inside app.asar, and materialization copies it from there into .sandbox-bin); unpacked,
 * the bundle in dist/runner.
 */
export function runnerScript(packaged: { resourcesPath: string } | null): string {
  return packaged ? path.join(packaged.resourcesPath, 'runner', 'codex-command-runner.js') : path.join(distDir, 'runner', 'codex-command-runner.js');
}

/** The runner launcher script: shipped beside the runner (an extraResource), for the same reason. */
export function launcherScript(packaged: { resourcesPath: string } | null): string {
  return packaged ? path.join(packaged.resourcesPath, 'runner', 'codex-runner-launcher.js') : path.join(distDir, 'runner', 'codex-runner-launcher.js');
}
