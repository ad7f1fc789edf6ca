// The runner's entry into terminal sessions: a spawn_request with `tty: true` lands here.
import type { SpawnRequest } from '../../protocol/messages';
import { libcPty } from './libc-pty';
import { PosixPty } from './posix-pty';
import type { PtyProcess } from './pty-process';

export { PtyProcess } from './pty-process';

/** Throws (before anything is left open) when the terminal or the command cannot be set up. */
export function spawnPty(file: string, args: readonly string[], req: SpawnRequest): PtyProcess {
  if (process.platform === 'win32') {
    // Loaded only on Windows: its koffi declarations name kernel32 functions no other OS has.
    const { ConPty } = require('./win32/conpty') as typeof import('./win32/conpty');
    return new ConPty(file, args, { cwd: req.cwd, env: req.env });
  }
  return new PosixPty(file, args, { cwd: req.cwd, env: req.env });
}

/**
 * Loads what a terminal session needs (koffi and its libc or kernel32 declarations, tens of ms)
 * ahead of the request, for a runner that waits idle (a warm one): its first terminal then starts
 * without that wait. A failure here is left for the spawn to report.
 */
export function preloadPty(): void {
  try {
    if (process.platform === 'win32') require('./win32/conpty');
    else libcPty();
  } catch {}
}
