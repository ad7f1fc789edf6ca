// Ends a child and everything it started. On POSIX the child leads its own process group
// (spawned detached), so one signal reaches the whole tree.
import { spawn } from 'node:child_process';

export function signalTree(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (process.platform === 'win32') {
    // Windows has no process groups to signal; taskkill /T walks the tree. /F is the only reliable kind.
    // Whatever escapes it still ends with the runner: libuv puts every child it spawns into a
    // kill-on-close job of the spawning process, and the runner exits right after reporting.
    const killer = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' });
    const killOne = () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    };
    killer.on('error', killOne);
    // Wine's taskkill rejects /T (exit 1): then at least the child itself goes.
    killer.on('exit', (code) => code !== 0 && killOne());
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}
