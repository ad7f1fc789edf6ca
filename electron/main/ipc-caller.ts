// Who is calling a handler, described without Electron types so the handlers and the sender check
// are plain code: callerFromEvent builds it from an ipcMain invoke event (register-ipc.ts), the e2e
// harness from a Playwright binding source. Both describe the real calling frame.
import type { PushChannel, RunnerPipesUpdate } from '../common/ipc-contract';

/** The one push (RUNNER_PIPES_IPC.pushes). */
const SESSIONS_PUSH = 'runner-pipes:sessions' satisfies PushChannel;

export interface IpcCaller {
  /** The calling window's contents id: watchers are kept per window. */
  contentsId: number;
  /** The frame that sent the message; null when it is already gone or navigated away. */
  frame: { url: string; isTop: boolean } | null;
  /** Pushes the sessions and pools to that window. */
  push(update: RunnerPipesUpdate): void;
  /** Calls `listener` once when that window is destroyed; returns the function that cancels that. */
  onGone(listener: () => void): () => void;
}

/** What a caller uses of Electron's WebContents (Electron's own object has all of it). */
export interface CallerContents {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
  removeListener(event: 'destroyed', listener: () => void): unknown;
}

/** What a caller uses of Electron's IpcMainInvokeEvent. */
export interface CallerEvent {
  sender: CallerContents;
  senderFrame: { url: string; parent: unknown } | null;
}

export function callerFromEvent(event: CallerEvent): IpcCaller {
  const contents = event.sender;
  const frame = event.senderFrame;
  return {
    contentsId: contents.id,
    frame: frame ? { url: frame.url, isTop: frame.parent === null } : null,
    push: (update) => {
      if (!contents.isDestroyed()) contents.send(SESSIONS_PUSH, update);
    },
    onGone: (listener) => {
      // Already gone (the window closed while the call was in flight): 'destroyed' will not come again.
      if (contents.isDestroyed()) {
        let cancelled = false;
        queueMicrotask(() => cancelled || listener());
        return () => void (cancelled = true);
      }
      contents.once('destroyed', listener);
      return () => void contents.removeListener('destroyed', listener);
    },
  };
}
