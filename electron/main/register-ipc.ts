// Electron glue: routes ipcMain to the plain handlers in ipc-handlers.ts. This is the one call an
// embedding app makes to give its windows the panel's API over its own session manager.
import { ipcMain, type BrowserWindow } from 'electron';
import type { SessionManager } from '../../src/main/session/session-manager';
import { REQUEST_CHANNELS } from '../common/ipc-contract';
import { callerFromEvent } from './ipc-caller';
import { createRunnerPipesHandlers } from './ipc-handlers';
import { PANEL_ORIGIN } from './panel-files';

export interface RegisterRunnerPipesIpcOptions {
  manager: SessionManager;
  /** The windows allowed to call; a function, so windows opened later count too. */
  windows: () => Iterable<BrowserWindow>;
  /** The origin the panel is loaded from. Default: this package's `codex-runner://panel`. */
  origin?: string;
  /** Minimum time between pushes to one window (default 200 ms). */
  pushIntervalMs?: number;
}

/** Registers the handlers; the returned function removes them and stops all pushes. */
export function registerRunnerPipesIpc(options: RegisterRunnerPipesIpcOptions): () => void {
  const isAppContents = (id: number) => {
    for (const w of options.windows()) if (!w.isDestroyed() && w.webContents.id === id) return true;
    return false;
  };
  const ipc = createRunnerPipesHandlers({
    manager: options.manager,
    policy: { origin: options.origin ?? PANEL_ORIGIN, isAppContents },
    ...(options.pushIntervalMs !== undefined ? { pushIntervalMs: options.pushIntervalMs } : {}),
  });
  for (const channel of REQUEST_CHANNELS) {
    const handler = ipc.handlers[channel];
    ipcMain.handle(channel, (event, ...args: unknown[]) => handler(callerFromEvent(event), args));
  }
  return () => {
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel);
    ipc.dispose();
  };
}
