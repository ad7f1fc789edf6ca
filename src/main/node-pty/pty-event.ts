// node-pty's event shape: calling the event with a listener subscribes it and returns a
// disposable that unsubscribes it.

export interface IDisposable {
  dispose(): void;
}

/** `pty.onData((text) => ...)` subscribes; `.dispose()` on what it returns unsubscribes. */
export interface IEvent<T> {
  (listener: (event: T) => unknown): IDisposable;
}

/** One event's listeners. A listener that throws does not stop the others; the throw is reported as a warning. */
export class PtyEmitter<T> {
  private readonly listeners = new Set<(event: T) => unknown>();

  readonly event: IEvent<T> = (listener) => {
    if (typeof listener !== 'function') throw new TypeError(`a listener must be a function, got ${typeof listener}`);
    // A wrapper per subscription: the same function subscribed twice is called twice, disposed one at a time.
    const entry = (event: T) => listener(event);
    this.listeners.add(entry);
    return { dispose: () => void this.listeners.delete(entry) };
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`a node-pty facade listener threw: ${err instanceof Error ? err.message : String(err)}`, 'CodexRunnerIpcWarning');
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
