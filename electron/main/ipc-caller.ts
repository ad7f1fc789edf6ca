// Who is calling a handler, described without Electron types so the handlers and the sender check
// are plain code: Electron's glue builds this from an IpcMainInvokeEvent, the e2e harness from a
// Playwright binding source. Both describe the real calling frame.
import type { SessionStatus } from '../common/ipc-contract';

export interface IpcCaller {
  /** The calling window's contents id: watchers are kept per window. */
  contentsId: number;
  /** The frame that sent the message; null when it is already gone or navigated away. */
  frame: { url: string; isTop: boolean } | null;
  /** Pushes the session list to that window. */
  push(sessions: SessionStatus[]): void;
  /** Calls `listener` once when that window is closed or destroyed. */
  onGone(listener: () => void): void;
}
