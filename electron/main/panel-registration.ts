// Plain logic behind openRunnerPipesPanel: the IPC handlers are registered once (ipcMain allows
// one handler per channel) for the first panel window, shared by every later one over the same
// manager, and removed when the last one goes.
export type RegisterIpc<M, W> = (manager: M, windows: () => Iterable<W>) => () => void;

export class PanelRegistration<M, W> {
  private current: { manager: M; windows: Set<W>; unregister: () => void } | null = null;

  constructor(private readonly register: RegisterIpc<M, W>) {}

  /** Lets `window` call the handlers over `manager`; the returned function takes it back (idempotent). */
  add(manager: M, window: W): () => void {
    if (this.current && this.current.manager !== manager) {
      throw new Error('the runner pipes panel is already registered for another SessionManager: close its panel windows first (one manager per app)');
    }
    if (!this.current) {
      const windows = new Set<W>();
      this.current = { manager, windows, unregister: this.register(manager, () => windows) };
    }
    const entry = this.current;
    entry.windows.add(window);
    return () => {
      if (!entry.windows.delete(window) || entry.windows.size > 0) return;
      if (this.current === entry) this.current = null;
      entry.unregister();
    };
  }

  /** The windows allowed to call now. */
  windows(): W[] {
    return this.current ? [...this.current.windows] : [];
  }
}
