// The panel window's webPreferences, as plain data so the lock-down is tested under Node
// (create-window.ts adds the Electron session object). DevTools are never on in a packaged app.
export interface PanelWebPreferencesOptions {
  preload: string;
  isPackaged: boolean;
  /** Turns DevTools off in development too; it cannot turn them on in a packaged app. */
  devTools?: boolean;
}

export function panelWebPreferences(options: PanelWebPreferencesOptions) {
  return {
    preload: options.preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: !options.isPackaged && options.devTools !== false,
  } as const satisfies Record<string, unknown>;
}
