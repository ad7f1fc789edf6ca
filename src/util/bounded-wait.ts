// One way to wait for something that may take too long: bounded by an abort signal and a timeout,
// cleaning up either way. Every "race this promise against an abort / a timer" goes through here,
// so no caller forgets to remove its listener or clear its timer.

export interface BoundedWaitOptions<T> {
  /** Stops the wait with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Stops the wait after this many ms with `onTimeout()`'s error; undefined or null: no timer. */
  timeoutMs?: number | null | undefined;
  /** The error for a timeout (default: `timed out after <n> ms`). */
  onTimeout?: () => Error;
  /**
   * A value that arrives after the wait stopped (aborted or timed out) goes here, never to the
   * caller, so what it holds (a process, a handle) can be released.
   */
  late?: (value: T) => void;
}

/** Thrown for a timeout when no `onTimeout` is given. */
export class WaitTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * `work`'s outcome, or the signal's reason as soon as it aborts, or a timeout error once
 * `timeoutMs` has passed, whichever comes first. What `work` does goes on by itself: the caller
 * stops waiting, and `late` gets a value that still arrives.
 */
export function boundedWait<T>(work: Promise<T>, options: BoundedWaitOptions<T> = {}): Promise<T> {
  const { signal, timeoutMs, onTimeout, late } = options;
  if (!signal && (timeoutMs === undefined || timeoutMs === null)) return work;
  return new Promise<T>((resolve, reject) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const stop = (error: unknown) => {
      if (stopped) return;
      stopped = true;
      cleanup();
      reject(error);
    };
    function onAbort(): void {
      stop(signal!.reason);
    }
    work.then(
      (value) => {
        if (stopped) {
          late?.(value);
          return;
        }
        stopped = true;
        cleanup();
        resolve(value);
      },
      (error) => {
        if (stopped) return;
        stopped = true;
        cleanup();
        reject(error);
      },
    );
    if (stopped) return;
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs !== null) {
      timer = setTimeout(() => stop(onTimeout ? onTimeout() : new WaitTimeoutError(timeoutMs)), timeoutMs);
    }
  });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (the timer is cleared). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
