// codex-runner-ipc/node-pty: node-pty's spawn() and IPty, backed by a Session. What changes from
// node-pty is in the README ("Coming from node-pty").
import { SessionPty } from './session-pty';
import type { IPtyForkOptions } from './pty-options';

export type { IDisposable, IEvent } from './pty-event';
export type { IPtyForkOptions, PtySessionOptions } from './pty-options';
export { SessionPty, type IExitEvent, type IPty } from './session-pty';

/**
 * Runs `file` with `args` through the runner, on a terminal by default. Bad or unknown options
 * throw a TypeError here; a session that fails later ends with onExit (exitCode -1, `result.error`).
 */
export function spawn(file: string, args: string[] | readonly string[] = [], options: IPtyForkOptions = {}): SessionPty {
  return new SessionPty(file, args, options);
}
