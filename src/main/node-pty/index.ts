// codex-runner-ipc/node-pty: node-pty's spawn() and IPty, backed by a Session. What changes from
// node-pty is in docs/node-pty.md.
import { SessionPty } from './session-pty';
import type { IPtyForkOptions } from './pty-options';

export type { IDisposable, IEvent } from './pty-event';
export type { IPtyForkOptions, PtySessionOptions } from './pty-options';
export { SessionPty, toExitEvent, type IExitEvent, type IPty } from './session-pty';
export { configureDefaultManager, defaultManager, disposeDefaultManager, type DefaultManagerOptions } from './default-manager';

/**
 * Runs `file` (default `sh`, `cmd.exe` on Windows) with `args` through the runner, on a terminal
 * by default. `args` as one command-line string (node-pty's Windows form) is typed, as node-pty
 * types it, and refused: the protocol carries an argv. Bad or unknown options throw a TypeError here; a session that fails later ends
 * with onExit (exitCode 1 when the command could not be started, else -1 and `result.error`).
 */
export function spawn(file?: string, args?: string[] | readonly string[] | string, options?: IPtyForkOptions): SessionPty {
  return new SessionPty(file, args, options);
}

/** @deprecated node-pty's old name for spawn. */
export const fork = spawn;
/** @deprecated node-pty's old name for spawn. */
export const createTerminal = spawn;

/** node-pty's open() (a bare pty pair in this process) has no counterpart: the pty lives in the runner. */
export function open(): never {
  throw new Error('open() is not supported by codex-runner-ipc/node-pty: the terminal lives in the runner; use spawn()');
}
