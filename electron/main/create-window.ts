// Electron glue: the panel window, locked down. Its own session partition keeps the permission
// denials and the panel scheme from touching an embedding app's other windows.
import { app, BrowserWindow, session as electronSession } from 'electron';
import { preloadBundle, rendererDir } from './app-paths';
import { PANEL_URL } from './panel-files';
import { servePanel } from './panel-protocol';
import { panelWebPreferences } from './window-preferences';

export const PANEL_PARTITION = 'codex-runner-panel';

export interface RunnerPipesWindowOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Defaults to this package's built preload and renderer. */
  preload?: string;
  rendererDir?: string;
  /** false turns DevTools off in development too; a packaged app never has them. */
  devTools?: boolean;
}

export function createRunnerPipesWindow(options: RunnerPipesWindowOptions = {}): BrowserWindow {
  const session = electronSession.fromPartition(PANEL_PARTITION);
  servePanel(session, options.rendererDir ?? rendererDir());
  // Nothing the panel does needs a permission: camera, notifications, clipboard... all refused.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);

  const win = new BrowserWindow({
    width: options.width ?? 1100,
    height: options.height ?? 760,
    title: options.title ?? 'Runner pipes',
    show: false,
    webPreferences: {
      session,
      ...panelWebPreferences({ preload: options.preload ?? preloadBundle(), isPackaged: app.isPackaged, ...(options.devTools !== undefined ? { devTools: options.devTools } : {}) }),
    },
  });
  const contents = win.webContents;
  // The panel is one page: no navigation away, no popups, no webviews.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(PANEL_URL);
  return win;
}
