// Electron glue: the one call an embedding app makes after `ready`: a panel window over its
// SessionManager, with the IPC handlers registered for it (and for every other panel it opens).
import type { BrowserWindow } from 'electron';
import type { SessionManager } from '../../src/main/session/session-manager';
import { createRunnerPipesWindow, type RunnerPipesWindowOptions } from './create-window';
import { PanelRegistration } from './panel-registration';
import { registerRunnerPipesIpc } from './register-ipc';

export interface OpenRunnerPipesPanelOptions extends RunnerPipesWindowOptions {
  manager: SessionManager;
}

export interface RunnerPipesPanel {
  window: BrowserWindow;
  /** Closes the window; the handlers go with the last panel window (closing it by hand does the same). */
  close(): void;
}

const registration = new PanelRegistration<SessionManager, BrowserWindow>((manager, windows) => registerRunnerPipesIpc({ manager, windows }));

export function openRunnerPipesPanel(options: OpenRunnerPipesPanelOptions): RunnerPipesPanel {
  const { manager, ...windowOptions } = options;
  const window = createRunnerPipesWindow(windowOptions);
  let release: () => void;
  try {
    release = registration.add(manager, window);
  } catch (err) {
    window.destroy();
    throw err;
  }
  window.once('closed', release);
  return {
    window,
    close() {
      if (!window.isDestroyed()) window.close();
      release();
    },
  };
}
