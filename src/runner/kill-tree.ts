// Ends a child and everything it started, on POSIX: the child leads its own process group
// (spawned detached), so one signal reaches the whole tree.
//
// Windows has no process groups to signal. There the runner puts each child in a kill-on-close job
// of its own (JobChild, ConPty) and ends the tree with the job (`child.kill()` ->
// TerminateJobObject), so nothing here runs on Windows, and nothing is looked up by name.
export function signalTree(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (process.platform === 'win32') {
    throw new Error(`signalTree(${pid}) is POSIX-only: on Windows a process tree ends with its job (JobChild.kill)`);
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}
