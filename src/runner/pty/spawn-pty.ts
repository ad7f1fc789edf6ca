// The runner's entry into terminal sessions: a spawn_request with `tty: true` lands here.
import type { SpawnRequest } from '../../protocol/messages';
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
